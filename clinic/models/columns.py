"""The column types and helpers every model uses: UTC timestamps, clinic wall-clock times
(with a fast SQLite reader), portable enums, ids never reused, and how names compare."""

from __future__ import annotations

import enum
import unicodedata
from datetime import UTC, datetime

from sqlalchemy import DateTime, Enum, TypeDecorator
from sqlalchemy.dialects import sqlite


def comparison_key(text: str) -> str:
    """How names compare: NFKC-normalised and case-folded (`ADMIN` is `admin`)."""
    return unicodedata.normalize("NFKC", text).casefold()


def utcnow() -> datetime:
    """The current moment, aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """An aware UTC datetime, stored naive (in UTC) so both databases store it alike."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("a UTC timestamp needs an aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


# Clinic wall-clock time to the second. On SQLite it is stored as "YYYY-MM-DD HH:MM:SS", the
# form a person writes in SQL too, so that the overlap triggers compare like with like; read
# back by SQLAlchemy's own (compiled) ISO parser.
LocalDateTime = DateTime().with_variant(sqlite.DATETIME(truncate_microseconds=True), "sqlite")

AUTOINCREMENT = {"sqlite_autoincrement": True}
"""Ids are never reused: SQLite would otherwise hand a deleted row's id to the next one."""


def enum_column(kind: type[enum.StrEnum], name: str) -> Enum:
    """A portable enum column: VARCHAR with a CHECK of the values."""
    return Enum(
        kind,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )
