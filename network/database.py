"""Write transactions that may lose a uniqueness race.

Managers pick free values (an IP address, a MAC, a VNI) and insert them,
relying on the unique constraints of :mod:`network.models` when another
process picked the same value at the same moment. :func:`write` re-runs the
whole transaction after such an :class:`~sqlalchemy.exc.IntegrityError`;
the re-run sees the winner's row and picks again (or, for a value the caller
asked for explicitly, finds it taken and answers 409).
"""
from collections.abc import Callable
from typing import TypeVar

from oslo_log import log
from sqlalchemy import exc

from stratus import db as stratus_db

LOG = log.getLogger(__name__)
T = TypeVar("T")
ATTEMPTS = 10


def write(db: stratus_db.Database, fn: Callable, attempts: int = ATTEMPTS) -> T:
    """``db.write(fn)``, re-run up to ``attempts`` times on IntegrityError."""
    for attempt in range(attempts):
        try:
            return db.write(fn)
        except exc.IntegrityError as error:
            if attempt == attempts - 1:
                raise
            LOG.debug("Lost a uniqueness race (%s); retry %d", error.orig, attempt + 1)
    raise AssertionError("unreachable")
