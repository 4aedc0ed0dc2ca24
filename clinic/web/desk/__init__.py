"""The front desk (at /desk), for managers and admins."""

from flask import Blueprint

from ...models import Role
from ..access import guard

bp = Blueprint("desk", __name__, url_prefix="/desk")
guard(bp, Role.MANAGER, Role.ADMIN)

from . import day  # noqa: E402, F401  (the views register on bp)
