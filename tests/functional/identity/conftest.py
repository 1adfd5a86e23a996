"""An in-process identity service: real Flask app, real SQLite, real Fernet keys.

``identity`` gives a bootstrapped service (admin/secret, admin project,
Default domain); ``client`` its Flask test client; ``admin_token`` a
project-scoped admin token; ``server_url`` the same app served over HTTP on
a free loopback port, for openstacksdk / keystoneauth1 / the CLI.
"""
import argparse
import atexit
import pathlib
import shutil
import tempfile
import threading

import pytest
from werkzeug import serving

from identity import api, bootstrap
from identity.database import IdentityDatabase
from identity.manage import make_conf
from identity.service import IdentityService
from identity.tokens import fernet
from stratus import config
from stratus.db import migration

ADMIN_PASSWORD = "secret"


def _conf(tmp_path, overrides: dict | None = None):
    """``overrides`` maps (group or None, option) to a value."""
    conf = make_conf()
    config.load(conf, [], [])
    conf.set_override("state_path", str(tmp_path / "state"))
    conf.set_override("key_repository", str(tmp_path / "fernet"), group="fernet_tokens")
    conf.set_override("key_repository", str(tmp_path / "credential"), group="credential")
    # Fast hashing keeps the suite quick; the cost factor is covered by its own test.
    conf.set_override("password_hash_rounds", 4, group="identity")
    for (group, name), value in (overrides or {}).items():
        conf.set_override(name, value, group=group)
    return conf


_TEMPLATE_URL = "http://localhost/v3"
_template_dir: str | None = None


def _template() -> str:
    """A migrated, bootstrapped state directory, built once per test process."""
    global _template_dir
    if _template_dir is None:
        path = tempfile.mkdtemp(prefix="identity-template-")
        atexit.register(shutil.rmtree, path, True)
        conf = _conf(pathlib.Path(path))
        migration.upgrade(IdentityDatabase.from_conf(conf), "identity")
        fernet.KeyRepository(conf.fernet_tokens.key_repository).setup()
        fernet.KeyRepository(conf.credential.key_repository, 1).setup()
        args = argparse.Namespace(
            bootstrap_password=ADMIN_PASSWORD, bootstrap_username="admin",
            bootstrap_project_name="admin", bootstrap_role_name="admin",
            bootstrap_service_project_name="service", region_id="RegionOne",
            public_url=_TEMPLATE_URL, internal_url=_TEMPLATE_URL, admin_url=None)
        bootstrap.run(conf, args)
        IdentityDatabase.from_conf(conf).dispose()
        _template_dir = path
    return _template_dir


def build_identity(tmp_path, public_url=_TEMPLATE_URL, overrides: dict | None = None):
    """A fresh copy of the bootstrapped identity state in ``tmp_path``."""
    shutil.copytree(_template(), tmp_path, dirs_exist_ok=True)
    conf = _conf(tmp_path, overrides)
    service = IdentityService(conf)
    if public_url != _TEMPLATE_URL:
        for endpoint in service.catalog.list_endpoints({}):
            service.catalog.update_endpoint(endpoint.id, {"url": public_url})
    return conf, service


@pytest.fixture
def identity(tmp_path):
    conf, service = build_identity(tmp_path)
    app = api.create_app(conf, service)
    app.testing = True
    yield app
    service.db.dispose()


@pytest.fixture
def client(identity):
    return identity.test_client()


def password_auth(user="admin", password=ADMIN_PASSWORD, project="admin", domain="default"):
    body = {"auth": {"identity": {"methods": ["password"], "password": {
        "user": {"name": user, "domain": {"id": domain}, "password": password}}}}}
    if project:
        body["auth"]["scope"] = {"project": {"name": project, "domain": {"id": domain}}}
    return body


def issue_token(client, **kwargs) -> str:
    response = client.post("/v3/auth/tokens", json=password_auth(**kwargs))
    assert response.status_code == 201, response.get_json()
    return response.headers["X-Subject-Token"]


@pytest.fixture
def admin_token(client):
    return issue_token(client)


@pytest.fixture
def admin(client, admin_token):
    """A test client whose requests carry the admin token."""
    return AuthedClient(client, admin_token)


class AuthedClient:
    """Wraps a Flask test client, adding X-Auth-Token to every request;
    ``project`` is the token's project id, when the caller knows it. The
    image and network tests subclass it with helpers of their own."""

    def __init__(self, client, token, project: str | None = None):
        self.client = client
        self.token = token
        self.project = project

    def __getattr__(self, method):
        call = getattr(self.client, method)

        def with_token(*args, headers=None, **kwargs):
            return call(*args, headers={"X-Auth-Token": self.token, **(headers or {})},
                        **kwargs)
        return with_token


@pytest.fixture
def server_url(tmp_path):
    """The identity app over real HTTP on a free port; yields its base URL."""
    probe = serving.make_server("127.0.0.1", 0, lambda e, s: [])
    port = probe.server_port
    probe.server_close()
    url = f"http://127.0.0.1:{port}"
    conf, service = build_identity(tmp_path, public_url=f"{url}/v3")
    app = api.create_app(conf, service)
    server = serving.make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield url
    server.shutdown()
    service.db.dispose()
