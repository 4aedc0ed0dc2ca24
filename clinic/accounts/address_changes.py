"""Moving an account to another address. A change waits (`User.pending_email`) until its
holder confirms it by an emailed link: at the new address for their own change, at the
current one for a change the staff asked for (asked in `setup.clients`). The admin's override
for a dead address moves it at once. Whichever way, an email-shaped username follows the
address, and the old address is told."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .. import audit
from ..kernel.database import writing
from ..kernel.errors import Invalid, NotAllowed
from ..kernel.values import AnySession
from ..models import User
from ..scheduling import acting
from .emails import CHANGE_EMAIL, send_once_committed, user_for_token
from .sign_ins import end_all_sign_ins
from .users import check_unique, read_email


def confirm_email_change(session: AnySession, token: str) -> User:
    """Move the account to the address a change link names (the holder confirming: at the
    new address for their own change, at the current one for a change staff asked for); the
    link works once, and only for the change still waiting."""
    with writing(session):
        user = user_for_token(session, token, CHANGE_EMAIL)
        if user.pending_email is None:  # (the link's stamp names the change it was sent for)
            raise Invalid({"token": "This link has been used already; ask for a new one."})
        move_address(session, user, user.pending_email, None)
    return user


def move_address(session: AnySession, user: User, new_email: str, actor: User | None) -> None:
    """Make `new_email` the account's address (verified) and its client record's; an
    email-shaped username follows it, so the old address signs in no more; the old address
    is told once the unit commits. Audited as `actor` (None: the holder, by a link)."""
    check_unique(session, None, new_email, user)
    old_email = user.email
    before = audit.snapshot(user)
    user.email, user.pending_email = new_email, None
    user.email_verified_at = datetime.now(UTC)
    if "@" in user.username:
        user.username = new_email
        check_unique(session, new_email, new_email, user)
    audit.record(session, actor, "email", user, before)
    if user.client is not None:
        client_before = audit.snapshot(user.client)
        user.client.email = new_email
        audit.record(session, actor, "email", user.client, client_before)
    if old_email:
        send_once_committed(session, "address-changed", user, old_email)


def replace_dead_address(
    session: AnySession, user: User, new_email: Any, *, actor: User | None
) -> None:
    """An admin's override for a patient whose old address is dead: the account moves to
    `new_email` at once (no link can reach the holder), the old address is told, and every
    sign-in and token of the account ends. Audited as the admin; NotAllowed for anyone
    else."""
    if not acting(actor).overrides_addresses:
        raise NotAllowed("Only an admin can replace an account's address.")
    with writing(session):
        address = read_email(new_email)
        if address == (user.email or "").lower():
            raise Invalid({"email": "That is the account's address already."})
        move_address(session, user, address, actor)
        end_all_sign_ins(session, user)
