"""How the app talks to its database engine: the SQLite recipe and write transactions.

SQLite has no exclusion constraints, so a booking must hold the write lock from its first read
to its commit; otherwise two processes can both see a slot free and both book it. pysqlite's
own transaction handling cannot do that, so it is switched off and SQLAlchemy's `begin` event
emits BEGIN IMMEDIATE (take the write lock now) for booking writes and a plain BEGIN otherwise,
so that reads never queue behind each other. See SQLAlchemy's "Serializable isolation /
Savepoints / Transactional DDL" recipe for pysqlite.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, scoped_session

from .signals import clinic_changed

WRITE_LOCK = "clinic_write_lock"
DEPTH = "clinic_unit_depth"
CHANGES = "clinic_unit_changes"
DOOMED = "clinic_unit_doomed"
BUSY_TIMEOUT_MS = 30_000


def configure_engine(engine: Engine) -> None:
    """Install the SQLite recipe on an engine; other databases need nothing."""
    if engine.dialect.name != "sqlite":
        return
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)


def _sqlite_connect(dbapi_connection, _record) -> None:
    """Every new SQLite connection: our own transactions, WAL, a long busy wait, foreign keys."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(connection) -> None:
    """Begin as asked: BEGIN IMMEDIATE when the connection was taken for a write."""
    if connection.get_execution_options().get(WRITE_LOCK):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.exec_driver_sql("BEGIN")


def _plain(session: Session | scoped_session) -> Session:
    """The session itself behind a scoped session."""
    return session() if isinstance(session, scoped_session) else session


def in_unit(session: Session | scoped_session) -> bool:
    """Whether a unit of work (`writing`) is open on the session."""
    return _plain(session).info.get(DEPTH, 0) > 0


def note_change(session: Session | scoped_session, change: Any) -> None:
    """Remember what the open unit changed, for `clinic_changed` once it commits."""
    _plain(session).info.setdefault(CHANGES, []).append(change)


@contextmanager
def writing(session: Session | scoped_session) -> Iterator[None]:
    """One change as one unit of work, all or nothing; re-entrant.

    The outermost unit ends any read transaction already open (a view, flask-login or the
    context processor may have read; SQLite cannot safely upgrade a read to a write), then
    holds the write lock (BEGIN IMMEDIATE on SQLite) until it commits, and after the commit
    sends `clinic_changed` with what changed. A nested unit joins the outer one: it neither
    commits nor rolls back, and a refusal inside it dooms the whole unit, even if the caller
    catches it. On PostgreSQL the transaction is a plain one; the exclusion constraints settle
    races there.
    """
    session = _plain(session)
    depth = session.info.get(DEPTH, 0)
    if depth:
        session.info[DEPTH] = depth + 1
        try:
            yield
        except BaseException as error:
            session.info.setdefault(DOOMED, error)
            raise
        finally:
            session.info[DEPTH] = depth
        return
    if session.in_transaction():
        session.commit()
    session.info[DEPTH] = 1
    session.info[CHANGES] = []
    try:
        session.connection(execution_options={WRITE_LOCK: True})
        yield
        doomed = session.info.get(DOOMED)
        if doomed is not None:
            raise doomed
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        changes = session.info.pop(CHANGES, [])
        session.info.pop(DOOMED, None)
        session.info[DEPTH] = 0
    if changes:
        clinic_changed.send(session, changes=changes)
