"""How the app talks to its database engine: the SQLite recipe, units of work, and the data
version every commit of a change moves on (the response cache keys on it).

SQLite has no exclusion constraints, so a change must hold the write lock from its first read
to its commit; otherwise two processes can both see a slot free and both book it. pysqlite's
own transaction handling cannot do that, so it is switched off and SQLAlchemy's `begin` event
emits BEGIN IMMEDIATE (take the write lock now) for a unit of work (`writing`) and a plain BEGIN
otherwise, so that reads never queue behind each other. See SQLAlchemy's "Serializable
isolation / Savepoints / Transactional DDL" recipe for pysqlite.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event, update
from sqlalchemy.orm import Session, scoped_session

from ..models import DataVersion, RevokedToken, SignIn
from .signals import clinic_changed

log = logging.getLogger(__name__)
WRITE_LOCK = "clinic_write_lock"
DEPTH = "clinic_unit_depth"
CHANGES = "clinic_unit_changes"
DOOMED = "clinic_unit_doomed"
COMMITTING = "clinic_unit_committing"
DATA_CHANGED = "clinic_data_changed"
BOOKKEEPING = frozenset(model.__tablename__ for model in (SignIn, RevokedToken, DataVersion))
"""Tables whose rows no answer to a visitor shows: writing them leaves the data version be."""
NEXT_VERSION = update(DataVersion).values(version=DataVersion.version + 1)
VERSION_QUERY = f"SELECT version FROM {DataVersion.__tablename__} WHERE id = 1"
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


def plain_session(session: Session | scoped_session) -> Session:
    """The session itself behind a scoped session."""
    return session() if isinstance(session, scoped_session) else session


def in_unit(session: Session | scoped_session) -> bool:
    """Whether a unit of work (`writing`) is open on the session."""
    return plain_session(session).info.get(DEPTH, 0) > 0


def note_change(session: Session | scoped_session, change: Any) -> None:
    """Remember what the open unit changed, for `clinic_changed` once it commits."""
    plain_session(session).info.setdefault(CHANGES, []).append(change)


@contextmanager
def writing(session: Session | scoped_session) -> Iterator[None]:
    """One change as one unit of work, all or nothing; re-entrant.

    The outermost unit ends any read transaction already open (a view, flask-login or the
    context processor may have read; SQLite cannot safely upgrade a read to a write), then
    holds the write lock (BEGIN IMMEDIATE on SQLite) until it commits, and after the commit
    tells the receivers of `clinic_changed` what changed. A nested unit joins the outer one: it
    neither commits nor rolls back, and a refusal inside it dooms the whole unit, even if the
    caller catches it. On PostgreSQL the transaction is a plain one: the exclusion constraints
    settle overlaps, and the advisory locks of `scheduling.locks` the checks that span rows.
    """
    session = plain_session(session)
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
    _end_read(session)
    session.info.update({DEPTH: 1, CHANGES: []})
    try:
        session.connection(execution_options={WRITE_LOCK: True})
        yield
        doomed = session.info.get(DOOMED)
        if doomed is not None:
            raise doomed
        session.info[COMMITTING] = True
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        changes = session.info.pop(CHANGES, [])
        for key in (DOOMED, COMMITTING):
            session.info.pop(key, None)
        session.info[DEPTH] = 0
    _tell(session, changes)


def _end_read(session: Session) -> None:
    """End the read transaction a unit starts after; changes made outside any unit are a
    mistake (they would be saved unaudited), so they are refused, not saved."""
    pending = [
        *session.new,
        *session.deleted,
        *(row for row in session.dirty if session.is_modified(row)),
    ]
    if pending or session.in_transaction():
        session.rollback()
    if pending:
        raise RuntimeError(f"changes outside a unit of work: {pending[:3]!r}")


def _tell(session: Session, changes: list[Any]) -> None:
    """Send `clinic_changed` to each receiver on its own: the change is committed, so a
    receiver's failure is logged and neither reaches the caller nor stops the others."""
    if not changes:
        return
    for receiver in clinic_changed.receivers_for(session):
        try:
            receiver(session, changes=changes)
        except Exception:
            log.exception("A receiver of clinic_changed failed: %r", receiver)


@event.listens_for(Session, "before_commit")
def _refuse_commit_inside_a_unit(session: Session) -> None:
    """Only the outermost unit commits: a commit from inside one would save half of it.
    (Releasing a savepoint inside a unit is fine: it commits nothing.)"""
    if (
        session.info.get(DEPTH)
        and not session.info.get(COMMITTING)
        and not session.in_nested_transaction()
    ):
        raise RuntimeError("commit inside a unit of work; only the outermost unit commits")


@event.listens_for(Session, "before_flush")
def _remember_data_changes(session: Session, _context, _instances) -> None:
    """Note that this transaction changes the clinic's data (anything but sign-in bookkeeping),
    so that its commit moves the data version on."""
    if session.info.get(DATA_CHANGED):
        return
    changed = [
        *session.new,
        *session.deleted,
        *(row for row in session.dirty if session.is_modified(row)),
    ]
    if any(getattr(row, "__tablename__", None) not in BOOKKEEPING for row in changed):
        session.info[DATA_CHANGED] = True


@event.listens_for(Session, "do_orm_execute")
def _remember_statement_changes(state) -> None:
    """The same for an INSERT, UPDATE or DELETE statement run through the session."""
    if (state.is_insert or state.is_update or state.is_delete) and not state.session.info.get(
        DATA_CHANGED
    ):
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) not in BOOKKEEPING:
            state.session.info[DATA_CHANGED] = True


@event.listens_for(Session, "before_commit")
def _move_the_data_version_on(session: Session) -> None:
    """Add one to the data version in the same transaction as a change to the clinic's data,
    whoever commits it (a unit of work, a command, a test), so that no commit can leave the
    version behind its data; the row is updated last, so its lock is held only while
    committing."""
    if session.in_nested_transaction():
        return
    session.flush()
    if session.info.pop(DATA_CHANGED, False):
        session.connection().execute(NEXT_VERSION)  # on the transaction's connection, as Core


@event.listens_for(Session, "after_transaction_end")
def _forget_data_changes(session: Session, transaction) -> None:
    """A transaction that ended without a commit changed nothing; a savepoint rolled back
    inside it leaves what the transaction changed before it."""
    if transaction.parent is None:
        session.info.pop(DATA_CHANGED, None)


def read_data_version(engine: Engine) -> int:
    """The data version, read on a pooled connection of its own (a twentieth of the cost of a
    session's query). Read before a view reads anything, whatever the view then reads is at
    least as new as the version it is kept under: never older."""
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(VERSION_QUERY)
        (version,) = cursor.fetchone()
        cursor.close()
    finally:
        connection.close()
    return version
