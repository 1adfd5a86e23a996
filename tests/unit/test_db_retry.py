"""stratus.db.retry: which errors are lock races, and how they are re-run."""
import sqlite3

import pytest
from sqlalchemy import exc

from stratus.db import retry


class FakeMySQLError(Exception):
    """Shaped as PyMySQL's errors: ``args == (code, message)``."""


class FakePostgresError(Exception):
    """Shaped as psycopg2's errors: a ``pgcode`` attribute."""

    def __init__(self, pgcode: str):
        super().__init__(f"pgcode {pgcode}")
        self.pgcode = pgcode


def dbapi_error(orig: BaseException) -> exc.DBAPIError:
    """``orig`` wrapped as SQLAlchemy wraps driver errors."""
    integrity = isinstance(orig, sqlite3.IntegrityError)
    wrapper = exc.IntegrityError if integrity else exc.OperationalError
    return wrapper("UPDATE counter SET value = 1", {}, orig)


LOCK_CONFLICTS = [
    sqlite3.OperationalError("database is locked"),
    sqlite3.OperationalError("database table is locked"),
    sqlite3.OperationalError("Database is busy"),
    FakeMySQLError(1213, "Deadlock found when trying to get lock"),
    FakeMySQLError(1205, "Lock wait timeout exceeded"),
    FakePostgresError("40001"),
    FakePostgresError("40P01"),
]

NOT_LOCK_CONFLICTS = [
    sqlite3.OperationalError("no such table: counter"),
    sqlite3.IntegrityError("UNIQUE constraint failed: user.name"),
    FakeMySQLError(1062, "Duplicate entry"),
    FakeMySQLError(2013, "Lost connection to MySQL server"),
    FakePostgresError("23505"),
]


@pytest.mark.parametrize("orig", LOCK_CONFLICTS, ids=repr)
def test_lock_conflicts_are_recognised(orig):
    assert retry.is_lock_conflict(dbapi_error(orig))


@pytest.mark.parametrize("orig", NOT_LOCK_CONFLICTS, ids=repr)
def test_other_database_errors_are_not_lock_conflicts(orig):
    assert not retry.is_lock_conflict(dbapi_error(orig))


def test_errors_outside_the_database_layer_are_not_lock_conflicts():
    assert not retry.is_lock_conflict(sqlite3.OperationalError("database is locked"))
    assert not retry.is_lock_conflict(RuntimeError("database is locked"))


class FlakyTransaction:
    """Fails with ``error`` on its first ``failures`` calls, then returns 'done'."""

    def __init__(self, failures: int, error: BaseException):
        self.failures = failures
        self.error = error
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return "done"


LOCKED = dbapi_error(sqlite3.OperationalError("database is locked"))


def test_run_returns_at_once_without_conflict():
    fn = FlakyTransaction(0, LOCKED)
    assert retry.run(fn, max_retries=3) == "done"
    assert fn.calls == 1


def test_run_reruns_after_lock_conflicts():
    fn = FlakyTransaction(3, LOCKED)
    assert retry.run(fn, max_retries=3) == "done"
    assert fn.calls == 4


def test_run_raises_the_conflict_when_retries_are_exhausted():
    fn = FlakyTransaction(10, LOCKED)
    with pytest.raises(exc.OperationalError, match="database is locked"):
        retry.run(fn, max_retries=2)
    assert fn.calls == 3


def test_run_with_zero_retries_calls_once():
    fn = FlakyTransaction(1, LOCKED)
    with pytest.raises(exc.OperationalError):
        retry.run(fn, max_retries=0)
    assert fn.calls == 1


def test_run_does_not_retry_other_database_errors():
    fn = FlakyTransaction(1, dbapi_error(sqlite3.IntegrityError("UNIQUE constraint failed")))
    with pytest.raises(exc.IntegrityError, match="UNIQUE"):
        retry.run(fn, max_retries=5)
    assert fn.calls == 1


def test_run_does_not_retry_non_database_errors():
    fn = FlakyTransaction(1, ValueError("bad input"))
    with pytest.raises(ValueError):
        retry.run(fn, max_retries=5)
    assert fn.calls == 1
