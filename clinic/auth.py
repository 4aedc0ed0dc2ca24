"""Who is signed in on the web side: flask-login's user loader and the link that verifies an
email address (the sign-in pages come with the web base)."""

from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, url_for
from flask_login import login_user

from . import accounts
from .extensions import db, login_manager
from .models import User
from .scheduling import Invalid

bp = Blueprint("auth", __name__)


def load_user(user_id: str) -> User | None:
    """The signed-in user, re-read on every request; inactive users are signed out."""
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None


@bp.get("/verify/<token>")
def verify_email(token: str):
    """Open the emailed link: the address is verified and the user signed in."""
    try:
        user = accounts.verify_email(db.session, token)
    except Invalid as refusal:
        flash(refusal.errors["token"], "error")
        return redirect(url_for("public.index"))
    if user.active:
        login_user(user)
    flash("Your email address is verified. Welcome!", "success")
    return redirect(url_for("public.index"))


def init_app(app: Flask) -> None:
    """Register the user loader and the pages."""
    login_manager.user_loader(load_user)
    app.register_blueprint(bp)
