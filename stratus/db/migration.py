"""Alembic migrations, one script directory per service.

A service keeps its migrations in ``<service>/migrations`` with an ``env.py``
that calls :func:`run_env`; ``stratus-manage <service> db sync`` calls
:func:`upgrade`.
"""
from alembic import command, context
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from stratus.db.engine import Database


def _config(db: Database, service: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", f"{service}:migrations")
    cfg.attributes["connection_url"] = db.url
    cfg.attributes["engine"] = db.engine
    return cfg


def upgrade(db: Database, service: str, revision: str = "head") -> None:
    """Bring ``service``'s schema in ``db`` up to ``revision``."""
    with db.engine.begin() as conn:
        cfg = _config(db, service)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def current(db: Database) -> str | None:
    """The schema revision ``db`` is at, or None when never synced."""
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head(db: Database, service: str) -> str:
    return ScriptDirectory.from_config(_config(db, service)).get_current_head()


def run_env(target_metadata) -> None:
    """Body of every service's alembic ``env.py`` (online mode only)."""
    attrs = context.config.attributes
    conn = attrs["connection"]
    context.configure(connection=conn, target_metadata=target_metadata,
                      render_as_batch=conn.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()
