"""The public side (at /): the specialist directory (calendars and self-booking come later)."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from . import directory  # noqa: E402, F401  (the views register on bp)
