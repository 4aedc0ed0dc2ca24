"""Accounts: users and who may sign in (users), registering and verifying (registration),
passwords, browser sign-ins kept on the server (sign_ins), the emailed links and account mail
(emails), and moving an account to another address (address_changes). The doors import this
surface."""

from .passwords import change_own_password, reset_password, set_password
from .registration import (
    activate,
    client_record_for,
    expire_unverified,
    register_client,
    verify_email,
)
from .users import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    Verdict,
    authenticate,
    check_email_shaped,
    check_unique,
    find_by_email,
    find_user,
    password_matches,
    read_email,
    read_name,
    read_password,
    read_username,
)

__all__ = [
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "Verdict",
    "activate",
    "authenticate",
    "change_own_password",
    "check_email_shaped",
    "check_unique",
    "client_record_for",
    "expire_unverified",
    "find_by_email",
    "find_user",
    "password_matches",
    "read_email",
    "read_name",
    "read_password",
    "read_username",
    "register_client",
    "reset_password",
    "set_password",
    "verify_email",
]
