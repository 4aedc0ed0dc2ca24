"""The system's own rows: the audit log, revoked tokens, browser sign-ins and the data
version the response cache keys on."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .columns import AUTOINCREMENT, UTCDateTime, utcnow

if TYPE_CHECKING:
    from .people import User


class AuditEntry(db.Model):
    """One change: who (none when the system did it), when, what, and the before/after."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_entity", "entity", "entity_id"), AUTOINCREMENT)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    action: Mapped[str] = mapped_column(String(50))
    entity: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    actor: Mapped[User | None] = relationship()


class RevokedToken(db.Model):
    """A JWT revoked before it expired (logout); kept until it would have expired anyway."""

    __tablename__ = "token_blocklist"
    __table_args__ = (AUTOINCREMENT,)

    id: Mapped[int] = mapped_column(primary_key=True)
    jti: Mapped[str] = mapped_column(String(64), unique=True)
    token_type: Mapped[str] = mapped_column(String(10))
    user_id: Mapped[int | None] = mapped_column(Integer)
    """Whose token it was; no foreign key, so that the revocation outlives the user."""
    revoked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class SignIn(db.Model):
    """One browser sign-in, checked on every request and removed at sign-out.

    The session and remember-me cookies carry its token; only a hash of it is stored, with the
    user's `auth_version` at the time (a later bump ends the sign-in).
    """

    __tablename__ = "sign_ins"
    __table_args__ = (AUTOINCREMENT,)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    auth_version: Mapped[int] = mapped_column(Integer)
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    user_agent: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class DataVersion(db.Model):
    """How many times the clinic's data has changed; exactly one row (id 1).

    Every unit of work that makes an audited change adds one inside its own transaction, so a
    reader that sees a change also sees the version it came with. The response cache keys on
    it (clinic/http/caching.py): an answer cached under an older version is never asked for again.
    """

    __tablename__ = "data_version"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
