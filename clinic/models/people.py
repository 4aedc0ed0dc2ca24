"""Who signs in (users, with their role) and who is booked (clients)."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..extensions import db
from .columns import AUTOINCREMENT, UTCDateTime, comparison_key, enum_column, utcnow


class Role(enum.StrEnum):
    """What a user may do: admin everything, manager the front desk, client their own data."""

    ADMIN = "admin"
    MANAGER = "manager"
    CLIENT = "client"


class User(UserMixin, db.Model):
    """Someone who signs in: staff (admin, manager) or a client."""

    __tablename__ = "users"
    __table_args__ = (AUTOINCREMENT,)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    username_key: Mapped[str] = mapped_column(String(150), unique=True)
    """The username NFKC-normalised and case-folded: what uniqueness and sign-in compare."""
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    first_name: Mapped[str] = mapped_column(String(150), default="")
    last_name: Mapped[str] = mapped_column(String(150), default="")
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    auth_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    """Carried by every sign-in and token; bumped to end them all (password change, sign out
    everywhere, switched off)."""
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    """The password is a temporary one an admin set: its owner chooses their own first."""
    pending_email: Mapped[str | None] = mapped_column(String(254))
    """The address a change waits to move the account to (asked by its holder and confirmed at
    the new address, or asked by staff and confirmed at the current one); none waits."""

    client: Mapped[Client | None] = relationship(back_populates="user")

    @property
    def full_name(self) -> str:
        """First and last name, or the username when both are empty."""
        return f"{self.first_name} {self.last_name}".strip() or self.username

    @property
    def is_active(self) -> bool:
        """flask-login asks: the admin's switch."""
        return self.active

    __eq__ = object.__eq__  # one object per row in a session; UserMixin would compare get_id
    __hash__ = object.__hash__
    sign_in_token = None
    """The token of the sign-in this user object came through (not stored; see sign_ins)."""

    def get_id(self) -> str:
        """flask-login keeps this in the session and the remember-me cookie: the sign-in's
        token, never the user's id, so that signing out ends the cookie's worth."""
        if not self.sign_in_token:
            raise RuntimeError("sign in through sign_ins.start_sign_in first")
        return self.sign_in_token

    @validates("username")
    def _keep_username_key(self, _field: str, username: str) -> str:
        """Every username carries its comparison key."""
        self.username_key = comparison_key(username)
        return username


class Client(db.Model):
    """A patient who is booked; may have a user account of their own."""

    __tablename__ = "clients"
    __table_args__ = (AUTOINCREMENT,)

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(150))
    last_name: Mapped[str] = mapped_column(String(150))
    phone: Mapped[str] = mapped_column(String(32), default="")
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User | None] = relationship(back_populates="client")

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"
