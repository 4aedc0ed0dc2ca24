"""Who may open what: one guard per area blueprint, the signed-in user, safe `next=`, and
where each role lands after signing in."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, url_for
from flask_login import current_user

from ..extensions import db, login_manager
from ..models import Role, User

LANDING = {Role.ADMIN: "admin.index", Role.MANAGER: "desk.index", Role.CLIENT: "me.appointments"}


def guard(blueprint: Blueprint, *roles: Role) -> None:
    """Open every page of `blueprint` to signed-in users of `roles` only: anonymous people are
    sent to sign in, others get 403 (so no page can be left open by a forgotten decorator)."""

    @blueprint.before_request
    def check_role():
        """Let the request through only for a signed-in user of the area's roles."""
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if current_user.role not in roles:
            abort(403)
        return None


def load_user(user_id: str) -> User | None:
    """The signed-in user, re-read on every request; inactive users are signed out."""
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None


def init_login() -> None:
    """Tell flask-login how to find the user and where to send people to sign in."""
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"


def safe_next(target: str | None) -> str | None:
    """`next=` only when it stays on this site (a path, never another host)."""
    if not target or "\\" in target or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def landing(user: User) -> str:
    """Where a user lands after signing in: staff in their area, clients at their bookings."""
    return url_for(LANDING[user.role])
