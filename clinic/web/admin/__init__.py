"""The admin area (at /admin), for admins only: the clinic at a glance, its setup (specialists,
locations, shifts, time off), staff and their rights, settings, and the audit log."""

from flask import Blueprint

from ...models import Role
from ..access import guard

bp = Blueprint("admin", __name__, url_prefix="/admin")
guard(bp, Role.ADMIN)

from . import (  # noqa: E402, F401  (the views register on bp)
    addresses,
    audit_log,
    locations,
    overview,
    settings,
    shifts,
    specialists,
    staff,
    time_off,
)
