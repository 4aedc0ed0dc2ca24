"""A client's own account page at /me/account: their details, where they are signed in,
signing out everywhere else, and their password."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from helpers import PASSWORD, fresh
from sqlalchemy import select, update

from clinic import config, create_app
from clinic.extensions import db
from clinic.kernel import mail
from clinic.models import AuditEntry, Client, SignIn, User
from clinic.web.me.account import describe_device

EMAIL = "olena@example.com"
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def ask(app, browser, method: str, path: str, **kwargs):
    """`browser`'s request (in an app context of its own, as every test client's is)."""
    return browser.open(path, method=method, **kwargs)


def page(app, browser, path: str = "/me/account") -> str:
    """The text of a page `browser` opens."""
    response = ask(app, browser, "GET", path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def details(**changes: str) -> dict[str, str]:
    """The details form as sent, with its fields prefixed."""
    fields = {
        "first_name": "Olena",
        "last_name": "Shevchenko",
        "phone": "+380 44 1",
        "email": EMAIL,
    }
    return {f"details-{name}": value for name, value in {**fields, **changes}.items()}


def new_password(current: str, new: str = "a brand new one") -> dict[str, str]:
    """The password form as sent."""
    return {"password-current": current, "password-password": new, "password-confirm": new}


def browser_signed_in_as(app, user: User, user_agent: str = "", remember: bool = False):
    """Another browser signed in as `user` through the sign-in form."""
    browser = app.test_client()
    data = {"username": user.username, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    headers = {"User-Agent": user_agent} if user_agent else {}
    assert ask(app, browser, "POST", "/login", data=data, headers=headers).status_code == 302
    return browser


@pytest.fixture
def me(signed_in, app):
    """A signed-in client, Olena Shevchenko (olena@example.com), whose record has a phone."""
    browser = signed_in("client")
    client = browser.user.client
    client.first_name, client.last_name, client.phone = "Olena", "Shevchenko", "+380 44 1"
    browser.user.first_name, browser.user.last_name = "Olena", "Shevchenko"
    browser.user.email = client.email = EMAIL
    db.session.commit()
    return browser


def test_the_page_shows_own_details_and_no_one_elses(app, me, make):
    """Does the account page show the client's own names, phone and email, and nothing of
    another client?"""
    other = make(User, email="someone.else@example.com")
    make(
        Client,
        first_name="Bohdan",
        last_name="Other",
        phone="+1 555",
        email=other.email,
        user=other,
    )
    browser_signed_in_as(app, other, FIREFOX)
    text = page(app, me)
    assert "Olena" in text and "Shevchenko" in text and "+380 44 1" in text
    assert me.user.email in text
    assert "Bohdan" not in text and "someone.else" not in text and "Firefox" not in text


def test_names_and_phone_save_on_the_record_and_the_account_audited(app, me):
    """Does a change of names and phone save on both the client record and the account, each
    in the audit log, the client sent back to the page?"""
    response = ask(
        app, me, "POST", "/me/account/details", data=details(first_name="Ola", phone="+380 1")
    )
    assert response.status_code == 302 and response.headers["Location"] == "/me/account"
    user, client = fresh(User, me.user.id), fresh(Client, me.user.client.id)
    assert (client.first_name, client.last_name, client.phone) == ("Ola", "Shevchenko", "+380 1")
    assert (user.first_name, user.last_name) == ("Ola", "Shevchenko")
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "update", AuditEntry.actor_id == user.id)
    ).all()
    assert {entry.entity for entry in entries} == {"clients", "users"}
    assert "Your details are saved" in page(app, me)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"first_name": ""}, "details-first_name"),
        ({"last_name": "   "}, "details-last_name"),
        ({"first_name": "Ol\x07ena"}, "details-first_name"),
        ({"last_name": "x" * 151}, "details-last_name"),
        ({"phone": "call me\x1b"}, "details-phone"),
        ({"phone": "1" * 33}, "details-phone"),
    ],
)
def test_bad_details_show_errors_beside_the_fields_and_change_nothing(app, me, changes, field):
    """Are an empty name, control characters and over-long values refused beside their field
    (and in the summary), the values kept, nothing written?"""
    audited = db.session.scalar(select(db.func.count()).select_from(AuditEntry))
    response = ask(app, me, "POST", "/me/account/details", data=details(**changes))
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="{field}-error"' in text and f'href="#{field}"' in text
    assert 'id="password-current-error"' not in text, "the other forms show no errors"
    client = fresh(Client, me.user.client.id)
    assert (client.first_name, client.last_name, client.phone) == (
        "Olena",
        "Shevchenko",
        "+380 44 1",
    )
    assert db.session.scalar(select(db.func.count()).select_from(AuditEntry)) == audited


@pytest.mark.parametrize(
    ("password", "message"),
    [("", "Confirm a new address with your password"), ("wrong", "not your current password")],
)
def test_an_email_change_needs_the_current_password(app, me, password, message):
    """Is a new address without the current password, or with a wrong one, refused on the
    password field saying which, no link sent?"""
    data = details(email="new@example.com", password=password)
    text = ask(app, me, "POST", "/me/account/details", data=data).get_data(as_text=True)
    assert 'id="details-password-error"' in text
    assert message in text
    assert mail.outbox() == []
    assert fresh(User, me.user.id).email != "new@example.com"


def test_an_email_change_sends_the_link_and_keeps_the_old_address_until_it_is_opened(app, me):
    """With the right password, does the link go to the new address, the page say so, and the
    account keep its old address until the link is opened?"""
    data = details(email="New@Example.com", password=PASSWORD)
    assert ask(app, me, "POST", "/me/account/details", data=data).status_code == 302
    message = mail.outbox()[-1]
    assert message["To"] == "new@example.com"
    text = page(app, me)
    assert "We sent a link to new@example.com" in text and f"writing to {EMAIL}" in text
    user = fresh(User, me.user.id)
    assert (user.email, user.client.email) == (EMAIL, EMAIL)
    link = re.search(r"https?://\S+", message.get_body(("plain",)).get_content()).group(0)
    ask(app, app.test_client(), "POST", link.split("localhost", 1)[1])
    user = fresh(User, me.user.id)
    assert (user.email, user.client.email) == ("new@example.com", "new@example.com")


def test_an_address_of_another_account_gets_the_usual_answer(app, me, make):
    """Is asking for another account's address answered as any change is ("we sent a
    link"), nothing changing, the address's owner told by email and the asker nothing?"""
    make(User, username="neighbour", email="taken@example.com", first_name="Secret")
    data = details(email="taken@example.com", password=PASSWORD)
    response = ask(app, me, "POST", "/me/account/details", data=data, follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "We sent a link to taken@example.com" in text
    assert "neighbour" not in text and "Secret" not in text
    assert [message["To"] for message in mail.outbox()] == ["taken@example.com"]
    assert "asked to use this email address" in mail.outbox()[0].get_content()
    assert fresh(User, me.user.id).email != "taken@example.com"


def test_the_sign_ins_list_shows_this_browser_and_another_never_a_token(app, me):
    """Does "where you are signed in" list this browser and another one (device, remembered),
    and never a sign-in's token or its hash?"""
    browser_signed_in_as(app, me.user, IPHONE, remember=True)
    text = page(app, me)
    section = text.split('id="sign-ins-heading"')[1].split("</section>")[0]
    assert section.count("<li>") == 2
    assert "(this browser)" in section and "Safari on iPhone" in section
    assert "kept signed in on this device" in section
    tokens = db.session.scalars(select(SignIn.token_hash)).all()
    cookie = me.get_cookie("session").value
    assert not any(token in text for token in tokens) and cookie not in text


def test_signing_out_everywhere_else_ends_the_other_browser_only(app, me):
    """Does "sign out everywhere else" send the other browser to sign in, this one staying?"""
    elsewhere = browser_signed_in_as(app, me.user, FIREFOX)
    assert ask(app, elsewhere, "GET", "/me/account").status_code == 200
    response = ask(app, me, "POST", "/me/account/sign-out-elsewhere")
    assert response.headers["Location"] == "/me/account"
    assert "signed out everywhere else" in page(app, me)
    refused = ask(app, elsewhere, "GET", "/me/account")
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/login")
    assert "Firefox" not in page(app, me)


def test_changing_the_password_works_and_ends_the_other_sign_ins(app, me):
    """Does the password change (with the current one) take, keep this browser, end the
    others, and refuse a wrong current password on its own field?"""
    elsewhere = browser_signed_in_as(app, me.user)
    wrong = ask(app, me, "POST", "/me/account/password", data=new_password("nope"))
    text = wrong.get_data(as_text=True)
    assert 'id="password-current-error"' in text and "not your current password" in text
    assert 'id="details-first_name-error"' not in text
    right = ask(app, me, "POST", "/me/account/password", data=new_password(PASSWORD))
    assert right.headers["Location"] == "/me/account"
    assert "Your password is changed" in page(app, me)
    assert ask(app, elsewhere, "GET", "/me/account").status_code == 302
    data = {"username": me.user.username, "password": "a brand new one"}
    assert ask(app, app.test_client(), "POST", "/login", data=data).status_code == 302


def test_mismatched_new_passwords_are_refused_beside_the_field(app, me):
    """Is a new password that does not match its repetition refused, the old one kept?"""
    data = {**new_password(PASSWORD), "password-confirm": "something else"}
    text = ask(app, me, "POST", "/me/account/password", data=data).get_data(as_text=True)
    assert 'id="password-confirm-error"' in text
    login = {"username": me.user.username, "password": PASSWORD}
    assert ask(app, app.test_client(), "POST", "/login", data=login).status_code == 302


def test_a_clients_old_password_page_leads_to_the_account_page(app, me):
    """Does a client opening /account/password land on /me/account, and the header's name
    link there?"""
    response = ask(app, me, "GET", "/account/password")
    assert response.status_code == 302 and response.headers["Location"] == "/me/account"
    assert 'href="/me/account" title="Your account"' in page(app, me, "/")


def test_staff_keep_their_password_page(app, signed_in):
    """Does a manager's /account/password still change the password, the header linking it?"""
    manager = signed_in("manager")
    text = page(app, manager, "/account/password")
    assert 'href="/account/password" title="Your account"' in text
    data = {"current": PASSWORD, "password": "a brand new one", "confirm": "a brand new one"}
    assert ask(app, manager, "POST", "/account/password", data=data).status_code == 302
    login = {"username": manager.user.username, "password": "a brand new one"}
    assert ask(app, app.test_client(), "POST", "/login", data=login).status_code == 302


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/me/account"),
        ("POST", "/me/account/details"),
        ("POST", "/me/account/password"),
        ("POST", "/me/account/sign-out-elsewhere"),
    ],
)
def test_only_signed_in_clients_may_use_the_account_page(app, signed_in, method, path):
    """Is an anonymous visitor sent to sign in, and a manager refused (403)?"""
    anonymous = ask(app, app.test_client(), method, path)
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/login")
    assert ask(app, signed_in("manager"), method, path).status_code == 403


def test_the_account_page_is_never_stored(app, me):
    """Is the page marked no-store (a shared computer's back button cannot show it)?"""
    assert ask(app, me, "GET", "/me/account").headers["Cache-Control"] == "no-store"


def a_client(make) -> str:
    """The username of a new client, Olena Shevchenko (olena@example.com), for an app of
    the test's own on the same database."""
    user = make(User, email=EMAIL)
    make(Client, first_name="Olena", last_name="Shevchenko", email=EMAIL, user=user)
    return user.username


def test_every_form_needs_its_csrf_token(database_url, make):
    """With CSRF protection on, are the forms refused without their token and accepted with
    the one the page gives each?"""
    username = a_client(make)
    app = create_app({**config.testing(database_url), "WTF_CSRF_ENABLED": True})
    browser = app.test_client()
    with app.app_context():
        login = browser.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
        data = {"username": username, "password": PASSWORD, "csrf_token": token}
        assert browser.post("/login", data=data).status_code == 302
    for path in ("/me/account/details", "/me/account/password", "/me/account/sign-out-elsewhere"):
        assert ask(app, browser, "POST", path, data=details()).status_code == 400
    text = page(app, browser)
    for prefix in ("details", "password", "elsewhere"):
        assert f'name="{prefix}-csrf_token"' in text
    token = re.search(r'name="details-csrf_token" type="hidden" value="([^"]+)"', text).group(1)
    sent = ask(
        app, browser, "POST", "/me/account/details", data={**details(), "details-csrf_token": token}
    )
    assert sent.status_code == 302


def test_wrong_passwords_on_the_account_page_count_as_failed_sign_ins(database_url, make):
    """Does a wrong current password here count against the account's failure limit, shared
    with the sign-in form (so a stolen session cannot guess the password without end)?"""
    app = create_app(
        {
            **config.testing(database_url),
            "RATELIMIT_ENABLED": True,
            "LOGIN_LIMIT_PER_IP": "1000 per minute",
            "LOGIN_LIMIT_PER_IP_ACCOUNT": "1000 per minute",
            "LOGIN_FAILURES_PER_ACCOUNT": "3 per minute",
        }
    )
    username = a_client(make)
    browser = app.test_client()
    right = {"username": username, "password": PASSWORD}
    assert ask(app, browser, "POST", "/login", data=right).status_code == 302
    wrong = {"username": username, "password": "wrong"}
    assert ask(app, app.test_client(), "POST", "/login", data=wrong).status_code == 200
    for _ in range(2):
        response = ask(app, browser, "POST", "/me/account/password", data=new_password("nope"))
        assert response.status_code == 200
    limited = ask(app, browser, "POST", "/me/account/password", data=new_password(PASSWORD))
    assert limited.status_code == 429
    email = details(email="new@example.com", password=PASSWORD)
    assert ask(app, browser, "POST", "/me/account/details", data=email).status_code == 429
    assert ask(app, app.test_client(), "POST", "/login", data=right).status_code == 429
    assert ask(app, browser, "GET", "/me/account").status_code == 200


def test_expired_and_ended_sign_ins_are_not_listed(app, me):
    """Are a sign-in older than the 30 days one may last, and one of an older `auth_version`,
    left out of the list (they open nothing either)?"""
    firefox = browser_signed_in_as(app, me.user, FIREFOX)
    iphone = browser_signed_in_as(app, me.user, IPHONE)
    db.session.rollback()
    month_ago = datetime.now(UTC) - timedelta(days=31)
    db.session.execute(
        update(SignIn).where(SignIn.user_agent == IPHONE).values(created_at=month_ago)
    )
    db.session.execute(update(SignIn).where(SignIn.user_agent == FIREFOX).values(auth_version=0))
    db.session.commit()
    assert [ask(app, b, "GET", "/me/account").status_code for b in (firefox, iphone)] == [302] * 2
    section = page(app, me).split('id="sign-ins-heading"')[1].split("</section>")[0]
    assert section.count("<li>") == 1 and "(this browser)" in section


@pytest.mark.parametrize(
    ("user_agent", "summary"),
    [
        (FIREFOX, "Firefox on Windows"),
        (IPHONE, "Safari on iPhone"),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0.0.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like "
            "Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
            "Edge on macOS",
        ),
        ("curl/8.5.0", "An unknown browser"),
        ("", "An unknown browser"),
    ],
)
def test_a_sign_in_is_named_by_its_browser_and_system(user_agent, summary):
    """Does the list name a sign-in as people say it ("Firefox on Windows")?"""
    assert describe_device(user_agent) == summary


def test_a_forgotten_password_field_is_not_a_failed_sign_in(database_url, make):
    """Does leaving the password out of an email change (a slip, not a guess) stay out of the
    account's failure count?"""
    app = create_app(
        {
            **config.testing(database_url),
            "RATELIMIT_ENABLED": True,
            "LOGIN_FAILURES_PER_ACCOUNT": "1 per minute",
        }
    )
    username = a_client(make)
    browser = app.test_client()
    signed = ask(app, browser, "POST", "/login", data={"username": username, "password": PASSWORD})
    assert signed.status_code == 302
    for _ in range(3):
        response = ask(app, browser, "POST", "/me/account/details", data=details(email="n@e.com"))
        assert response.status_code == 200
