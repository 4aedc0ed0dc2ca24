"""Who is signed in: flask-login's user loader (the sign-in pages come with the web base)."""

from __future__ import annotations

from flask import Flask

from .extensions import db, login_manager
from .models import User


def load_user(user_id: str) -> User | None:
    """The signed-in user, re-read on every request; inactive users are signed out."""
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None


def init_app(app: Flask) -> None:
    """Register the user loader."""
    login_manager.user_loader(load_user)
