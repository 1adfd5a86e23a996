"""Several processes writing one SQLite file at once, as a service's API
workers, conductor and agents do when SQLite is the embedded default.

OpenStack on SQLite loses work here ('database is locked', lost updates).
Each worker process runs short write transactions through
``stratus.db.Database.write`` - each reads a counter, writes it back plus one
(the pattern that loses updates when two transactions interleave) and logs
the value it saw - with a read transaction now and then; the test checks that
none failed and none was lost.  The same kind of load on a plain
``sa.create_engine`` shows what the engine settings buy.
"""
import multiprocessing
import queue
import time
import traceback
from functools import partial

import pytest
import sqlalchemy as sa

from stratus.db import Database

PROCESSES = 6
TRANSACTIONS = 200
PLAIN_TRANSACTIONS = 20
JOIN_TIMEOUT = 120

METADATA = sa.MetaData()
COUNTER = sa.Table(
    "counter", METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("value", sa.Integer, nullable=False))
INCREMENTS = sa.Table(
    "increments", METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("worker", sa.Integer, nullable=False),
    sa.Column("seen", sa.Integer, nullable=False))


def increment(conn, worker: int) -> None:
    """Read the counter, write it back plus one, and log the value seen."""
    seen = conn.execute(sa.select(COUNTER.c.value).where(COUNTER.c.id == 1)).scalar_one()
    conn.execute(COUNTER.update().where(COUNTER.c.id == 1).values(value=seen + 1))
    conn.execute(INCREMENTS.insert().values(worker=worker, seen=seen))


def count_increments(conn) -> int:
    return conn.execute(sa.select(sa.func.count()).select_from(INCREMENTS)).scalar_one()


def stratus_worker(url: str, worker: int, count: int) -> int:
    """``count`` increments through Database.write, with a read now and then."""
    db = Database(url)
    try:
        for i in range(count):
            db.write(partial(increment, worker=worker))
            if i % 10 == 0:
                with db.reader() as session:
                    count_increments(session)
    finally:
        db.dispose()
    return 0


def plain_worker(url: str, worker: int, count: int) -> int:
    """``count`` increments on a default engine; returns how many raised."""
    engine = sa.create_engine(url)
    errors = 0
    try:
        for _ in range(count):
            try:
                with engine.begin() as conn:
                    increment(conn, worker)
            except sa.exc.OperationalError:
                errors += 1
    finally:
        engine.dispose()
    return errors


def run_worker(target, url, worker, count, barrier, results) -> None:
    """Child process body: wait for every sibling, run, report (result, error)."""
    try:
        barrier.wait(timeout=JOIN_TIMEOUT)
        results.put((worker, target(url, worker, count), None))
    except BaseException:
        results.put((worker, None, traceback.format_exc()))


def run_processes(target, url: str, count: int) -> list[int]:
    """Run ``target`` in PROCESSES fresh processes at once; their results.

    The processes come from a fork server: like spawn, they inherit nothing
    from pytest's process (no engine, no threads), but sqlalchemy and
    stratus.db are imported once in the server instead of once per child.
    Fails the test with the child's traceback if a child raised, and at once
    if one died without reporting.
    """
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["sqlalchemy", "stratus.db"])
    barrier = ctx.Barrier(PROCESSES)
    results = ctx.Queue()
    procs = [ctx.Process(target=run_worker,
                         args=(target, url, worker, count, barrier, results))
             for worker in range(PROCESSES)]
    for proc in procs:
        proc.start()
    try:
        reports = collect_reports(procs, results)
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
            proc.join(timeout=JOIN_TIMEOUT)
    errors = [f"worker {worker}:\n{error}" for worker, (_, error) in reports.items() if error]
    assert not errors, "\n".join(errors)
    return [result for _, (result, _) in sorted(reports.items())]


def collect_reports(procs, results) -> dict[int, tuple]:
    """Every worker's (result, error), failing fast when one vanished."""
    reports: dict[int, tuple] = {}
    deadline = time.monotonic() + JOIN_TIMEOUT
    while len(reports) < len(procs):
        try:
            worker, result, error = results.get(timeout=1.0)
            reports[worker] = (result, error)
            continue
        except queue.Empty:
            pass
        # A child flushes its report before it exits, so an exited child
        # still missing after a full second of silence died without one.
        vanished = [worker for worker, proc in enumerate(procs)
                    if worker not in reports and proc.exitcode is not None]
        if vanished:
            pytest.fail(f"workers {vanished} exited without reporting "
                        f"(exit codes {[procs[w].exitcode for w in vanished]})")
        if time.monotonic() > deadline:
            pytest.fail(f"workers still running after {JOIN_TIMEOUT} s")
    return reports


def create_schema(engine: sa.Engine) -> None:
    METADATA.create_all(engine)
    with engine.begin() as conn:
        conn.execute(COUNTER.insert().values(id=1, value=0))


def read_outcome(engine: sa.Engine) -> tuple[int, list[int]]:
    with engine.connect() as conn:
        value = conn.execute(sa.select(COUNTER.c.value)).scalar_one()
        seen = conn.execute(sa.select(INCREMENTS.c.seen).order_by(INCREMENTS.c.seen))
        return value, list(seen.scalars())


def test_processes_writing_one_sqlite_file_lose_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'service.sqlite'}"
    db = Database(url)
    create_schema(db.engine)

    run_processes(stratus_worker, url, TRANSACTIONS)

    total = PROCESSES * TRANSACTIONS
    value, seen = read_outcome(db.engine)
    db.dispose()
    assert value == total
    # Each increment saw a different value: the transactions ran one after
    # another, never interleaved.
    assert seen == list(range(total))


def test_default_engine_loses_updates_under_such_load(tmp_path):
    """Why Database exists: pysqlite's defaults run the read outside the
    write transaction, so concurrent increments overwrite each other (and
    writers may also give up with 'database is locked')."""
    url = f"sqlite:///{tmp_path / 'plain.sqlite'}"
    engine = sa.create_engine(url)
    create_schema(engine)

    errors = sum(run_processes(plain_worker, url, PLAIN_TRANSACTIONS))

    value, _ = read_outcome(engine)
    engine.dispose()
    assert errors > 0 or value < PROCESSES * PLAIN_TRANSACTIONS
