"""Sessions that end: signing out, changing the password and switching the account off end
the browser sessions they should, saved cookies included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from http.cookies import SimpleCookie

from helpers import PASSWORD
from sqlalchemy import func, select, update

from clinic import setup
from clinic.extensions import db
from clinic.models import RevokedToken, SignIn, User


def in_own_request(app, browser, method: str, path: str, **kwargs):
    """`browser`'s request (in an app context of its own, as every test client's is)."""
    return browser.open(path, method=method, **kwargs)


def opens(app, browser, path: str) -> int:
    """The status of `browser` asking for `path`."""
    return in_own_request(app, browser, "GET", path).status_code


def signed_in_browser(app, user: User, remember: bool = False):
    """A test client signed in as `user` through the form."""
    browser = app.test_client()
    data = {"username": user.username, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    assert in_own_request(app, browser, "POST", "/login", data=data).status_code == 302
    return browser


SIGN_IN_COOKIES = ("session", "remember_token", "clinic_device")
"""Every cookie signing in sets: the session, remember-me, and the device's mark."""


def cookies_of(browser) -> dict[str, str]:
    """The browser's sign-in cookies by name (what a thief would copy)."""
    found = {name: browser.get_cookie(name) for name in SIGN_IN_COOKIES}
    return {name: cookie.value for name, cookie in found.items() if cookie is not None}


def with_cookies(app, cookies: dict[str, str]):
    """A fresh browser carrying copied cookies."""
    thief = app.test_client()
    for name, value in cookies.items():
        thief.set_cookie(name, value)
    return thief


def test_a_saved_session_cookie_is_dead_after_signing_out(app, make):
    """A copy of the session cookie taken before sign-out must open nothing after it."""
    user = make(User, role="manager")
    browser = signed_in_browser(app, user)
    stolen = cookies_of(browser)
    assert opens(app, with_cookies(app, stolen), "/desk/") == 200
    in_own_request(app, browser, "POST", "/logout")
    assert opens(app, with_cookies(app, stolen), "/desk/") == 302


def test_a_saved_remember_me_cookie_is_dead_after_signing_out(app, make):
    """The remember-me cookie alone (365 days before) must not sign anyone in after sign-out."""
    user = make(User, role="manager")
    browser = signed_in_browser(app, user, remember=True)
    remembered = {"remember_token": cookies_of(browser)["remember_token"]}
    assert opens(app, with_cookies(app, remembered), "/desk/") == 200
    in_own_request(app, browser, "POST", "/logout")
    assert opens(app, with_cookies(app, remembered), "/desk/") == 302


def test_remember_me_lasts_thirty_days_at_most(app, make):
    """A remember-me cookie must not outlive 30 days."""
    user = make(User, role="manager")
    browser = app.test_client()
    response = browser.post(
        "/login", data={"username": user.username, "password": PASSWORD, "remember": "y"}
    )
    cookie = next(
        SimpleCookie(header)["remember_token"]
        for header in response.headers.getlist("Set-Cookie")
        if header.startswith("remember_token=")
    )
    expires = parsedate_to_datetime(cookie["expires"])
    assert expires - datetime.now(UTC) <= timedelta(days=30)


def test_a_cookie_naming_a_user_id_opens_nothing(app, make):
    """A session that names a user id (as before this change) must be refused."""
    user = make(User, role="admin")
    forged = app.test_client()
    with forged.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    assert opens(app, forged, "/admin/") == 302


def test_changing_the_password_ends_the_other_sessions_but_not_this_one(app, make):
    """After a password change, other browsers are signed out; the one that changed it stays."""
    user = make(User, role="manager")
    here, elsewhere = signed_in_browser(app, user), signed_in_browser(app, user)
    with app.app_context():
        response = here.post(
            "/account/password",
            data={"current": PASSWORD, "password": "a brand new one", "confirm": "a brand new one"},
        )
    assert response.status_code == 302
    assert opens(app, here, "/desk/") == 200
    assert opens(app, elsewhere, "/desk/") == 302


def test_an_admin_setting_a_password_or_switching_off_ends_every_session(app, make):
    """A password set by an admin, or switching the account off, signs the user out everywhere."""
    admin = make(User, role="admin")
    manager = make(User, role="manager")
    browser = signed_in_browser(app, manager)
    setup.update_staff_user(
        db.session,
        manager,
        {"password": "set by admin", "repeat_password": "set by admin"},
        actor=admin,
    )
    assert opens(app, browser, "/desk/") == 302
    browser = app.test_client()
    assert (
        browser.post(
            "/login", data={"username": manager.username, "password": "set by admin"}
        ).status_code
        == 302
    )
    setup.update_staff_user(db.session, manager, {"active": False}, actor=admin)
    setup.update_staff_user(db.session, manager, {"active": True}, actor=admin)
    assert opens(app, browser, "/desk/") == 302


def test_a_page_view_writes_nothing(app, make, count_queries):
    """Checking the sign-in on each request must not write (no "last seen": no write lock)."""
    browser = signed_in_browser(app, make(User, role="manager"))
    with count_queries() as queries:
        browser.get("/desk/")
    assert not [q for q in queries if q.lstrip().split()[0].upper() != "SELECT"]


def test_signing_out_removes_the_sign_in_on_the_server(app, make):
    """Sign-out must delete the server's record of that sign-in."""
    browser = signed_in_browser(app, make(User, role="manager"))

    def count() -> int:
        db.session.rollback()
        return db.session.scalar(select(func.count()).select_from(SignIn))

    assert count() == 1
    in_own_request(app, browser, "POST", "/logout")
    assert count() == 0


def test_signing_out_everywhere_else_keeps_only_this_browser(app, make):
    """A user who fears a stolen cookie signs out everywhere else: only their browser stays."""
    user = make(User, role="manager")
    here, elsewhere = signed_in_browser(app, user), signed_in_browser(app, user)
    in_own_request(app, here, "POST", "/account/sign-out-elsewhere")
    assert opens(app, here, "/desk/") == 200
    assert opens(app, elsewhere, "/desk/") == 302


def test_a_remember_me_cookie_older_than_thirty_days_opens_nothing(app, make):
    """A copied remember-me cookie replayed after 30 days must not work (the server decides)."""
    user = make(User, role="manager")
    browser = signed_in_browser(app, user, remember=True)
    remembered = {"remember_token": cookies_of(browser)["remember_token"]}
    db.session.rollback()
    db.session.execute(update(SignIn).values(created_at=datetime.now(UTC) - timedelta(days=31)))
    db.session.commit()
    assert opens(app, with_cookies(app, remembered), "/desk/") == 302


def test_purge_expired_deletes_only_what_can_open_nothing(app, make, runner):
    """Does `flask purge-expired` delete the sign-ins older than a remember-me cookie lives or
    of an earlier password (auth_version), and the revocations of tokens past their end,
    keeping every sign-in that still works and every revocation still needed?"""
    user, other = make(User, role="manager"), make(User, role="manager")
    old, stale, live = (signed_in_browser(app, u) for u in (user, other, user))
    db.session.rollback()
    rows = db.session.scalars(select(SignIn).order_by(SignIn.id)).all()
    rows[0].created_at = datetime.now(UTC) - timedelta(days=31)
    db.session.get(User, other.id).auth_version += 1  # as a deactivation or password change does
    now = datetime.now(UTC)
    db.session.add_all(
        RevokedToken(jti=jti, token_type="access", user_id=user.id, expires_at=now + offset)
        for jti, offset in (("ended", -timedelta(minutes=1)), ("still", timedelta(minutes=30)))
    )
    db.session.commit()
    result = runner.invoke(args=["purge-expired"])
    assert result.output.strip() == ("Deleted 2 ended sign-ins and 1 expired token revocation."), (
        result.output
    )
    db.session.rollback()
    assert db.session.scalars(select(SignIn.id)).all() == [rows[2].id]
    assert db.session.scalars(select(RevokedToken.jti)).all() == ["still"]
    assert (opens(app, old, "/desk/"), opens(app, stale, "/desk/")) == (302, 302)
    assert opens(app, live, "/desk/") == 200
    assert runner.invoke(args=["purge-expired"]).output.startswith("Deleted 0 ended sign-ins")
