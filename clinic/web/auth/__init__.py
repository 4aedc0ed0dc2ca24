"""Accounts on the web side (at /): signing in and out, registering, verifying the email
address, resetting and changing the password."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from . import password, register, signin  # noqa: E402, F401  (the views register on bp)
