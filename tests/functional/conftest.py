"""Fixtures shared by the functional tests: real database servers.

``server`` is an AUTOCOMMIT engine on MariaDB or PostgreSQL (the test runs
once per backend), at ``STRATUS_TEST_MYSQL_URL`` or
``STRATUS_TEST_POSTGRESQL_URL``, by default as the ``stratus_test`` account
devstack/stack.sh creates (allowed to make ``stratus_test_*`` databases). An
unreachable server skips, unless ``STRATUS_REQUIRE_DBS=1`` (as in CI), which
makes it a failure. ``empty_database`` is the URL of a throwaway database
on it, dropped afterwards.
"""
import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

SERVERS = {
    "mysql": ("STRATUS_TEST_MYSQL_URL", "mysql+pymysql://stratus_test:stratus_test@127.0.0.1/"),
    "postgresql": ("STRATUS_TEST_POSTGRESQL_URL",
                   "postgresql+psycopg2://stratus_test:stratus_test@127.0.0.1/postgres"),
}
CONNECT_TIMEOUT = 5


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
def empty_database(server: sa.Engine) -> Iterator[str]:
    name = f"stratus_test_{uuid.uuid4().hex[:12]}"
    with server.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield server.url.set(database=name).render_as_string(hide_password=False)
    finally:
        force = " WITH (FORCE)" if server.dialect.name == "postgresql" else ""
        with server.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE {name}{force}")
