"""An in-process cloud for the network API: the identity server of
:mod:`tests.functional.cloud` (projects ``admin``, ``demo``, ``alt``) and the
network app behind keystonemiddleware.

``network_app`` is a fresh network service per test (its own SQLite
database, a :class:`RecordingNotifier`); ``admin``, ``demo`` and ``alt`` are
test clients carrying those users' tokens, with helpers that create
resources and assert success; ``network_url`` serves the app over HTTP (and
points the catalog at it) for openstacksdk.
"""
import pytest

from network import api
from network.manage import make_conf
from network.service import NetworkService
from stratus import config, db
from stratus.db import migration
from tests.functional.cloud import Cloud, identity_cloud, serve
from tests.functional.identity import conftest as identity_conftest
from tests.functional.identity.conftest import ADMIN_PASSWORD


class RecordingNotifier:
    """Keeps every ``emit(event_type, payload)`` for the test to read."""

    def __init__(self):
        self.events: list[tuple[str, dict]] = []

    def emit(self, event_type: str, payload: dict, **_kwargs) -> None:
        self.events.append((event_type, payload))

    def types(self) -> list[str]:
        return [event_type for event_type, _ in self.events]


@pytest.fixture(scope="module")
def cloud(tmp_path_factory):
    with identity_cloud(tmp_path_factory.mktemp("identity"),
                        {"network": ("neutron", "http://127.0.0.1:9696")}) as cloud:
        yield cloud


def network_conf(cloud: Cloud, tmp_path, database_url: str | None = None, **options):
    conf_file = tmp_path / "network.conf"
    conf_file.write_text(f"""[DEFAULT]
state_path = {tmp_path / "state"}
[keystone_authtoken]
www_authenticate_uri = {cloud.url}/v3
auth_url = {cloud.url}/v3
auth_type = password
username = admin
password = {ADMIN_PASSWORD}
project_name = admin
user_domain_id = default
project_domain_id = default
""")
    conf = make_conf()
    config.load(conf, [], [str(conf_file)])
    if database_url:
        conf.set_override("connection", database_url, group="database")
    for name, value in options.items():
        group = "quotas" if name.startswith("quota_") else "network"
        conf.set_override(name, value, group=group)
    return conf


def build_network(cloud: Cloud, tmp_path, notifier=None, **options):
    conf = network_conf(cloud, tmp_path, **options)
    database = db.Database.from_conf(conf)
    migration.upgrade(database, "network")
    database.dispose()
    service = NetworkService(conf, notifier if notifier is not None else RecordingNotifier())
    app = api.create_app(conf, service)
    app.testing = True
    return app


@pytest.fixture
def network_app(cloud, tmp_path):
    app = build_network(cloud, tmp_path)
    yield app
    app.extensions["network"].db.dispose()


@pytest.fixture
def notifier(network_app):
    return network_app.extensions["network"].notifier


class AuthedClient(identity_conftest.AuthedClient):
    """The identity tests' token-adding client; ``make`` and the helpers
    built on it assert 201 and return the resource."""

    def make(self, member: str, **body):
        response = self.post(f"/v2.0/{member}s", json={member: body})
        assert response.status_code == 201, response.get_json()
        return response.get_json()[member]

    def network(self, **body):
        return self.make("network", **body)

    def subnet(self, network_id, cidr="10.0.0.0/24", ip_version=4, **body):
        return self.make("subnet", network_id=network_id, cidr=cidr, ip_version=ip_version,
                         **body)

    def port(self, network_id, **body):
        return self.make("port", network_id=network_id, **body)

    def subnetpool(self, **body):
        return self.make("subnetpool", **body)


def client_for(cloud, app, user) -> AuthedClient:
    return AuthedClient(app.test_client(), cloud.token(user), cloud.projects[user])


@pytest.fixture
def admin(cloud, network_app):
    return client_for(cloud, network_app, "admin")


@pytest.fixture
def demo(cloud, network_app):
    return client_for(cloud, network_app, "demo")


@pytest.fixture
def alt(cloud, network_app):
    return client_for(cloud, network_app, "alt")


@pytest.fixture
def network_url(cloud, network_app):
    """The network app over HTTP, with the catalog's network endpoints pointing at it."""
    url, server = serve(network_app)
    cloud.point("network", url)
    yield url
    server.shutdown()


def fault(response) -> tuple[int, str]:
    """(status, NeutronError type) of an error response."""
    body = response.get_json()
    assert set(body) == {"NeutronError"}, body
    assert set(body["NeutronError"]) == {"type", "message", "detail"}, body
    return response.status_code, body["NeutronError"]["type"]
