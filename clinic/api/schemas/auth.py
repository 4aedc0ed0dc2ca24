"""Signing in, tokens, registration and activation."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from ...accounts import MAX_PASSWORD_LENGTH
from ...kernel.values import limit
from ...models import Client, User
from .fields import In, text
from .people import UserOut

MAX_TOKEN_LENGTH = 4096
"""Tokens (JWTs and signed links) are far shorter; this only bounds what is read."""


class TokensOut(ma.Schema):
    access = fields.String()
    refresh = fields.String()
    user = fields.Nested(UserOut)


class AccessOut(ma.Schema):
    access = fields.String()


class MessageOut(ma.Schema):
    message = fields.String()


class RegisteredUserOut(UserOut):
    """The account as registered; its id comes with sign-in, so that the answer never tells
    whether the address had an account already."""

    class Meta:
        exclude = ("id",)


class RegisteredOut(ma.Schema):
    message = fields.String()
    user = fields.Nested(RegisteredUserOut)


class LoginIn(In):
    username = text(limit(User.username), required=True)
    password = text(MAX_PASSWORD_LENGTH, required=True, load_only=True)


class RefreshIn(In):
    refresh = text(
        MAX_TOKEN_LENGTH, metadata={"description": "A refresh token (or send it as Bearer)"}
    )


class RegisterIn(In):
    username = text(limit(User.username), required=True)
    email = text(limit(User.email), required=True)
    password = text(
        MAX_PASSWORD_LENGTH,
        load_only=True,
        metadata={"description": "Optional: without one, the emailed link lets its owner choose"},
    )
    first_name = text(limit(User.first_name))
    last_name = text(limit(User.last_name))
    phone = text(limit(Client.phone))


class ActivateQuery(In):
    token = text(MAX_TOKEN_LENGTH, required=True)
