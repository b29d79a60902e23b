"""Engine and session factory. Nothing is created at import time."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session, create_engine

from app.settings import Settings

SQLITE_BUSY_TIMEOUT_MS = 10_000
SQLITE_CACHE_KIB = 8 * 1024
PG_CONNECT_TIMEOUT_SECONDS = 10


def make_engine(settings: Settings, **kwargs: Any) -> Engine:
    url = settings.effective_database_url
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            **kwargs,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    # A server that does not answer (down, or a network that drops packets) is reported
    # after this many seconds instead of the operating system's minutes.
    kwargs.setdefault("connect_args", {"connect_timeout": PG_CONNECT_TIMEOUT_SECONDS})
    engine = create_engine(url, **kwargs)
    event.listen(engine, "connect", _postgresql_settings)
    return engine


def _postgresql_settings(dbapi_connection: Any, _record: Any) -> None:
    # psycopg prepares a statement on the server after a few runs, and PostgreSQL then
    # may switch to a generic plan made without the parameters' values: for a query whose
    # best plan depends on them (whose tasks, which month) it can be many times slower.
    # Plans are made for the values of each run instead.
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET plan_cache_mode = force_custom_plan")
    dbapi_connection.commit()


def reachable(engine: Engine) -> bool:
    """True when the database answers a trivial query."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except (OperationalError, InterfaceError, PoolTimeout):
        return False
    return True


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling is kept: it begins a transaction at the first
    # write statement, so a request that reads and then writes takes the write lock at
    # once and waits on the busy timeout instead of failing with "database is locked"
    # on a lock upgrade (bench/sqlite_concurrency.py measures this).
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # 8 MB of page cache per connection (the default is 2 MB): enough for the indexes a page
    # reads; the rest comes from the operating system's file cache. Each pooled connection
    # keeps its own cache, so this times the pool's size is what the server's memory grows by.
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.close()


def new_session(engine: Engine) -> Session:
    return Session(engine, expire_on_commit=False)


KEPT = "overgang.kept"
Write = Callable[[Session], object]


def keep(session: Session, write: Write) -> None:
    """Writes that stand whatever becomes of the unit of work they are made in: a refusal's
    event and audit rows, a failed login's counters. `write` is applied now, and applied again
    after the unit of work is rolled back, so it must build fresh rows each time it runs."""
    write(session)
    session.info.setdefault(KEPT, []).append(write)


AT_COMMIT = "overgang.at_commit"


def at_commit(session: Session, write: Write) -> None:
    """A write made when the unit of work commits rather than now: a read's audit row. A
    SQLite transaction holds the database's one write lock from its first write to its
    commit; a page whose only write is its audit row, made first, would hold it while it
    reads and renders, and every other request's write would wait for it. Dropped when the
    unit of work fails, as an unflushed row is."""
    session.info.setdefault(AT_COMMIT, []).append(write)


def finish(session: Session, *, success: bool) -> None:
    """Ends a unit of work: commit on success (with the writes left `at_commit`); otherwise
    roll back and commit only the kept writes. Services never commit; requests
    (web/routing.py), jobs and commands end here."""
    kept: list[Write] = session.info.pop(KEPT, [])
    deferred: list[Write] = session.info.pop(AT_COMMIT, [])
    if success:
        for write in deferred:
            write(session)
        session.commit()
        return
    session.rollback()
    if kept:
        for write in kept:
            write(session)
        session.commit()


def insert_new(session: Session, table: Any, rows: list[dict[str, Any]],
               unique: list[str]) -> None:
    """INSERT … ON CONFLICT DO NOTHING on the `unique` columns (SQLite and PostgreSQL): rows
    another request made at the same moment are left as they are, and the unit of work goes on."""
    if not rows:
        return
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(table).values(rows).on_conflict_do_nothing(index_elements=unique))


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """A unit of work outside a request (a job run, a CLI command): commit on success, roll
    back on error."""
    session = new_session(engine)
    try:
        yield session
    except BaseException:
        finish(session, success=False)
        raise
    else:
        finish(session, success=True)
    finally:
        session.close()
