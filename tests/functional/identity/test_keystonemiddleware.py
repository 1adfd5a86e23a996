"""Other services validate our tokens with keystonemiddleware's auth_token,
exactly as OpenStack services validate Keystone's."""
import json

import pytest
import requests
from keystonemiddleware import auth_token
from webob import Request

from tests.functional.identity.conftest import ADMIN_PASSWORD


def _echo_identity(environ, start_response):
    """A protected 'service' that shows what auth_token told it."""
    body = json.dumps({key: environ.get(key) for key in (
        "HTTP_X_IDENTITY_STATUS", "HTTP_X_USER_ID", "HTTP_X_PROJECT_ID",
        "HTTP_X_ROLES", "HTTP_X_SERVICE_CATALOG")}).encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body]


@pytest.fixture
def protected(server_url):
    return auth_token.AuthProtocol(_echo_identity, {
        "www_authenticate_uri": f"{server_url}/v3", "auth_type": "password",
        "auth_url": f"{server_url}/v3", "username": "admin", "password": ADMIN_PASSWORD,
        "project_name": "admin", "user_domain_id": "default", "project_domain_id": "default",
        "include_service_catalog": "true", "delay_auth_decision": "false"})


def _token(server_url):
    response = requests.post(f"{server_url}/v3/auth/tokens", json={"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": "admin", "domain": {"id": "default"}, "password": ADMIN_PASSWORD}}},
        "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}}, timeout=30)
    assert response.status_code == 201
    return response.headers["X-Subject-Token"], response.json()["token"]


def test_a_valid_token_reaches_the_service_with_its_identity(server_url, protected):
    token_id, token = _token(server_url)
    response = Request.blank("/", headers={"X-Auth-Token": token_id}).get_response(protected)
    assert response.status_int == 200
    seen = response.json
    assert seen["HTTP_X_IDENTITY_STATUS"] == "Confirmed"
    assert seen["HTTP_X_USER_ID"] == token["user"]["id"]
    assert seen["HTTP_X_PROJECT_ID"] == token["project"]["id"]
    assert set(seen["HTTP_X_ROLES"].split(",")) == {"admin", "member", "reader"}
    assert "identity" in seen["HTTP_X_SERVICE_CATALOG"]


def test_a_revoked_or_bogus_token_is_refused(server_url, protected):
    token_id, _ = _token(server_url)
    admin_id, _ = _token(server_url)
    requests.delete(f"{server_url}/v3/auth/tokens", headers={
        "X-Auth-Token": admin_id, "X-Subject-Token": token_id}, timeout=30)
    assert Request.blank("/", headers={"X-Auth-Token": token_id}).get_response(
        protected).status_int == 401
    assert Request.blank("/", headers={"X-Auth-Token": "bogus"}).get_response(
        protected).status_int == 401
