"""Retrying transactions that lost a lock race.

The conflicts retried are those where re-running the same transaction is the
right answer: SQLite ``database is locked``/``busy``, MySQL/MariaDB deadlock
(1213) and lock wait timeout (1205), PostgreSQL serialization failure
(40001) and deadlock (40P01).
"""
import random
import time
from collections.abc import Callable
from typing import TypeVar

from oslo_log import log
from sqlalchemy import exc

LOG = log.getLogger(__name__)
T = TypeVar("T")

_SQLITE_MARKERS = ("database is locked", "database is busy", "database table is locked")
_MYSQL_CODES = (1205, 1213)
_PG_CODES = ("40001", "40P01")


def is_lock_conflict(error: BaseException) -> bool:
    """True when ``error`` is a lock race worth re-running the transaction for."""
    if not isinstance(error, exc.DBAPIError):
        return False
    orig = error.orig
    text = str(orig).lower()
    if any(marker in text for marker in _SQLITE_MARKERS):
        return True
    args = getattr(orig, "args", ())
    if args and args[0] in _MYSQL_CODES:
        return True
    return getattr(orig, "pgcode", None) in _PG_CODES


def run(fn: Callable[[], T], max_retries: int) -> T:
    """Call ``fn``; on a lock conflict call it again, up to ``max_retries`` times."""
    delay = 0.01
    for attempt in range(max_retries + 1):
        try:
            return fn()
        except exc.DBAPIError as error:
            if attempt == max_retries or not is_lock_conflict(error):
                raise
            LOG.debug("Transaction lost a lock race (%s); retry %d", error.orig, attempt + 1)
            time.sleep(delay * (1 + random.random()))
            delay = min(delay * 2, 1.0)
    raise AssertionError("unreachable")
