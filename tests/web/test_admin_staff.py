"""Can an admin list, create and change staff accounts — roles, the active switch, a reset
link or a temporary password — with every refusal explained, and does each change take hold
at once, on the website and in the API?"""

from __future__ import annotations

import re

import pytest
from flask_jwt_extended import create_access_token
from helpers import PASSWORD, bearer, fresh, text
from sqlalchemy import update

from clinic.extensions import db
from clinic.kernel import mail
from clinic.models import AuditEntry, Client, Role, User


def browser_of(app, user: User, password: str = PASSWORD):
    """A test client signed in as `user` through the sign-in form."""
    browser = app.test_client()
    response = browser.post("/login", data={"username": user.username, "password": password})
    assert response.status_code == 302, f"signing in as {user.username} failed"
    return browser


def new_staff(**changes) -> dict[str, str]:
    """The new-staff form, filled in."""
    return {
        "first_name": "Olha",
        "last_name": "Melnyk",
        "email": "olha@example.com",
        "username": "olha",
        "role": "manager",
        "password": "a-good-password",
        "confirm": "a-good-password",
        **changes,
    }


def edit_fields(user: User, **changes) -> dict[str, str]:
    """The edit form as the page shows it for `user`, with `changes`."""
    fields = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email or "",
        "username": user.username,
        "role": user.role.value,
        "active": "y" if user.active else "",
        **changes,
    }
    return {name: value for name, value in fields.items() if value != ""}


def edit(browser, user: User, **changes):
    return browser.post(f"/admin/staff/{user.id}/edit", data=edit_fields(user, **changes))


def test_the_list_shows_every_staff_account_and_no_patient(admin, make):
    """Does the staff list show admins and managers with name, email, role, active and a
    temporary-password mark, with links to edit and to the password page — and no client?"""
    olha = make(User, role="manager", username="olha", first_name="Olha", last_name="Melnyk")
    off = make(User, role="manager", username="taras", active=False, must_change_password=True)
    patient = make(User, role="client", username="patient-anna")
    page = text(admin.get("/admin/staff/"))
    for user in (admin.user, olha, off):
        assert f'href="/admin/staff/{user.id}/edit"' in page
        assert f'href="/admin/staff/{user.id}/password"' in page
    assert "Olha Melnyk" in page and olha.email in page and "Manager" in page
    assert "Switched off" in page and "Must change password at next sign-in" in page
    assert "patient-anna" not in page and f"/admin/staff/{patient.id}/" not in page
    assert "Patients' accounts are not staff" in page
    assert 'href="/admin/staff/new"' in page


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_an_admin_creates_a_manager_or_an_admin(app, admin, role):
    """Does the new-staff form create an account of the role chosen, audited, that signs in
    with the password given and lands in its area?"""
    response = admin.post("/admin/staff/new", data=new_staff(role=role))
    assert response.status_code == 302 and response.location == "/admin/staff/"
    user = db.session.query(User).filter_by(username="olha").one()
    assert (user.role, user.email, user.first_name, user.active) == (
        Role(role),
        "olha@example.com",
        "Olha",
        True,
    )
    entry = db.session.query(AuditEntry).filter_by(entity="users", entity_id=user.id).one()
    assert (entry.action, entry.actor_id) == ("create", admin.user.id)
    assert "password_hash" not in entry.after
    browser = browser_of(app, user, "a-good-password")
    home = "/admin/" if role == "admin" else "/desk/"
    assert browser.get(home).status_code == 200
    assert "can now sign in" in text(admin.get("/admin/staff/"))


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"username": "Taken"}, "username", "That username is taken."),
        ({"email": "TAKEN@example.com"}, "email", "There is already an account"),
        ({"password": "short", "confirm": "short"}, "password", "at least 8 characters"),
        ({"confirm": "something-else"}, "confirm", "The passwords do not match."),
        ({"username": "a b"}, "username", "letters, digits"),
        ({"email": "not-an-address"}, "email", "Invalid email address"),
    ],
)
def test_a_refused_new_account_says_why_beside_the_field(admin, make, changes, field, message):
    """Is a username or email someone has, a short or unmatched password, a bad username or
    address refused beside its field (400), keeping what was typed, with nothing written?"""
    make(User, role="client", username="taken", email="taken@example.com")
    before = db.session.query(User).count()
    response = admin.post("/admin/staff/new", data=new_staff(**changes))
    assert response.status_code == 400
    page = text(response)
    assert f'id="{field}-error"' in page and message in page
    assert 'value="Olha"' in page
    db.session.rollback()
    assert db.session.query(User).count() == before


def test_a_role_changes_from_admin_to_manager_and_back(admin, make):
    """Does the edit form make an admin a manager and back, saying what happened, audited?"""
    other = make(User, role="admin", first_name="Petro")
    response = edit(admin, other, role="manager")
    assert response.status_code == 302
    assert fresh(User, other.id).role is Role.MANAGER
    assert "is now a manager; their sessions and API tokens carry on with manager rights" in text(
        admin.get("/admin/staff/")
    )
    assert edit(admin, fresh(User, other.id), role="admin").status_code == 302
    assert fresh(User, other.id).role is Role.ADMIN
    actions = [
        entry.after["role"]
        for entry in db.session.query(AuditEntry)
        .filter_by(entity="users", entity_id=other.id, action="update")
        .order_by(AuditEntry.id)
    ]
    assert actions == ["manager", "admin"]


def test_names_email_and_username_change(admin, make):
    """Are names, email and username saved as typed?"""
    staff = make(User, role="manager")
    changes = {"first_name": "Iryna", "last_name": "Koval", "email": "iryna@example.com"}
    assert edit(admin, staff, username="iryna.k", **changes).status_code == 302
    saved = fresh(User, staff.id)
    assert (saved.username, saved.first_name, saved.last_name, saved.email) == (
        "iryna.k",
        "Iryna",
        "Koval",
        "iryna@example.com",
    )


@pytest.mark.parametrize("alone", [True, False], ids=["the only admin", "with another admin"])
def test_nobody_demotes_or_switches_off_themself(admin, make, alone):
    """Is an admin refused taking away their own admin role, or switching themself off —
    whether or not they are the last active admin — beside the field (400), nothing
    written, still an admin?"""
    if not alone:
        make(User, role="admin")
    me = admin.user
    demoted = edit(admin, me, role="manager")
    assert demoted.status_code == 400
    assert 'id="role-error"' in text(demoted) and "your own admin role" in text(demoted)
    off = admin.post(f"/admin/staff/{me.id}/edit", data=edit_fields(me, active=""))
    assert off.status_code == 400
    assert 'id="active-error"' in text(off) and "switch off your own account" in text(off)
    saved = fresh(User, me.id)
    assert (saved.role, saved.active) == (Role.ADMIN, True)
    assert admin.get("/admin/").status_code == 200


def made_manager_meanwhile(monkeypatch, user_id: int) -> None:
    """Have `user_id` made a manager by someone else while the next edit is under way (after
    the page let the request in, before it saves), as when two admins demote each other at
    once."""
    from clinic.web.admin import staff as views

    looked_up = views.staff_user

    def and_meanwhile(staff_id: int) -> User:
        found = looked_up(staff_id)
        with db.engine.begin() as elsewhere:
            elsewhere.execute(update(User).where(User.id == user_id).values(role=Role.MANAGER))
        return found

    monkeypatch.setattr(views, "staff_user", and_meanwhile)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [({"role": "manager"}, "cannot be made a manager"), ({"active": ""}, "cannot be switched off")],
)
def test_the_last_active_admin_is_neither_demoted_nor_switched_off(
    admin, make, monkeypatch, changes, reason
):
    """When two admins demote each other at once, is the second demotion (or switching off)
    of what is now the last active admin refused with the reason (409), nothing written?"""
    other = make(User, role="admin", username="petro")
    before = db.session.query(AuditEntry).count()
    made_manager_meanwhile(monkeypatch, admin.user.id)
    response = edit(admin, other, **changes)
    assert response.status_code == 409
    page = text(response)
    assert "This is the last active admin" in page and reason in page
    saved = fresh(User, other.id)
    assert (saved.role, saved.active) == (Role.ADMIN, True)
    db.session.rollback()
    assert db.session.query(AuditEntry).count() == before


def test_a_client_or_unknown_id_is_not_a_staff_account(admin, make):
    """Do a client's id and an unknown id answer 404 on the edit and password pages?"""
    patient = make(User, role="client")
    make(Client, user=patient, email=patient.email)
    for user_id in (patient.id, 9999):
        assert admin.get(f"/admin/staff/{user_id}/edit").status_code == 404
        assert admin.get(f"/admin/staff/{user_id}/password").status_code == 404
        assert admin.post(f"/admin/staff/{user_id}/edit", data={}).status_code == 404
    assert fresh(User, patient.id).role is Role.CLIENT


def test_switching_someone_off_ends_their_sign_in(app, admin, make):
    """Does switching a manager off sign their browser out (sent to sign in on their next
    request), end their API token, keep them from signing in, and say so?"""
    staff = make(User, role="manager", first_name="Taras", last_name="Bulba")
    browser, token = browser_of(app, staff), create_access_token(identity=staff)
    assert browser.get("/desk/").status_code == 200
    response = edit(admin, staff, active="")
    assert response.status_code == 302
    assert "switched off: signed out everywhere" in text(admin.get("/admin/staff/"))
    assert not fresh(User, staff.id).active
    sent = browser.get("/desk/")
    assert sent.status_code == 302 and sent.location.startswith("/login")
    assert app.test_client().get("/api/v1/me/", headers=bearer(token)).status_code == 401
    refused = app.test_client().post(
        "/login", data={"username": staff.username, "password": PASSWORD}
    )
    assert refused.status_code != 302
    assert edit(admin, fresh(User, staff.id), active="y").status_code == 302
    assert browser_of(app, fresh(User, staff.id)).get("/desk/").status_code == 200


def test_a_demotion_takes_hold_at_once_on_the_website_and_the_api(app, admin, make):
    """Does a demoted admin's browser get 403 on /admin/ on its very next request, and their
    API token 403 on an admin-only endpoint — while both still work at the desk?"""
    other = make(User, role="admin")
    browser, token = browser_of(app, other), create_access_token(identity=other)
    api = app.test_client()
    assert browser.get("/admin/").status_code == 200
    assert api.get("/api/v1/managers/", headers=bearer(token)).status_code == 200
    assert edit(admin, other, role="manager").status_code == 302
    assert browser.get("/admin/").status_code == 403
    assert api.get("/api/v1/managers/", headers=bearer(token)).status_code == 403
    assert browser.get("/desk/").status_code == 200
    assert api.get("/api/v1/clients/", headers=bearer(token)).status_code == 200
    assert edit(admin, fresh(User, other.id), role="admin").status_code == 302
    assert browser.get("/admin/").status_code == 200


def test_a_promotion_takes_hold_at_once(app, admin, make):
    """Does a manager made an admin reach /admin/ and the admin-only API at once, without
    signing in again?"""
    staff = make(User, role="manager")
    browser, token = browser_of(app, staff), create_access_token(identity=staff)
    assert browser.get("/admin/").status_code == 403
    assert edit(admin, staff, role="admin").status_code == 302
    assert browser.get("/admin/").status_code == 200
    api = app.test_client()
    assert api.get("/api/v1/managers/", headers=bearer(token)).status_code == 200


def test_the_password_page_offers_both_ways_each_its_own_form(app, admin, make):
    """Does the password page offer the reset link and the temporary password as two forms,
    each with its own CSRF token and button, saying sessions and tokens end — and is a post
    without the token refused, nothing sent?"""
    app.config["WTF_CSRF_ENABLED"] = True
    staff = make(User, role="manager", email="olha@example.com")
    page = text(admin.get(f"/admin/staff/{staff.id}/password"))
    assert page.count('<form method="post" novalidate>') == 2
    token = re.search(r'name="reset-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert 'name="temporary-csrf_token"' in page
    assert 'name="action" value="reset"' in page and 'name="action" value="temporary"' in page
    assert "olha@example.com" in page
    assert "every sign-in of" in page and "API tokens stop working" in page
    mail.outbox().clear()
    forged = admin.post(f"/admin/staff/{staff.id}/password", data={"action": "reset"})
    assert forged.status_code == 400 and mail.outbox() == []
    sent = admin.post(
        f"/admin/staff/{staff.id}/password", data={"action": "reset", "reset-csrf_token": token}
    )
    assert sent.status_code == 302 and len(mail.outbox()) == 1


def test_a_temporary_password_must_be_changed_before_anything_else(app, admin, make):
    """After an admin sets a temporary password: do the user's old sessions end, does
    signing in with it land on /account/password, does every desk and admin page send them
    there, does the API login refuse it (401, saying why) — and after they choose their own
    does everything work?"""
    staff = make(User, role="admin", username="petro", email="petro@example.com")
    old = browser_of(app, staff)
    response = admin.post(
        f"/admin/staff/{staff.id}/password",
        data={
            "action": "temporary",
            "temporary-password": "temporary-123",
            "temporary-confirm": "temporary-123",
        },
    )
    assert response.status_code == 302
    assert "has a temporary password" in text(admin.get("/admin/staff/"))
    assert fresh(User, staff.id).must_change_password
    assert old.get("/admin/").location.startswith("/login")

    browser = app.test_client()
    signed = browser.post("/login", data={"username": "petro", "password": "temporary-123"})
    assert signed.location == "/account/password"
    for path in ("/admin/", "/admin/staff/", "/desk/", "/desk/clients/"):
        assert browser.get(path).location == "/account/password", path
    api = app.test_client()
    login = api.post("/api/v1/login/", json={"username": "petro", "password": "temporary-123"})
    assert login.status_code == 401 and "temporary" in login.get_json()["message"]

    chosen = browser.post(
        "/account/password",
        data={"current": "temporary-123", "password": "my-own-pass", "confirm": "my-own-pass"},
    )
    assert chosen.status_code == 302
    assert not fresh(User, staff.id).must_change_password
    assert browser.get("/admin/").status_code == 200
    login = api.post("/api/v1/login/", json={"username": "petro", "password": "my-own-pass"})
    assert login.status_code == 200


def test_a_refused_temporary_password_says_why_and_changes_nothing(admin, make):
    """Is a short or unmatched temporary password refused beside its field (400), the
    user's password and sessions untouched?"""
    staff = make(User, role="manager")
    version = staff.auth_version
    for password, confirm, message in (
        ("short", "short", "at least 8 characters"),
        ("long-enough-1", "long-enough-2", "The passwords do not match."),
    ):
        response = admin.post(
            f"/admin/staff/{staff.id}/password",
            data={
                "action": "temporary",
                "temporary-password": password,
                "temporary-confirm": confirm,
            },
        )
        assert response.status_code == 400 and message in text(response)
    saved = fresh(User, staff.id)
    assert saved.auth_version == version and not saved.must_change_password


def test_a_reset_link_is_emailed_and_ends_their_sessions(app, admin, make):
    """Does "Email a password-reset link" send the user a link (which lets them choose a new
    password), end their browser's sign-in at once, and say so?"""
    staff = make(User, role="manager", email="olha@example.com")
    browser = browser_of(app, staff)
    mail.outbox().clear()
    response = admin.post(f"/admin/staff/{staff.id}/password", data={"action": "reset"})
    assert response.status_code == 302
    assert "A link to choose a new password went to olha@example.com" in text(
        admin.get("/admin/staff/")
    )
    [message] = mail.outbox()
    assert message["To"] == "olha@example.com"
    assert browser.get("/desk/").location.startswith("/login")
    link = re.search(r"https?://[^/\s]+(/reset/\S+)", message.get_content()).group(1)
    chosen = app.test_client().post(
        link, data={"password": "brand-new-1", "confirm": "brand-new-1"}
    )
    assert chosen.status_code == 302
    assert browser_of(app, fresh(User, staff.id), "brand-new-1").get("/desk/").status_code == 200


def test_without_an_address_there_is_no_reset_link(admin, make):
    """For an account without an email, does the page say so (no reset button), and is a
    posted reset refused (400) with nothing sent and no sign-in ended?"""
    staff = make(User, role="manager", email=None)
    version = staff.auth_version
    page = text(admin.get(f"/admin/staff/{staff.id}/password"))
    assert "has no email address" in page and 'value="reset"' not in page
    mail.outbox().clear()
    response = admin.post(f"/admin/staff/{staff.id}/password", data={"action": "reset"})
    assert response.status_code == 400 and "no email address" in text(response)
    assert mail.outbox() == [] and fresh(User, staff.id).auth_version == version


def test_only_admins_open_the_staff_pages(client, signed_in, make):
    """Are the staff pages closed to anonymous visitors (sign in) and managers (403)?"""
    staff = make(User, role="manager")
    manager = signed_in("manager")
    for path in (
        "/admin/staff/",
        "/admin/staff/new",
        f"/admin/staff/{staff.id}/edit",
        f"/admin/staff/{staff.id}/password",
    ):
        assert client.get(path).location.startswith("/login"), path
        assert manager.get(path).status_code == 403, path


def test_a_password_form_with_no_known_button_is_a_bad_request(admin, make):
    """Is a post to the password page naming neither of its two actions a 400, changing
    nothing?"""
    staff = make(User, role="manager")
    version = staff.auth_version
    response = admin.post(f"/admin/staff/{staff.id}/password", data={"action": "delete"})
    assert response.status_code == 400
    assert fresh(User, staff.id).auth_version == version


def test_a_reset_email_that_could_not_be_sent_is_said(admin, make, monkeypatch):
    """When the mail server refuses the reset email, does the page say it was not sent (rather
    than that a link went out)?"""
    staff = make(User, role="manager", email="olha@example.com")
    monkeypatch.setattr("clinic.kernel.mail.send_or_log", lambda *args, **kwargs: False)
    response = admin.post(
        f"/admin/staff/{staff.id}/password", data={"action": "reset"}, follow_redirects=True
    )
    page = text(response)
    assert "could not be sent" in page and "went to" not in page
