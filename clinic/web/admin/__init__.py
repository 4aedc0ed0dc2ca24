"""The admin area (at /admin), for admins only."""

from flask import Blueprint

from ...models import Role
from ..access import guard

bp = Blueprint("admin", __name__, url_prefix="/admin")
guard(bp, Role.ADMIN)

from . import overview  # noqa: E402, F401  (the views register on bp)
