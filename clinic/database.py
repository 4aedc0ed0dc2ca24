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

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, scoped_session

WRITE_LOCK = "clinic_write_lock"
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


def begin_write(session: Session | scoped_session) -> None:
    """Start the session's transaction holding the database's write lock (SQLite).

    Call it before the first read of a check-then-write (booking, rescheduling) so that the
    check and the write see the same data. A transaction already open is closed first: it has
    only read (callers commit their writes), and SQLite could not upgrade it safely. On
    PostgreSQL this is a plain transaction; the exclusion constraints settle races there.
    """
    if isinstance(session, scoped_session):
        session = session()
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={WRITE_LOCK: True})


@contextmanager
def writing(session: Session | scoped_session) -> Iterator[None]:
    """One change as one write transaction: commit at the end, roll back on any error."""
    begin_write(session)
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise
