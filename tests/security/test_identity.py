"""Identities: ids never reused, revocations that outlive their user, tokens and sessions
bound to the account's auth_version, usernames compared as people read them."""

from __future__ import annotations

import pytest
from flask_jwt_extended import create_access_token
from helpers import bearer
from sqlalchemy import select

from clinic import accounts, setup
from clinic.extensions import db
from clinic.kernel.errors import Invalid
from clinic.models import RevokedToken, Role, User


def test_a_deleted_accounts_id_is_never_given_again(app, make):
    """A deleted manager's id handed to the next new account would hand it their tokens."""
    admin = make(User, role="admin")
    gone = make(User, role="manager")
    gone_id = gone.id
    setup.remove_staff_user(db.session, gone_id, actor=None)
    assert db.session.get(User, gone_id) is None
    newcomer = setup.create_user(
        db.session, username="next", role=Role.MANAGER, password="long enough", actor=admin
    )
    assert newcomer.id > gone_id


def test_a_deleted_accounts_old_token_opens_nothing(app, client, make):
    """A token of a deleted account must not work for whoever comes next."""
    gone = make(User, role="manager")
    token = create_access_token(identity=gone)
    setup.remove_staff_user(db.session, gone.id)
    make(User, role="manager")
    assert client.get("/api/v1/me/", headers=bearer(token)).status_code == 401


def test_a_revocation_outlives_its_user(app, client, make):
    """Deleting a user must not delete their revoked tokens (which would revive them)."""
    gone = make(User, role="manager")
    token = create_access_token(identity=gone)
    assert client.post("/api/v1/auth/logout/", headers=bearer(token)).status_code == 200
    setup.remove_staff_user(db.session, gone.id)
    assert db.session.scalar(select(RevokedToken.user_id)) == gone.id


def test_a_token_without_auth_version_is_refused(app, client, make):
    """A token minted before auth_version existed (no `av` claim) is refused."""
    user = make(User, role="manager")
    old = create_access_token(identity=user, additional_claims={"av": None})
    assert client.get("/api/v1/me/", headers=bearer(old)).status_code == 401


def test_a_password_change_ends_every_token(app, client, make):
    """Tokens issued before a password change stop working at once."""
    user = make(User, role="manager")
    token = create_access_token(identity=user)
    assert client.get("/api/v1/me/", headers=bearer(token)).status_code == 200
    accounts.set_password(db.session, user, "a new password")
    assert client.get("/api/v1/me/", headers=bearer(token)).status_code == 401


def test_switching_an_account_off_and_on_does_not_revive_its_tokens(app, client, make):
    """A token from before a deactivation stays dead when the account is switched on again."""
    admin = make(User, role="admin")
    manager = make(User, role="manager")
    token = create_access_token(identity=manager)
    setup.update_staff_user(db.session, manager, {"active": False}, actor=admin)
    setup.update_staff_user(db.session, manager, {"active": True}, actor=admin)
    assert client.get("/api/v1/me/", headers=bearer(token)).status_code == 401


@pytest.mark.parametrize("variant", ["ADMIN", " admin ", "\uff41dmin", "Admin"])
def test_usernames_that_read_alike_cannot_stand_side_by_side(app, make, variant):
    """`ADMIN` or a fullwidth `admin` beside `admin` would let one impersonate the other."""
    make(User, role="admin", username="admin")
    with pytest.raises(Invalid, match="taken"):
        setup.create_user(db.session, username=variant, role=Role.MANAGER, password="long enough")


@pytest.mark.parametrize("variant", ["ADMIN", " admin ", "\uff41dmin"])
def test_signing_in_takes_the_username_as_people_read_it(app, make, variant):
    """Sign-in by any spelling of the same name reaches the same account (and its limits)."""
    user = make(User, role="admin", username="admin")
    assert accounts.find_user(db.session, variant) == user


def test_an_email_shaped_username_must_be_ones_own_address(app, make):
    """A username squatting someone else's address would break their sign-in by email."""
    make(User, role="client", email="olena@example.com")
    with pytest.raises(Invalid, match="own address"):
        accounts.register_client(
            db.session,
            username="olena@example.com",
            email="mallory@example.com",
            password="long enough",
        )
    with pytest.raises(Invalid, match="own address"):
        setup.create_user(
            db.session,
            username="someone@example.com",
            role=Role.MANAGER,
            password="long enough",
            email="other@example.com",
        )


def test_a_removed_then_restored_manager_gets_no_old_token_back(app, client, make):
    """Deactivating by DELETE, then switching back on, must not revive the old tokens."""
    admin = make(User, role="admin")
    manager = make(User, role="manager")
    token = create_access_token(identity=manager)
    setup.save_client(db.session, None, {"first_name": "A", "last_name": "B"}, actor=manager)
    assert setup.remove_staff_user(db.session, manager.id, actor=admin) is setup.Removal.DEACTIVATED
    setup.update_staff_user(db.session, manager, {"active": True}, actor=admin)
    assert client.get("/api/v1/me/", headers=bearer(token)).status_code == 401


def test_a_nul_in_a_username_is_a_wrong_sign_in_not_a_server_error(app, client, make):
    """A NUL in the typed username (PostgreSQL refuses it) must answer as a wrong sign-in."""
    make(User, role="admin", username="admin")
    assert client.post("/login", data={"username": "ad\x00min", "password": "x"}).status_code == 200
    assert accounts.find_user(db.session, "ad\x00min") is None
