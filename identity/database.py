"""The identity database, with change counters for cache invalidation.

Two rows of :class:`models.Generation` count changes, each bumped in the
same transaction as the change:

* ``DATA`` — anything about users, projects, roles, grants, the catalog…
  Every cached fact (and every cached token built from facts) is stale once
  it moves.
* ``REVOCATIONS`` — a token revoked on its own (``DELETE /v3/auth/tokens``).
  Cached tokens then only need their revocation re-checked, not rebuilt.

Any process can read both with one cheap query per request.
"""
import threading
from collections.abc import Callable
from typing import NamedTuple, TypeVar

import sqlalchemy as sa
from sqlalchemy import orm

from identity import models
from stratus import db

T = TypeVar("T")

DATA = 1
REVOCATIONS = 2
_READ_SQL = "SELECT id, value FROM generation"


class Counters(NamedTuple):
    data: int
    revocations: int


def _bump(session: orm.Session, counter: int) -> None:
    bumped = session.execute(sa.update(models.Generation).where(
        models.Generation.id == counter).values(value=models.Generation.value + 1))
    if bumped.rowcount == 0:
        session.add(models.Generation(id=counter, value=1))


class IdentityDatabase(db.Database):

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._local = threading.local()

    def write(self, fn: Callable[[orm.Session], T], revocations_only: bool = False) -> T:
        """:meth:`stratus.db.Database.write`, bumping the DATA counter, or only
        the REVOCATIONS counter when ``fn`` does nothing but revoke tokens."""
        counter = REVOCATIONS if revocations_only else DATA

        def bump_then(session: orm.Session) -> T:
            _bump(session, counter)
            return fn(session)
        return super().write(bump_then)

    def counters(self) -> Counters:
        """The current change counters (0 before the first write).

        Read over a connection this thread keeps in autocommit mode: one
        statement, no transaction bookkeeping, so always the latest commit.
        """
        try:
            rows = self._read_counters()
        except Exception:
            self._drop_connection()
            rows = self._read_counters()
        values = dict(rows)
        return Counters(values.get(DATA, 0), values.get(REVOCATIONS, 0))

    def _read_counters(self):
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._autocommit_connection()
        cursor = conn.cursor()
        try:
            cursor.execute(_READ_SQL)
            return cursor.fetchall()
        finally:
            cursor.close()

    def _autocommit_connection(self):
        conn = self.engine.raw_connection()
        driver = conn.driver_connection
        if self.is_sqlite:
            pass  # the engine's connect hook already left it in autocommit mode
        elif callable(getattr(driver, "autocommit", None)):
            driver.autocommit(True)  # PyMySQL
        else:
            driver.autocommit = True  # psycopg2
        return conn

    def _drop_connection(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            try:
                conn.invalidate()
            except Exception:  # a broken connection may fail to close too
                pass

    def dispose(self) -> None:
        self._drop_connection()
        super().dispose()
