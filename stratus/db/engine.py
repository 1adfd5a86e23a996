"""Engines and transactions.

SQLite is the embedded default and must survive several processes writing at
once.  Three things make that work:

* WAL mode, so readers never block the writer;
* write transactions start with ``BEGIN IMMEDIATE``: the write lock is taken
  up front, so a transaction never has to *upgrade* a read snapshot, which
  SQLite refuses at once (``database is locked``) whatever the busy timeout;
* a busy timeout while waiting for the lock, and a bounded retry of the whole
  transaction if it still loses (see :mod:`stratus.db.retry`).

MariaDB and PostgreSQL are reached by URL with a normal connection pool;
their write transactions run at SERIALIZABLE, so a read that decides a write
is never stale: a lost race fails and the whole transaction is re-run.
"""
import contextlib
import os
from collections.abc import Callable, Iterator
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy import event, orm

from stratus.db import retry

T = TypeVar("T")


class Database:
    """One service's database: an engine plus reader and writer transactions."""

    def __init__(self, url: str, busy_timeout: float = 30.0, max_retries: int = 20,
                 pool_size: int = 5, recycle: int = 3600):
        self.url = sa.engine.make_url(url)
        self.max_retries = max_retries
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        if self.is_sqlite:
            self.engine = _sqlite_engine(self.url, busy_timeout)
        else:
            self.engine = sa.create_engine(
                self.url, pool_size=pool_size, max_overflow=2 * pool_size,
                pool_recycle=recycle, pool_pre_ping=True)
        self._reader = orm.sessionmaker(bind=self.engine, expire_on_commit=False)
        # A writer never acts on a stale read: SQLite takes the write lock up
        # front; the servers run writers at SERIALIZABLE, where a lost race
        # fails (deadlock / serialization failure) and write() re-runs it.
        writer_options = ({"sqlite_begin": "BEGIN IMMEDIATE"} if self.is_sqlite
                          else {"isolation_level": "SERIALIZABLE"})
        self._writer = orm.sessionmaker(
            bind=self.engine.execution_options(**writer_options),
            expire_on_commit=False)

    @classmethod
    def from_conf(cls, conf) -> "Database":
        from stratus.config import database_url
        db = conf.database
        return cls(database_url(conf), busy_timeout=db.sqlite_busy_timeout,
                   max_retries=db.max_retries, pool_size=db.pool_size,
                   recycle=db.connection_recycle_time)

    @contextlib.contextmanager
    def reader(self) -> Iterator[orm.Session]:
        """A session for reads; rolled back at the end."""
        with self._reader() as session:
            yield session

    @contextlib.contextmanager
    def writer(self) -> Iterator[orm.Session]:
        """A session holding the write lock (SQLite); committed on success.

        Prefer :meth:`write`, which also retries lost lock races.
        """
        with self._writer() as session, session.begin():
            yield session

    def write(self, fn: Callable[[orm.Session], T]) -> T:
        """Run ``fn(session)`` in one write transaction, retrying lock conflicts.

        ``fn`` may run more than once, so it must not have side effects
        outside the session.
        """
        def attempt():
            with self.writer() as session:
                return fn(session)
        return retry.run(attempt, self.max_retries)

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_engine(url, busy_timeout: float) -> sa.Engine:
    if url.database and url.database != ":memory:":
        os.makedirs(os.path.dirname(os.path.abspath(url.database)), exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": busy_timeout,
                                                     "check_same_thread": False})
    else:
        engine = sa.create_engine(url, connect_args={"check_same_thread": False},
                                  poolclass=sa.pool.StaticPool)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        if url.database and url.database != ":memory:":
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql(conn.get_execution_options().get("sqlite_begin", "BEGIN"))

    return engine
