"""Who may open what: one guard per area blueprint, the signed-in user, safe `next=`, and
where each role lands after signing in."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user, login_user, logout_user

from ..accounts import sign_ins
from ..extensions import db, login_manager
from ..models import Role, User

LANDING = {Role.ADMIN: "admin.index", Role.MANAGER: "desk.index", Role.CLIENT: "me.appointments"}


def guard(blueprint: Blueprint, *roles: Role) -> None:
    """Open every page of `blueprint` to signed-in users of `roles` only: anonymous people are
    sent to sign in, others get 403 (so no page can be left open by a forgotten decorator), and
    someone with a temporary password chooses their own first."""

    @blueprint.before_request
    def check_role():
        """Let the request through only for a signed-in user of the area's roles."""
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if current_user.role not in roles:
            abort(403)
        if current_user.must_change_password:
            flash("Your password is a temporary one: please choose your own first.", "info")
            return redirect(url_for("auth.change_password"))
        return None


def load_user(token: str) -> User | None:
    """The user of the browser's sign-in, re-read on every request: none once signed out, the
    account switched off, or the password changed elsewhere."""
    user = sign_ins.signed_in_user(db.session, token)
    if user is not None:
        user.sign_in_token = token
    return user


def sign_in(user: User, remember: bool = False) -> None:
    """Sign the browser in: a new sign-in on the server, named by the session (and, asked
    for, the remember-me cookie)."""
    user.sign_in_token = sign_ins.start_sign_in(
        db.session, user, remember=remember, user_agent=request.user_agent.string
    )
    login_user(user, remember=remember)


def sign_out() -> None:
    """Sign the browser out: its sign-in ends on the server too."""
    if current_user.is_authenticated:
        sign_ins.end_sign_in(db.session, current_user.sign_in_token)
    logout_user()


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
