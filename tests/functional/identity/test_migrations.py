"""The identity migrations build exactly the schema the models describe,
from scratch and from every earlier revision."""
import pathlib

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from identity import models
from identity.database import IdentityDatabase
from stratus.db import migration
from tests.functional.identity.conftest import _conf


def _matches_models(db) -> list:
    with db.engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn), models.Base.metadata)


@pytest.mark.parametrize("start", [None, "0001", "0002"])
def test_sync_reaches_the_models(tmp_path: pathlib.Path, start):
    db = IdentityDatabase.from_conf(_conf(tmp_path))
    try:
        if start:
            migration.upgrade(db, "identity", start)
            assert migration.current(db) == start
        migration.upgrade(db, "identity")
        assert migration.current(db) == migration.head(db, "identity")
        assert _matches_models(db) == []
        db.write(lambda s: s.add(models.Policy(id="p", type="t", blob="b")))
        with db.reader() as session:
            assert session.get(models.Policy, "p").extra == {}
    finally:
        db.dispose()


def test_sync_is_idempotent(tmp_path: pathlib.Path):
    db = IdentityDatabase.from_conf(_conf(tmp_path))
    try:
        migration.upgrade(db, "identity")
        migration.upgrade(db, "identity")
        assert "revocation_event" in sa.inspect(db.engine).get_table_names()
    finally:
        db.dispose()
