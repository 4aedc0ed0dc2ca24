"""A signed-in client's own pages (at /me)."""

from flask import Blueprint

from ...models import Role
from ..access import guard

bp = Blueprint("me", __name__, url_prefix="/me")
guard(bp, Role.CLIENT)

from . import account, appointments, booking  # noqa: E402, F401  (the views register on bp)
