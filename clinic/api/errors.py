"""The API's errors as JSON `{code, status, message, errors}`: HTTP errors, webargs' messages
by field, and the booking rules' refusals as 400, 403, 404 or 409."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import Response, jsonify, request
from werkzeug.exceptions import HTTPException

from ..kernel.clock import to_aware
from ..kernel.errors import Conflict, Invalid, Refusal
from .schemas import v1_name

API_PREFIX = "/api/"
WEBARGS_LOCATIONS = {"json", "form", "query", "querystring", "view_args", "headers", "files"}


def in_api() -> bool:
    """Whether the request is the API's."""
    return request.path.startswith(API_PREFIX)


def json_error(
    code: int,
    message: str = "",
    errors: dict | None = None,
    headers: dict | None = None,
    **extra: Any,
) -> Response:
    """The API's error answer."""
    status = HTTPStatus(code)
    response = jsonify(
        code=code,
        status=status.phrase,
        message=message or status.description,
        errors=errors or {},
        **extra,
    )
    response.status_code = code
    response.headers.update(headers or {})
    return response


def error_answer(error: HTTPException | Refusal) -> Response:
    """An HTTP error or a refusal of the booking rules, in the API's error shape."""
    if isinstance(error, Refusal):
        return refusal_answer(error)
    code = error.code or 500
    data = getattr(error, "data", None) or {}
    headers = {key: value for key, value in error.get_headers() if key.lower() == "allow"}
    errors = _by_field(data.get("errors") or data.get("messages") or {})
    message = data.get("message") or (error.description if code != 500 else "")
    if errors and not data.get("message"):
        message = "The request has invalid fields."
    return json_error(code, message, errors, headers | (data.get("headers") or {}))


def _by_field(errors: dict) -> dict:
    """webargs groups messages by where they came from (json, query, ...); the API answers
    by field, keeping the location's name for messages about the whole body."""
    if not set(errors) <= WEBARGS_LOCATIONS:
        return errors
    flat: dict = {}
    for location, messages in errors.items():
        flat.update(messages if isinstance(messages, dict) else {location: messages})
    return flat


def refusal_answer(refusal: Refusal) -> Response:
    """A refusal of the booking rules: 400 (Invalid, by field), 403 (NotAllowed), 404
    (NotFound) or 409 (Conflict, saying what collided)."""
    if isinstance(refusal, Invalid):
        errors = {v1_name(field): [message] for field, message in refusal.errors.items()}
        return json_error(400, refusal.message, errors)
    if isinstance(refusal, Conflict):
        return json_error(409, refusal.message, conflict=conflict_details(refusal))
    return json_error(refusal.status, refusal.message)


def conflict_details(conflict: Conflict) -> dict[str, Any]:
    """What a 409 tells about the collision: the appointment, the nearest free starts, and any
    appointments a shift change would strand (no client's details)."""
    return {
        "appointment": appointment_summary(conflict.appointment) if conflict.appointment else None,
        "suggestions": [to_aware(start).isoformat() for start in conflict.suggestions],
        "appointments": [appointment_summary(a) for a in conflict.appointments],
    }


def appointment_summary(appointment) -> dict[str, Any]:
    """An appointment as a collision names it."""
    return {
        "pk": appointment.id,
        "worker": appointment.specialist_id,
        "location": appointment.location_id,
        "start": to_aware(appointment.starts_at).isoformat(),
        "end": to_aware(appointment.ends_at).isoformat(),
    }
