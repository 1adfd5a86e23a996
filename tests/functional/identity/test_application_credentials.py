"""Application credentials end to end: create through the API, authenticate with
them, and watch their tokens die with the credential or the user's role."""
import datetime

import openstack
import pytest
import sqlalchemy as sa

from identity import models
from tests.functional.identity.conftest import AuthedClient, issue_token


def create_member(identity, name: str, roles=("member",), project: str = "admin",
                  password: str = "member-secret") -> models.User:
    """A user of the Default domain holding ``roles`` on ``project``."""
    service = identity.extensions["identity"]
    user = service.users.create_user({"name": name, "domain_id": "default",
                                      "password": password})
    target = service.resources.get_project_by_name(project, "default")
    for role_id in role_ids(identity, *roles):
        service.assignments.create_grant(role_id, "user", user.id, "project", target.id)
    return user


def role_ids(identity, *names: str) -> list[str]:
    service = identity.extensions["identity"]
    with service.db.reader() as session:
        ids = dict(session.execute(sa.select(models.Role.name, models.Role.id)).all())
    return [ids[n] for n in names]


def member_client(identity, client, name: str = "alice", **kwargs):
    user = create_member(identity, name, **kwargs)
    return user, AuthedClient(client, issue_token(client, user=name, password="member-secret"))


def app_cred_auth(client, **ref):
    return client.post("/v3/auth/tokens", json={"auth": {"identity": {
        "methods": ["application_credential"], "application_credential": ref}}})


def create(caller, user_id: str, **body):
    body.setdefault("name", "monitoring")
    return caller.post(f"/v3/users/{user_id}/application_credentials",
                       json={"application_credential": body})


@pytest.fixture
def alice(identity, client):
    return member_client(identity, client)


def test_create_returns_secret_once_and_keystone_shape(alice):
    user, caller = alice
    response = create(caller, user.id, description="for the monitor")
    assert response.status_code == 201, response.get_json()
    cred = response.get_json()["application_credential"]
    assert len(cred["secret"]) >= 86  # 64 random bytes, as Keystone makes them
    assert {r["name"] for r in cred["roles"]} == {"member", "reader"}
    assert all(r["domain_id"] is None for r in cred["roles"])
    assert cred["unrestricted"] is False and cred["access_rules"] == []
    assert cred["expires_at"] is None and cred["description"] == "for the monitor"
    assert cred["links"]["self"].endswith(
        f"/v3/users/{user.id}/application_credentials/{cred['id']}")

    shown = caller.get(f"/v3/users/{user.id}/application_credentials/{cred['id']}")
    assert shown.status_code == 200
    assert "secret" not in shown.get_json()["application_credential"]
    listed = caller.get(f"/v3/users/{user.id}/application_credentials")
    assert [c["id"] for c in listed.get_json()["application_credentials"]] == [cred["id"]]
    assert "secret" not in listed.get_json()["application_credentials"][0]


def test_list_filters_by_name(alice):
    user, caller = alice
    create(caller, user.id, name="one")
    create(caller, user.id, name="two")
    listed = caller.get(f"/v3/users/{user.id}/application_credentials?name=two")
    assert [c["name"] for c in listed.get_json()["application_credentials"]] == ["two"]
    assert caller.get(f"/v3/users/{user.id}/application_credentials?bogus=1"
                      ).status_code == 400


def test_authenticate_by_id_and_by_name(identity, client, alice):
    user, caller = alice
    cred = create(caller, user.id, roles=[{"name": "reader"}]).get_json()[
        "application_credential"]
    by_id = app_cred_auth(client, id=cred["id"], secret=cred["secret"])
    assert by_id.status_code == 201, by_id.get_json()
    token = by_id.get_json()["token"]
    assert token["methods"] == ["application_credential"]
    assert [r["name"] for r in token["roles"]] == ["reader"]
    assert token["project"]["name"] == "admin"
    assert token["application_credential"] == {"id": cred["id"], "name": "monitoring",
                                               "restricted": True}

    by_name = app_cred_auth(client, name="monitoring", secret=cred["secret"],
                            user={"id": user.id})
    assert by_name.status_code == 201
    assert [r["name"] for r in by_name.get_json()["token"]["roles"]] == ["reader"]
    by_user_name = app_cred_auth(client, name="monitoring", secret=cred["secret"],
                                 user={"name": "alice", "domain": {"id": "default"}})
    assert by_user_name.status_code == 201

    assert app_cred_auth(client, id=cred["id"], secret="wrong").status_code == 401
    assert app_cred_auth(client, name="nope", secret=cred["secret"],
                         user={"id": user.id}).status_code == 401


def test_given_secret_is_used(client, alice):
    user, caller = alice
    cred = create(caller, user.id, secret="my-own-secret").get_json()[
        "application_credential"]
    assert cred["secret"] == "my-own-secret"
    assert app_cred_auth(client, id=cred["id"], secret="my-own-secret").status_code == 201


def test_long_secret_counts_every_byte(client, alice):
    user, caller = alice
    secret = "s" * 200
    cred = create(caller, user.id, secret=secret).get_json()["application_credential"]
    assert app_cred_auth(client, id=cred["id"], secret=secret).status_code == 201
    assert app_cred_auth(client, id=cred["id"], secret="s" * 199 + "t").status_code == 401


def test_roles_must_be_held_and_exist(alice):
    user, caller = alice
    not_held = create(caller, user.id, roles=[{"name": "admin"}])
    assert not_held.status_code == 400
    assert create(caller, user.id, roles=[{"id": "no-such-role"}]).status_code == 404
    assert create(caller, user.id, roles=[{}]).status_code == 400


def test_bad_input(alice):
    user, caller = alice
    assert create(caller, user.id, name="").status_code == 400
    assert caller.post(f"/v3/users/{user.id}/application_credentials",
                       json={"application_credential": {}}).status_code == 400
    assert create(caller, user.id, unrestricted="yes").status_code == 400
    assert create(caller, user.id, expires_at="not a time").status_code == 400
    assert create(caller, user.id, expires_at="2001-01-01T00:00:00Z").status_code == 400
    assert create(caller, user.id, access_rules=[{"path": "/v2.1/servers", "method": "GET",
                                                  "service": "compute"}]).status_code == 400


def test_expiry_is_returned_and_enforced(identity, client, alice):
    user, caller = alice
    expires = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)).replace(
        tzinfo=None)
    response = create(caller, user.id, expires_at=expires.isoformat())
    cred = response.get_json()["application_credential"]
    assert cred["expires_at"] == expires.isoformat()
    token = app_cred_auth(client, id=cred["id"], secret=cred["secret"])
    assert token.status_code == 201

    service = identity.extensions["identity"]

    def expire(session):
        session.get(models.ApplicationCredential, cred["id"]).expires_at = \
            expires - datetime.timedelta(hours=2)
    service.db.write(expire)
    assert app_cred_auth(client, id=cred["id"], secret=cred["secret"]).status_code == 401
    check = client.get("/v3/auth/tokens", headers={
        "X-Auth-Token": token.headers["X-Subject-Token"],
        "X-Subject-Token": token.headers["X-Subject-Token"]})
    assert check.status_code == 401


def test_duplicate_name_is_409(alice):
    user, caller = alice
    assert create(caller, user.id).status_code == 201
    duplicate = create(caller, user.id)
    assert duplicate.status_code == 409
    assert duplicate.get_json()["error"]["code"] == 409


def test_deleting_the_credential_kills_its_tokens(client, admin_token, alice):
    user, caller = alice
    cred = create(caller, user.id).get_json()["application_credential"]
    token = app_cred_auth(client, id=cred["id"], secret=cred["secret"]).headers[
        "X-Subject-Token"]
    headers = {"X-Auth-Token": admin_token, "X-Subject-Token": token}
    assert client.get("/v3/auth/tokens", headers=headers).status_code == 200

    url = f"/v3/users/{user.id}/application_credentials/{cred['id']}"
    assert caller.delete(url).status_code == 204
    assert caller.get(url).status_code == 404
    assert caller.delete(url).status_code == 404
    assert client.get("/v3/auth/tokens", headers=headers).status_code == 404
    assert client.get(f"/v3/users/{user.id}/application_credentials",
                      headers={"X-Auth-Token": token}).status_code == 401
    assert app_cred_auth(client, id=cred["id"], secret=cred["secret"]).status_code == 401


def test_removing_the_role_kills_its_tokens(identity, client, admin_token, alice):
    user, caller = alice
    cred = create(caller, user.id, roles=[{"name": "member"}]).get_json()[
        "application_credential"]
    assert {r["name"] for r in cred["roles"]} == {"member", "reader"}  # implied too
    token = app_cred_auth(client, id=cred["id"], secret=cred["secret"]).headers[
        "X-Subject-Token"]
    headers = {"X-Auth-Token": admin_token, "X-Subject-Token": token}
    assert client.get("/v3/auth/tokens", headers=headers).status_code == 200

    service = identity.extensions["identity"]
    project = service.resources.get_project_by_name("admin", "default")
    service.assignments.delete_grant(role_ids(identity, "member")[0], "user", user.id,
                                     "project", project.id)
    assert client.get("/v3/auth/tokens", headers=headers).status_code == 404
    assert app_cred_auth(client, id=cred["id"], secret=cred["secret"]).status_code == 401


def test_restricted_credential_token_cannot_manage_credentials(client, alice):
    user, caller = alice
    restricted = create(caller, user.id, name="restricted").get_json()[
        "application_credential"]
    token = app_cred_auth(client, id=restricted["id"], secret=restricted["secret"])
    as_cred = AuthedClient(client, token.headers["X-Subject-Token"])
    refused = create(as_cred, user.id, name="another")
    assert refused.status_code == 403
    assert as_cred.delete(f"/v3/users/{user.id}/application_credentials/"
                          f"{restricted['id']}").status_code == 403

    unrestricted = create(caller, user.id, name="free", unrestricted=True).get_json()[
        "application_credential"]
    token = app_cred_auth(client, id=unrestricted["id"], secret=unrestricted["secret"])
    as_free = AuthedClient(client, token.headers["X-Subject-Token"])
    assert create(as_free, user.id, name="another").status_code == 201


def test_policy_owner_only(identity, client, admin, alice):
    user, caller = alice
    cred = create(caller, user.id).get_json()["application_credential"]
    _, bob = member_client(identity, client, name="bob")
    base = f"/v3/users/{user.id}/application_credentials"
    assert bob.get(base).status_code == 403
    assert bob.get(f"{base}/{cred['id']}").status_code == 403
    assert bob.delete(f"{base}/{cred['id']}").status_code == 403
    assert create(bob, user.id, name="hijack").status_code == 403
    # admins read and delete anyone's credentials, but create only their own
    assert admin.get(base).status_code == 200
    assert admin.get(f"{base}/{cred['id']}").status_code == 200
    assert create(admin, user.id, name="for-alice").status_code == 403
    assert client.get(base).status_code == 401
    assert caller.get(f"{base}/no-such-credential").status_code == 404


def test_credential_is_found_only_under_its_owner(identity, client, alice):
    user, caller = alice
    cred = create(caller, user.id).get_json()["application_credential"]
    bob, as_bob = member_client(identity, client, name="bob")
    url = f"/v3/users/{bob.id}/application_credentials/{cred['id']}"
    assert as_bob.get(url).status_code == 404
    assert as_bob.delete(url).status_code == 404


def test_openstacksdk_application_credential(server_url):
    auth_url = server_url + "/v3"
    conn = openstack.connect(auth_url=auth_url, username="admin", password="secret",
                             project_name="admin", user_domain_id="default",
                             project_domain_id="default")
    cred = conn.identity.create_application_credential(
        user=conn.current_user_id, name="sdk", roles=[{"name": "reader"}])
    assert cred.secret
    assert [r["name"] for r in cred.roles] == ["reader"]
    names = [c.name for c in conn.identity.application_credentials(user=conn.current_user_id)]
    assert names == ["sdk"]

    app = openstack.connect(auth_type="v3applicationcredential", auth_url=auth_url,
                            application_credential_id=cred.id,
                            application_credential_secret=cred.secret)
    access = app.session.auth.get_access(app.session)
    assert access.role_names == ["reader"]
    assert access.project_name == "admin"

    conn.identity.delete_application_credential(conn.current_user_id, cred.id)
    assert list(conn.identity.application_credentials(user=conn.current_user_id)) == []
