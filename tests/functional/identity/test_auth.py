"""Tokens through the real app: issue, validate, revoke, re-scope."""
from tests.functional.identity.conftest import issue_token, password_auth


def test_version_discovery(client):
    response = client.get("/")
    assert response.status_code == 300
    assert response.get_json()["versions"]["values"][0]["id"].startswith("v3")
    assert client.get("/v3").get_json()["version"]["status"] == "stable"


def test_password_token_carries_roles_and_catalog(client):
    response = client.post("/v3/auth/tokens", json=password_auth())
    assert response.status_code == 201
    token = response.get_json()["token"]
    assert token["project"]["name"] == "admin"
    assert {r["name"] for r in token["roles"]} == {"admin", "member", "reader"}
    assert token["catalog"][0]["type"] == "identity"
    assert token["expires_at"].endswith("Z")
    assert response.headers["X-Subject-Token"]


def test_wrong_password_and_unknown_user_look_the_same(client):
    wrong = client.post("/v3/auth/tokens", json=password_auth(password="nope"))
    unknown = client.post("/v3/auth/tokens", json=password_auth(user="nobody"))
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json()["error"]["message"] == unknown.get_json()["error"]["message"]


def test_validate_and_revoke(client, admin_token):
    subject = issue_token(client)
    headers = {"X-Auth-Token": admin_token, "X-Subject-Token": subject}
    assert client.get("/v3/auth/tokens", headers=headers).status_code == 200
    assert client.head("/v3/auth/tokens", headers=headers).status_code == 200
    assert client.delete("/v3/auth/tokens", headers=headers).status_code == 204
    assert client.get("/v3/auth/tokens", headers=headers).status_code == 404
    assert client.get("/v3/projects", headers={"X-Auth-Token": subject}).status_code == 401


def test_rescope_keeps_expiry_and_audit_chain(client):
    unscoped = client.post("/v3/auth/tokens", json=password_auth(project=None))
    assert unscoped.status_code == 201
    first = unscoped.get_json()["token"]
    response = client.post("/v3/auth/tokens", json={"auth": {
        "identity": {"methods": ["token"],
                     "token": {"id": unscoped.headers["X-Subject-Token"]}},
        "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}})
    assert response.status_code == 201
    token = response.get_json()["token"]
    assert token["expires_at"] == first["expires_at"]
    assert token["audit_ids"][1] == first["audit_ids"][0]


def test_garbage_token_is_401(client):
    response = client.get("/v3/projects", headers={"X-Auth-Token": "garbage"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == 401


def test_malformed_body_is_400(client):
    response = client.post("/v3/auth/tokens", data="{not json",
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.get_json()["error"]["title"] == "Bad Request"


def test_unknown_path_and_method_are_json(client):
    assert client.get("/v3/nothing-here").get_json()["error"]["code"] == 404
    response = client.put("/v3/auth/tokens")
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == 405


def test_request_id_is_returned_and_accepted(client):
    rid = "req-12345678-1234-1234-1234-123456789abc"
    response = client.get("/v3", headers={"X-Openstack-Request-Id": rid})
    assert response.headers["X-Openstack-Request-Id"] == rid
    assert client.get("/v3").headers["X-Openstack-Request-Id"].startswith("req-")


def test_rescoping_a_revoked_token_is_404(client, admin_token):
    """Keystone (and Tempest) answer 404, not 401, for a dead token in the body."""
    subject = issue_token(client)
    client.delete("/v3/auth/tokens", headers={"X-Auth-Token": admin_token,
                                              "X-Subject-Token": subject})
    response = client.post("/v3/auth/tokens", json={"auth": {"identity": {
        "methods": ["token"], "token": {"id": subject}}}})
    assert response.status_code == 404
