"""EC2 credentials (``/v3/users/{id}/credentials/OS-EC2``): Keystone's shape,
who may manage whose keys, and compatibility with keystoneclient and the CLI."""
import hashlib
import json

import openstack
import pytest
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3 as ks_v3
from keystoneclient.v3 import client as ks_client

from tests.functional.identity.conftest import AuthedClient, issue_token
from tests.functional.identity.test_credentials import app_cred_client


def ec2_path(user_id: str, access: str = "") -> str:
    path = f"/v3/users/{user_id}/credentials/OS-EC2"
    return f"{path}/{access}" if access else path


def api_member(admin, client, name: str, project_id: str) -> tuple[str, AuthedClient]:
    """A user made through the API, holding ``member`` on the project, and its client."""
    user = admin.post("/v3/users", json={"user": {
        "name": name, "password": "pw-" + name, "domain_id": "default"}}).get_json()["user"]
    roles = admin.get("/v3/roles", query_string={"name": "member"}).get_json()["roles"]
    assert admin.put(f"/v3/projects/{project_id}/users/{user['id']}/roles/"
                     f"{roles[0]['id']}").status_code == 204
    return user["id"], AuthedClient(client, issue_token(client, user=name,
                                                        password="pw-" + name))


@pytest.fixture
def project_id(identity):
    return identity.extensions["identity"].resources.get_project_by_name(
        "admin", "default").id


@pytest.fixture
def alice(admin, client, project_id):
    return api_member(admin, client, "alice", project_id)


def test_lifecycle_and_keystone_shape(identity, alice, project_id):
    user_id, as_alice = alice
    created = as_alice.post(ec2_path(user_id), json={"tenant_id": project_id})
    assert created.status_code == 201, created.get_json()
    cred = created.get_json()["credential"]
    assert set(cred) == {"user_id", "tenant_id", "access", "secret", "trust_id", "links"}
    assert (cred["user_id"], cred["tenant_id"], cred["trust_id"]) == (
        user_id, project_id, None)
    assert len(cred["access"]) == 32 and len(cred["secret"]) == 32
    assert cred["links"]["self"] == \
        f"http://localhost/v3/users/{user_id}/credentials/OS-EC2/{cred['access']}"

    # It is an ec2 credential of the v3 credentials API, keyed by the access hash.
    v3 = as_alice.get(f"/v3/credentials/{hashlib.sha256(cred['access'].encode()).hexdigest()}")
    assert v3.status_code == 200
    assert json.loads(v3.get_json()["credential"]["blob"])["secret"] == cred["secret"]

    assert as_alice.get(ec2_path(user_id, cred["access"])).get_json()["credential"] == cred
    listed = as_alice.get(ec2_path(user_id)).get_json()
    assert listed["credentials"] == [cred]
    assert listed["links"]["self"].endswith(ec2_path(user_id))

    assert as_alice.delete(ec2_path(user_id, cred["access"])).status_code == 204
    assert as_alice.get(ec2_path(user_id, cred["access"])).status_code == 404
    assert as_alice.delete(ec2_path(user_id, cred["access"])).status_code == 404
    assert as_alice.get(ec2_path(user_id)).get_json()["credentials"] == []


def test_members_manage_only_their_own_keys(admin, client, alice, project_id):
    user_id, as_alice = alice
    bob_id, as_bob = api_member(admin, client, "bob", project_id)
    cred = as_alice.post(ec2_path(user_id), json={"tenant_id": project_id}
                         ).get_json()["credential"]

    assert as_bob.post(ec2_path(user_id), json={"tenant_id": project_id}).status_code == 403
    assert as_bob.get(ec2_path(user_id)).status_code == 403
    assert as_bob.get(ec2_path(user_id, cred["access"])).status_code == 403
    assert as_bob.delete(ec2_path(user_id, cred["access"])).status_code == 403
    # Naming oneself in the path does not reach another user's key either.
    assert as_bob.get(ec2_path(bob_id, cred["access"])).status_code == 403
    assert as_bob.get(ec2_path(bob_id)).get_json()["credentials"] == []

    # The admin manages anyone's keys, but only under their owner's path.
    assert admin.get(ec2_path(user_id, cred["access"])).status_code == 200
    assert admin.get(ec2_path(bob_id, cred["access"])).status_code == 404
    made = admin.post(ec2_path(bob_id), json={"tenant_id": project_id})
    assert made.status_code == 201 and made.get_json()["credential"]["user_id"] == bob_id
    assert admin.delete(ec2_path(user_id, cred["access"])).status_code == 204


def test_bad_input_and_missing_things(admin, client, alice, project_id):
    user_id, as_alice = alice
    assert as_alice.post(ec2_path(user_id), json={}).status_code == 400
    assert as_alice.post(ec2_path(user_id), json={"tenant_id": 5}).status_code == 400
    assert as_alice.post(ec2_path(user_id), data="nope",
                         content_type="application/json").status_code == 400
    assert as_alice.post(ec2_path(user_id), json={"tenant_id": "nowhere"}).status_code == 404
    assert admin.post(ec2_path("nobody"), json={"tenant_id": project_id}).status_code == 404
    assert admin.get(ec2_path("nobody")).status_code == 404
    assert as_alice.get(ec2_path(user_id, "unknown")).status_code == 404
    assert client.get(ec2_path(user_id)).status_code == 401

    # A v3 credential of another type is not an EC2 key, even under its id.
    totp = as_alice.post("/v3/credentials", json={"credential": {
        "user_id": user_id, "type": "totp", "blob": "seed"}}).get_json()["credential"]
    assert as_alice.get(ec2_path(user_id, totp["id"])).status_code == 404
    assert as_alice.get(ec2_path(user_id)).get_json()["credentials"] == []


def test_application_credential_tokens(alice, client, project_id):
    user_id, as_alice = alice
    mine = as_alice.post(ec2_path(user_id), json={"tenant_id": project_id}
                         ).get_json()["credential"]
    _, restricted = app_cred_client(client, as_alice, user_id)
    assert restricted.post(ec2_path(user_id), json={"tenant_id": project_id}
                           ).status_code == 403

    app_cred, free = app_cred_client(client, as_alice, user_id, name="free",
                                     unrestricted=True)
    created = free.post(ec2_path(user_id), json={"tenant_id": project_id})
    assert created.status_code == 201
    access = created.get_json()["credential"]["access"]
    blob = as_alice.get("/v3/credentials/" + hashlib.sha256(access.encode()).hexdigest()
                        ).get_json()["credential"]["blob"]
    assert json.loads(blob)["app_cred_id"] == app_cred["id"]
    assert free.get(ec2_path(user_id, mine["access"])).status_code == 200


def test_keystoneclient_and_openstacksdk(server_url):
    auth = ks_v3.Password(auth_url=server_url + "/v3", username="admin", password="secret",
                          project_name="admin", user_domain_id="default",
                          project_domain_id="default")
    sess = ks_session.Session(auth=auth)
    keystone = ks_client.Client(session=sess)
    user_id, project_id = sess.get_user_id(), sess.get_project_id()

    cred = keystone.ec2.create(user_id, project_id)
    assert (cred.user_id, cred.tenant_id) == (user_id, project_id)
    assert keystone.ec2.get(user_id, cred.access).secret == cred.secret
    assert [c.access for c in keystone.ec2.list(user_id)] == [cred.access]
    keystone.ec2.delete(user_id, cred.access)
    assert keystone.ec2.list(user_id) == []

    # openstacksdk has no EC2 proxy methods; its identity adapter reaches the API.
    conn = openstack.connect(auth_url=server_url + "/v3", username="admin",
                             password="secret", project_name="admin",
                             user_domain_id="default", project_domain_id="default")
    made = conn.identity.post(f"/users/{user_id}/credentials/OS-EC2",
                              json={"tenant_id": project_id})
    assert made.status_code == 201
    access = made.json()["credential"]["access"]
    assert conn.identity.get(f"/users/{user_id}/credentials/OS-EC2/{access}"
                             ).json()["credential"]["tenant_id"] == project_id
