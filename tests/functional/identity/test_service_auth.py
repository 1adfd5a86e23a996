"""stratus.wsgi.auth: another service's API behind keystonemiddleware, with
tokens from our identity service."""
import pytest
import requests

from stratus import config, exception
from stratus.wsgi import app as wsgi_app
from stratus.wsgi import auth
from tests.functional.identity.conftest import ADMIN_PASSWORD


@pytest.fixture
def service_app(server_url, tmp_path):
    conf_file = tmp_path / "testsvc.conf"
    conf_file.write_text(f"""[keystone_authtoken]
www_authenticate_uri = {server_url}/v3
auth_url = {server_url}/v3
auth_type = password
username = admin
password = {ADMIN_PASSWORD}
project_name = admin
user_domain_id = default
project_domain_id = default
""")
    conf = config.make_conf("testsvc", auth.register)
    config.load(conf, [], [str(conf_file)])
    app = wsgi_app.create_app(
        conf, "testsvc", lambda e: {"fault": {"code": e.code, "message": e.message}})

    @app.get("/")
    def versions():
        return {"versions": []}

    @app.get("/v1/whoami")
    def whoami():
        context = wsgi_app.context()
        if context.user_id is None:
            raise exception.Unauthorized()
        return {"user_id": context.user_id, "project_id": context.project_id,
                "roles": sorted(context.roles), "request_id": context.request_id}

    auth.protect(app, conf, public_paths=["/"])
    return app.test_client()


def _token(server_url):
    response = requests.post(f"{server_url}/v3/auth/tokens", json={"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": "admin", "domain": {"id": "default"}, "password": ADMIN_PASSWORD}}},
        "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}}, timeout=30)
    return response.headers["X-Subject-Token"], response.json()["token"]


def test_valid_token_becomes_the_request_context(server_url, service_app):
    token_id, token = _token(server_url)
    response = service_app.get("/v1/whoami", headers={"X-Auth-Token": token_id})
    assert response.status_code == 200
    body = response.get_json()
    assert body["user_id"] == token["user"]["id"]
    assert body["project_id"] == token["project"]["id"]
    assert body["roles"] == ["admin", "member", "reader"]
    assert body["request_id"] == response.headers["X-Openstack-Request-Id"]


def test_missing_or_bad_token_is_the_services_401(service_app):
    for headers in ({}, {"X-Auth-Token": "nonsense"}):
        response = service_app.get("/v1/whoami", headers=headers)
        assert response.status_code == 401
        assert response.get_json()["fault"]["code"] == 401
        assert response.headers["WWW-Authenticate"].startswith("Keystone uri=")


def test_version_discovery_needs_no_token(service_app):
    assert service_app.get("/").status_code == 200
