"""Nobody fills a stranger's inbox: every kind of account email to one address counts in one
limit (ACCOUNT_MAIL_LIMIT, a few an hour), past which nothing more goes there while every page
answers as always; the API's registration takes JSON only."""

from __future__ import annotations

import pytest

from clinic.kernel import mail
from clinic.models import Role, User

VICTIM = "victim@example.com"
LIMIT = 5
"""ACCOUNT_MAIL_LIMIT's default: 5 an hour."""


@pytest.fixture
def victim(make) -> User:
    return make(User, role=Role.CLIENT, username="victim", email=VICTIM)


def to_victim() -> int:
    return sum(1 for message in mail.outbox() if message["To"].lower() == VICTIM)


def test_sixty_requests_of_three_kinds_send_a_few_mails(client, victim):
    """Attack: 20 resets, 20 web registrations ("you already have an account") and 20 API
    registrations of the victim's address, in a minute from one address, spelled in any
    case. The victim gets LIMIT mails; each request is answered as always."""
    for n in range(20):
        spelled = VICTIM.upper() if n % 2 else VICTIM
        reset = client.post("/reset", data={"email": spelled})
        assert "Check your email" in reset.get_data(as_text=True)
        registered = client.post(
            "/register",
            data={
                "first_name": "A",
                "last_name": "B",
                "email": spelled,
                "password": "long enough",
                "confirm": "long enough",
            },
        )
        assert "Check your email" in registered.get_data(as_text=True)
        answer = client.post("/api/v1/register/", json={"username": f"x{n}", "email": spelled})
        assert answer.status_code == 201
    assert to_victim() == LIMIT


def test_resets_from_many_addresses_count_as_one(client, victim):
    """Attack: 99 resets spread over five source addresses: still LIMIT mails."""
    for n in range(99):
        client.post(
            "/reset", data={"email": VICTIM}, environ_base={"REMOTE_ADDR": f"10.9.0.{n % 5}"}
        )
    assert to_victim() == LIMIT


def test_other_addresses_are_not_held_back(client, victim, make):
    """Does one address's limit leave another address's mail alone?"""
    other = make(User, role=Role.CLIENT, username="other", email="other@example.com")
    for _ in range(LIMIT + 2):
        client.post("/reset", data={"email": VICTIM})
    client.post("/reset", data={"email": other.email})
    assert [m["To"] for m in mail.outbox()][-1] == other.email


def test_the_api_registration_takes_json_only(client):
    """The contract never took form data at /register/: a form post is 415, nothing made or
    mailed."""
    answer = client.post(
        "/api/v1/register/", data={"username": "petro", "email": "petro@example.com"}
    )
    assert answer.status_code == 415
    assert mail.outbox() == []


def test_tags_of_one_inbox_share_its_limit(client):
    """Attack: register victim+0@, victim+1@, ... (one inbox, many spellings)."""
    for n in range(LIMIT + 3):
        client.post(
            "/api/v1/register/", json={"username": f"x{n}", "email": f"victim+{n}@example.com"}
        )
    assert len(mail.outbox()) == LIMIT


def test_a_spent_limit_does_not_silence_the_notice_that_an_account_moved(client, make):
    """Attack: spend the victim's share with anonymous resets, then move their account (as
    staff would ask, and the victim confirms). The old address still hears of it."""
    from clinic.accounts import address_changes
    from clinic.extensions import db

    victim = make(User, role=Role.CLIENT, username="victim", email=VICTIM)
    for _ in range(LIMIT):
        client.post("/reset", data={"email": VICTIM})
    address_changes.replace_dead_address(db.session, victim, "new@example.com", actor=None)
    assert mail.outbox()[-1]["To"] == VICTIM
    assert "has changed" in mail.outbox()[-1]["Subject"]
