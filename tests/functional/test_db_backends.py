"""stratus.db.Database against MariaDB and PostgreSQL, the multi-node choices.

Each test gets a throwaway database (``empty_database`` in conftest.py).

On these servers ``Database.write`` runs at SERIALIZABLE: a read that decides
a write cannot be stale, and the lost races surface as deadlocks (MariaDB
1213) or serialization failures (PostgreSQL 40001) that ``Database.write``
re-runs.
"""
import collections
import threading
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa

from stratus.db import Database

THREADS = 4
INCREMENTS = 25

METADATA = sa.MetaData()
COUNTER = sa.Table(
    "counter", METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("value", sa.Integer, nullable=False))


@pytest.fixture
def database_url(empty_database: str) -> str:
    """The URL of a fresh database holding COUNTER = 0."""
    setup = sa.create_engine(empty_database)
    METADATA.create_all(setup)
    with setup.begin() as conn:
        conn.execute(COUNTER.insert().values(id=1, value=0))
    setup.dispose()
    return empty_database


@pytest.fixture
def make_db(database_url: str) -> Iterator[Callable[..., Database]]:
    """Database(database_url, **kwargs), disposed after the test."""
    made = []

    def make(**kwargs) -> Database:
        made.append(Database(database_url, **kwargs))
        return made[-1]

    yield make
    for db in made:
        db.dispose()


def serializable(session) -> None:
    """Run the session's transaction at SERIALIZABLE (first statement only)."""
    session.connection(execution_options={"isolation_level": "SERIALIZABLE"})


def read_counter(session, lock: bool = False) -> int:
    query = sa.select(COUNTER.c.value).where(COUNTER.c.id == 1)
    if lock:
        query = query.with_for_update()
    return session.execute(query).scalar_one()


def write_counter(session, value: int) -> None:
    session.execute(COUNTER.update().where(COUNTER.c.id == 1).values(value=value))


def run_threads(count: int, body: Callable[[], None]) -> list[BaseException]:
    """Run ``body`` in ``count`` threads started together; the errors raised."""
    start = threading.Barrier(count, timeout=30)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            body()
        except BaseException as error:  # reported to the test, not lost
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def increments(db: Database, increment: Callable) -> Callable[[], None]:
    def body() -> None:
        for _ in range(INCREMENTS):
            db.write(increment)
    return body


def final_value(db: Database) -> int:
    with db.reader() as session:
        return read_counter(session)


def test_locking_reads_make_concurrent_increments_exact(make_db):
    db = make_db()

    def increment(session):
        write_counter(session, read_counter(session, lock=True) + 1)

    assert run_threads(THREADS, increments(db, increment)) == []
    assert final_value(db) == THREADS * INCREMENTS


def test_serializable_increments_are_exact_through_retries(make_db):
    # Every thread hits one row: retries pile up, so allow more than the
    # default budget; the point is that every lost race is re-run.
    db = make_db(max_retries=50)
    attempts = collections.Counter()

    def increment(session):
        attempts[threading.current_thread().name] += 1
        serializable(session)
        write_counter(session, read_counter(session) + 1)

    assert run_threads(THREADS, increments(db, increment)) == []
    assert final_value(db) == THREADS * INCREMENTS
    assert sum(attempts.values()) >= THREADS * INCREMENTS


def test_a_lost_lock_race_is_retried(make_db):
    """Two transactions both read, then both write: the server aborts one
    (MariaDB deadlock, PostgreSQL serialization failure) and Database.write
    re-runs it, which then sees the other's write."""
    db = make_db()
    both_read = threading.Barrier(2, timeout=30)
    attempts = collections.Counter()

    def increment(session):
        me = threading.current_thread().name
        attempts[me] += 1
        serializable(session)
        value = read_counter(session)
        if attempts[me] == 1:
            both_read.wait()
        write_counter(session, value + 1)

    assert run_threads(2, lambda: db.write(increment)) == []
    assert final_value(db) == 2
    assert sorted(attempts.values()) == [1, 2]


def test_plain_read_then_write_is_exact(make_db):
    """Writers run at SERIALIZABLE: a plain read that decides a write never
    loses an update (regression: the servers' default isolation lost 2/3)."""
    db = make_db(max_retries=50)

    def increment(session):
        write_counter(session, read_counter(session) + 1)

    assert run_threads(THREADS, increments(db, increment)) == []
    assert final_value(db) == THREADS * INCREMENTS
