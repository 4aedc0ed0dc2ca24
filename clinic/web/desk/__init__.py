"""The front desk (at /desk), for managers and admins: the day's agenda and a specialist's
week, booking and changing appointments, a specialist's absence, and the client records."""

from flask import Blueprint

from ...models import Role
from ..access import guard

bp = Blueprint("desk", __name__, url_prefix="/desk")
guard(bp, Role.MANAGER, Role.ADMIN)

from . import absence, appointments, booking, clients, day, week  # noqa: E402, F401  (views register on bp)
