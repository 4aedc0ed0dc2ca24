"""Does the API answer as its own OpenAPI spec says, for whatever schemathesis sends?

Every operation is called about 20 times (derandomized, so a run repeats) as an admin, over
WSGI, and each answer is checked: not a server error, a documented status code, the documented
content type, a body and headers matching the spec.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture
def api_schema(app):
    """The app's own spec, to be called over WSGI."""
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=20, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_its_spec(case, clinic_for_api):
    """Does every answer conform to the spec, and is none a server error?"""
    token = clinic_for_api.tokens["admin"]
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    case.validate_response(response, checks=CHECKS)
