"""The signed-in browsers the page tests share: an admin, a manager at the desk, a patient."""

from __future__ import annotations

import pytest


@pytest.fixture
def admin(signed_in):
    """An admin signed in."""
    return signed_in("admin")


@pytest.fixture
def desk(signed_in):
    """A manager signed in at the desk."""
    return signed_in("manager")


@pytest.fixture
def patient(signed_in):
    """A signed-in client (a test client with `.user` and `.user.client`)."""
    return signed_in("client")
