"""Clients, managers and the signed-in user, in and out."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from ...accounts import MAX_PASSWORD_LENGTH
from ...kernel.values import limit
from ...models import Client, User
from .fields import In, text


class ClientOut(ma.Schema):
    pk = fields.Integer(attribute="id")
    first_name = fields.String()
    last_name = fields.String()
    phone = fields.String()
    email = fields.String(allow_none=True)
    pending_email = fields.Function(
        lambda client: client.user.pending_email if client.user_id else None,
        allow_none=True,
        metadata={
            "description": "The address a change waits to move the account to, until its "
            "holder confirms it by the emailed link (additive to the original)"
        },
    )


class ManagerOut(ma.Schema):
    pk = fields.Integer(attribute="id")
    username = fields.String()
    first_name = fields.String()
    last_name = fields.String()
    email = fields.String(allow_none=True)
    active = fields.Boolean()


class UserOut(ma.Schema):
    id = fields.Integer()
    username = fields.String()
    first_name = fields.String()
    last_name = fields.String()
    email = fields.String(allow_none=True)
    role = fields.Function(
        lambda user: user.role.value, metadata={"enum": ["admin", "manager", "client"]}
    )


class ClientIn(In):
    first_name = text(limit(Client.first_name), required=True, minimum=1)
    last_name = text(limit(Client.last_name), required=True, minimum=1)
    phone = text(limit(Client.phone))
    email = text(
        limit(Client.email),
        allow_none=True,
        metadata={
            "description": "For a client with an account, a new address is emailed a "
            "confirmation link and changes once it is opened"
        },
    )
    password = text(
        MAX_PASSWORD_LENGTH,
        load_only=True,
        metadata={"description": "Your password: a client confirms a new address with it"},
    )


class ManagerIn(In):
    username = text(limit(User.username), required=True)
    first_name = text(limit(User.first_name))
    last_name = text(limit(User.last_name))
    email = text(limit(User.email), allow_none=True)
    password = text(MAX_PASSWORD_LENGTH, required=True, load_only=True)
    repeat_password = text(MAX_PASSWORD_LENGTH, required=True, load_only=True)


class ManagerPatch(In):
    username = text(limit(User.username))
    first_name = text(limit(User.first_name))
    last_name = text(limit(User.last_name))
    email = text(limit(User.email), allow_none=True)
    active = fields.Boolean()
    password = text(MAX_PASSWORD_LENGTH, load_only=True)
    repeat_password = text(MAX_PASSWORD_LENGTH, load_only=True)
