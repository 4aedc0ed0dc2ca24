"""The public side (at /): the specialist directory and each specialist's week of free times.
Nothing here shows anything of any patient."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from . import calendar, directory  # noqa: E402, F401  (the views register on bp)
