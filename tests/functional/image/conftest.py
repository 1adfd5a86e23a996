"""An in-process cloud for the image API: a real identity server over HTTP
(tokens, catalog) and the image app behind keystonemiddleware.

``cloud`` (one per test module) is the identity server with two projects
besides ``admin``: ``demo`` (user ``demo``, role member) and ``alt`` (user
``alt``, role member), and an ``image`` service in the catalog. ``image_app``
is a fresh image service per test (its own SQLite database, in-memory
stores); ``admin``, ``demo`` and ``alt`` are test clients carrying those
users' tokens; ``image_url`` serves the image app over HTTP (and points the
catalog at it) for openstacksdk.
"""
import pytest

from image import api
from image.manage import make_conf
from image.service import ImageService
from image.store.fake import MemoryStore
from stratus import config, db
from stratus.db import migration
from tests.functional.cloud import PASSWORD, Cloud, identity_cloud, serve  # noqa: F401
from tests.functional.identity import conftest as identity_conftest
from tests.functional.identity.conftest import ADMIN_PASSWORD


@pytest.fixture(scope="module")
def cloud(tmp_path_factory):
    with identity_cloud(tmp_path_factory.mktemp("identity"),
                        {"image": ("glance", "http://127.0.0.1:9292")}) as cloud:
        yield cloud


def image_conf(cloud: Cloud, tmp_path, **image_options):
    conf_file = tmp_path / "image.conf"
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
    for name, value in image_options.items():
        conf.set_override(name, value, group="image")
    return conf


def build_image(cloud: Cloud, tmp_path, notifier=None, store=None, **image_options):
    """An image app on a fresh database; ``store`` defaults to a MemoryStore
    (staging is always one)."""
    conf = image_conf(cloud, tmp_path, **image_options)
    database = db.Database.from_conf(conf)
    migration.upgrade(database, "image")
    database.dispose()
    service = ImageService(conf, notifier, store=store or MemoryStore(),
                           staging=MemoryStore())
    app = api.create_app(conf, service)
    app.testing = True
    return app


@pytest.fixture
def image_app(cloud, tmp_path):
    app = build_image(cloud, tmp_path)
    yield app
    app.extensions["image"].db.dispose()


class AuthedClient(identity_conftest.AuthedClient):
    """The identity tests' token-adding client, with image helpers."""

    def create(self, **body):
        response = self.post("/v2/images", json=body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def patch_image(self, image_id, ops):
        return self.patch(f"/v2/images/{image_id}", json=ops, headers={
            "Content-Type": "application/openstack-images-v2.1-json-patch"})

    def upload(self, image_id, data: bytes, **headers):
        return self.put(f"/v2/images/{image_id}/file", data=data, headers={
            "Content-Type": "application/octet-stream", **headers})


def _client(cloud, app, user):
    return AuthedClient(app.test_client(), cloud.token(user), cloud.projects[user])


@pytest.fixture
def admin(cloud, image_app):
    return _client(cloud, image_app, "admin")


@pytest.fixture
def demo(cloud, image_app):
    return _client(cloud, image_app, "demo")


@pytest.fixture
def alt(cloud, image_app):
    return _client(cloud, image_app, "alt")


@pytest.fixture
def image_url(cloud, image_app):
    """The image app over HTTP, with the catalog's image endpoints pointing at it."""
    url, server = serve(image_app)
    cloud.point("image", url)
    yield url
    server.shutdown()
