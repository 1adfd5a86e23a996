"""stratus.db.Database against MariaDB and PostgreSQL, the multi-node choices.

Each test gets a throwaway database ``stratus_test_<random>`` on the server
named by ``STRATUS_TEST_MYSQL_URL`` (default ``mysql+pymysql://root@127.0.0.1/``)
or ``STRATUS_TEST_POSTGRESQL_URL`` (default
``postgresql+psycopg2://postgres@127.0.0.1/postgres``), dropped afterwards.
An unreachable server skips its tests, unless ``STRATUS_REQUIRE_DBS=1``, which
makes it a failure.

On these servers ``Database.write`` runs at the server's default isolation
(REPEATABLE READ on MariaDB, READ COMMITTED on PostgreSQL): unlike SQLite's
``BEGIN IMMEDIATE``, that does not serialize a read-then-write.  Such code
must lock what it reads (``with_for_update()``) or run at SERIALIZABLE, where
the lost races surface as deadlocks (MariaDB 1213) or serialization failures
(PostgreSQL 40001) that ``Database.write`` re-runs.
"""
import collections
import os
import threading
import uuid
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa

from stratus.db import Database

SERVERS = {
    "mysql": ("STRATUS_TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1/"),
    "postgresql": ("STRATUS_TEST_POSTGRESQL_URL",
                   "postgresql+psycopg2://postgres@127.0.0.1/postgres"),
}
CONNECT_TIMEOUT = 5
THREADS = 4
INCREMENTS = 25

METADATA = sa.MetaData()
COUNTER = sa.Table(
    "counter", METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("value", sa.Integer, nullable=False))


def server_unavailable(backend: str, url: sa.URL, error: BaseException) -> None:
    reason = f"{backend} server {url.render_as_string()} unavailable: {error}"
    if os.environ.get("STRATUS_REQUIRE_DBS") == "1":
        pytest.fail(f"{reason} (STRATUS_REQUIRE_DBS=1)")
    pytest.skip(reason)


@pytest.fixture(params=sorted(SERVERS))
def server(request) -> Iterator[sa.Engine]:
    """An AUTOCOMMIT engine on the backend's server, skipping if unreachable."""
    variable, default = SERVERS[request.param]
    url = sa.make_url(os.environ.get(variable, default))
    try:
        engine = sa.create_engine(url, isolation_level="AUTOCOMMIT",
                                  connect_args={"connect_timeout": CONNECT_TIMEOUT})
        with engine.connect():
            pass
    except (ImportError, sa.exc.DBAPIError) as error:
        server_unavailable(request.param, url, error)
    yield engine
    engine.dispose()


@pytest.fixture
def database_url(server: sa.Engine) -> Iterator[str]:
    """The URL of a fresh database holding COUNTER = 0; dropped afterwards."""
    name = f"stratus_test_{uuid.uuid4().hex[:12]}"
    with server.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    url = server.url.set(database=name).render_as_string(hide_password=False)
    setup = sa.create_engine(url)
    METADATA.create_all(setup)
    with setup.begin() as conn:
        conn.execute(COUNTER.insert().values(id=1, value=0))
    setup.dispose()
    try:
        yield url
    finally:
        force = " WITH (FORCE)" if server.dialect.name == "postgresql" else ""
        with server.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE {name}{force}")


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
