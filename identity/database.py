"""The identity database, with a change counter for cache invalidation.

Every write transaction bumps :class:`models.Generation` in the same
transaction, so any process can tell with one cheap read whether anything it
cached (validated tokens, role closures) may be stale.
"""
from collections.abc import Callable
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy import orm

from identity import models
from stratus import db

T = TypeVar("T")

_BUMP = sa.update(models.Generation).where(models.Generation.id == 1).values(
    value=models.Generation.value + 1)
_READ = sa.select(models.Generation.value).where(models.Generation.id == 1)


class IdentityDatabase(db.Database):

    def write(self, fn: Callable[[orm.Session], T]) -> T:
        def bump_then(session: orm.Session) -> T:
            if session.execute(_BUMP).rowcount == 0:
                session.add(models.Generation(id=1, value=1))
            return fn(session)
        return super().write(bump_then)

    def generation(self) -> int:
        """The current change counter (0 before the first write)."""
        with self.engine.connect() as conn:
            return conn.execute(_READ).scalar() or 0
