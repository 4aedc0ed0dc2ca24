"""A partial update changes what it names and never re-requires what it leaves alone."""

from __future__ import annotations

import pytest

from clinic import setup
from clinic.extensions import db
from clinic.models import Client


@pytest.fixture
def nameless(clinic_for_api) -> Client:
    """The signed-in client's record without a last name (as self-registration leaves it)."""
    record = db.session.get(Client, clinic_for_api.ids.own_client)
    record.last_name = ""
    db.session.commit()
    return record


@pytest.mark.parametrize("as_", ["client", "manager"])
@pytest.mark.parametrize("body", [{"phone": "+380 44 123 4567"}, {"first_name": "Olena"}])
def test_patching_one_field_of_a_client_without_a_last_name(call, nameless, as_, body):
    """PATCH of one field of a client with no last name is not refused for the missing one."""
    response = call("PATCH", f"/api/v1/clients/{nameless.id}/", as_=as_, json=body)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["last_name"] == ""
    db.session.refresh(nameless)
    assert {key: getattr(nameless, key) for key in body} == body


def test_patching_by_form_data_too(call, nameless):
    """The same partial update sent as form data (as the original took) works too."""
    response = call("PATCH", f"/api/v1/clients/{nameless.id}/", as_="manager", data={"phone": "1"})
    assert response.status_code == 200, response.get_json()


def test_the_rules_read_only_the_fields_given(app, make):
    """Saving a change of one field leaves the others unread, however they are."""
    record = make(Client, last_name="")
    setup.save_client(db.session, record, {"phone": "123"})
    assert (record.phone, record.last_name) == ("123", "")
