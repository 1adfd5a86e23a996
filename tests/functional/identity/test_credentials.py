"""Credentials: encrypted at rest, EC2 ids, who sees what; and revocation events."""
import hashlib
import json

import openstack
import pytest
from cryptography.fernet import Fernet, MultiFernet

from identity import models
from identity.tokens import fernet
from tests.functional.identity.conftest import AuthedClient, issue_token
from tests.functional.identity.test_application_credentials import (
    app_cred_auth,
    member_client,
)


def ec2_blob(access: str = "AKIA1", secret: str = "s3cr3t") -> str:
    return json.dumps({"access": access, "secret": secret})


def body(user_id: str, **fields) -> dict:
    return {"credential": {"user_id": user_id, "type": "totp", "blob": "seed", **fields}}


@pytest.fixture
def admin_id(admin, admin_token):
    return admin.get("/v3/auth/tokens", headers={"X-Subject-Token": admin_token}
                     ).get_json()["token"]["user"]["id"]


@pytest.fixture
def project_id(identity):
    return identity.extensions["identity"].resources.get_project_by_name(
        "admin", "default").id


def test_credential_lifecycle(admin, admin_id):
    created = admin.post("/v3/credentials", json=body(admin_id, note="phone"))
    assert created.status_code == 201, created.get_json()
    cred = created.get_json()["credential"]
    assert (cred["type"], cred["blob"], cred["user_id"]) == ("totp", "seed", admin_id)
    assert cred["project_id"] is None and cred["note"] == "phone"
    assert cred["links"]["self"].endswith(f"/v3/credentials/{cred['id']}")

    assert admin.get(f"/v3/credentials/{cred['id']}").get_json()["credential"] == cred
    updated = admin.patch(f"/v3/credentials/{cred['id']}", json={"credential": {
        "blob": "new seed"}})
    assert updated.status_code == 200
    assert admin.get(f"/v3/credentials/{cred['id']}").get_json()["credential"]["blob"] == \
        "new seed"

    assert admin.delete(f"/v3/credentials/{cred['id']}").status_code == 204
    assert admin.get(f"/v3/credentials/{cred['id']}").status_code == 404
    assert admin.delete(f"/v3/credentials/{cred['id']}").status_code == 404
    assert admin.patch(f"/v3/credentials/{cred['id']}", json={"credential": {
        "blob": "x"}}).status_code == 404


def test_blob_is_encrypted_at_rest_with_the_credential_keys(identity, admin, admin_id):
    cred = admin.post("/v3/credentials", json=body(admin_id, blob="very secret")
                      ).get_json()["credential"]
    service = identity.extensions["identity"]
    with service.db.reader() as session:
        stored = session.get(models.Credential, cred["id"]).encrypted_blob
    assert "very secret" not in stored
    repository = fernet.KeyRepository(service.conf.credential.key_repository, 1)
    keys = [Fernet(k) for k in repository.keys()]
    assert MultiFernet(keys).decrypt(stored.encode()) == b"very secret"

    # A rotation keeps old blobs readable.
    fernet.KeyRepository(service.conf.credential.key_repository, 3).rotate()
    assert admin.get(f"/v3/credentials/{cred['id']}").get_json()["credential"]["blob"] == \
        "very secret"


def test_ec2_credential_id_is_the_access_hash(admin, admin_id, project_id):
    created = admin.post("/v3/credentials", json=body(
        admin_id, type="ec2", blob=ec2_blob(), project_id=project_id))
    assert created.status_code == 201, created.get_json()
    cred = created.get_json()["credential"]
    assert cred["id"] == hashlib.sha256(b"AKIA1").hexdigest()
    assert json.loads(cred["blob"])["secret"] == "s3cr3t"

    again = admin.post("/v3/credentials", json=body(
        admin_id, type="ec2", blob=ec2_blob(secret="other"), project_id=project_id))
    assert again.status_code == 409

    # Changing the keys keeps the id, as in Keystone.
    updated = admin.patch(f"/v3/credentials/{cred['id']}", json={"credential": {
        "blob": ec2_blob("AKIA2", "new"), "type": "ec2", "project_id": project_id}})
    assert updated.status_code == 200
    assert updated.get_json()["credential"]["id"] == cred["id"]
    assert json.loads(updated.get_json()["credential"]["blob"])["access"] == "AKIA2"


def test_ec2_credential_rules(admin, admin_id, project_id):
    def post(**fields):
        return admin.post("/v3/credentials", json=body(admin_id, type="ec2", **fields))

    assert post(blob=ec2_blob()).status_code == 400  # no project
    assert post(blob="not json", project_id=project_id).status_code == 400
    assert post(blob=json.dumps({"secret": "x"}), project_id=project_id).status_code == 400
    assert post(blob=json.dumps(["x"]), project_id=project_id).status_code == 400
    cred = post(blob=ec2_blob(), project_id=project_id).get_json()["credential"]
    cleared = admin.patch(f"/v3/credentials/{cred['id']}", json={"credential": {
        "project_id": None}})
    assert cleared.status_code == 400
    totp = admin.post("/v3/credentials", json=body(admin_id)).get_json()["credential"]
    assert admin.patch(f"/v3/credentials/{totp['id']}", json={"credential": {
        "type": "ec2"}}).status_code == 400


def test_bad_input(admin, admin_id):
    assert admin.post("/v3/credentials", json={"credential": {
        "user_id": admin_id, "type": "totp"}}).status_code == 400
    assert admin.post("/v3/credentials", json=body(admin_id, blob={"a": 1})).status_code == 400
    assert admin.post("/v3/credentials", json=body(admin_id, type="")).status_code == 400
    cred = admin.post("/v3/credentials", json=body(admin_id)).get_json()["credential"]
    assert admin.patch(f"/v3/credentials/{cred['id']}", json={"credential": {}}
                       ).status_code == 400
    assert admin.patch(f"/v3/credentials/{cred['id']}", json={"credential": {
        "id": "other"}}).status_code == 400
    assert admin.get("/v3/credentials?colour=blue").status_code == 400


def test_list_filters(admin, admin_id, project_id):
    admin.post("/v3/credentials", json=body(admin_id))
    admin.post("/v3/credentials", json=body(admin_id, type="ec2", blob=ec2_blob(),
                                            project_id=project_id))
    everything = admin.get("/v3/credentials").get_json()["credentials"]
    assert len(everything) == 2
    ec2 = admin.get("/v3/credentials?type=ec2").get_json()["credentials"]
    assert [c["type"] for c in ec2] == ["ec2"]
    assert admin.get(f"/v3/credentials?user_id={admin_id}&type=totp"
                     ).get_json()["credentials"][0]["blob"] == "seed"
    assert admin.get("/v3/credentials?user_id=nobody").get_json()["credentials"] == []


def test_members_see_and_manage_only_their_own(identity, client, admin, admin_id):
    mine = admin.post("/v3/credentials", json=body(admin_id)).get_json()["credential"]
    alice, as_alice = member_client(identity, client)
    own = as_alice.post("/v3/credentials", json=body(alice.id, blob="alice's"))
    assert own.status_code == 201
    own = own.get_json()["credential"]

    listed = as_alice.get("/v3/credentials").get_json()["credentials"]
    assert [c["id"] for c in listed] == [own["id"]]
    assert as_alice.get(f"/v3/credentials?user_id={admin_id}"
                        ).get_json()["credentials"] == []
    assert {c["id"] for c in admin.get("/v3/credentials").get_json()["credentials"]} == {
        mine["id"], own["id"]}

    assert as_alice.get(f"/v3/credentials/{own['id']}").status_code == 200
    assert as_alice.get(f"/v3/credentials/{mine['id']}").status_code == 403
    assert as_alice.patch(f"/v3/credentials/{mine['id']}", json={"credential": {
        "blob": "x"}}).status_code == 403
    assert as_alice.delete(f"/v3/credentials/{mine['id']}").status_code == 403
    assert as_alice.post("/v3/credentials", json=body(admin_id)).status_code == 403
    # nor can she hand her credential over to someone else
    assert as_alice.patch(f"/v3/credentials/{own['id']}", json={"credential": {
        "user_id": admin_id}}).status_code == 403
    assert as_alice.delete(f"/v3/credentials/{own['id']}").status_code == 204
    assert client.get("/v3/credentials").status_code == 401


def app_cred_client(client, caller, user_id: str, **fields):
    """A client whose token comes from a new application credential of ``user_id``."""
    cred = caller.post(f"/v3/users/{user_id}/application_credentials", json={
        "application_credential": {"name": "app", **fields}}).get_json()[
        "application_credential"]
    token = app_cred_auth(client, id=cred["id"], secret=cred["secret"])
    return cred, AuthedClient(client, token.headers["X-Subject-Token"])


def test_application_credential_tokens_reach_only_their_project(
        identity, client, project_id):
    alice, as_alice = member_client(identity, client)
    seed = as_alice.post("/v3/credentials", json=body(alice.id)).get_json()["credential"]
    cert = as_alice.post("/v3/credentials", json=body(
        alice.id, type="cert", project_id=project_id)).get_json()["credential"]
    _, as_app = app_cred_client(client, as_alice, alice.id)

    assert [c["id"] for c in as_app.get("/v3/credentials").get_json()["credentials"]] == [
        cert["id"]]
    assert as_app.get(f"/v3/credentials/{cert['id']}").status_code == 200
    assert as_app.get(f"/v3/credentials/{seed['id']}").status_code == 403
    assert as_app.delete(f"/v3/credentials/{seed['id']}").status_code == 403
    assert as_app.patch(f"/v3/credentials/{seed['id']}", json={"credential": {
        "blob": "stolen"}}).status_code == 403
    assert as_app.post("/v3/credentials", json=body(alice.id)).status_code == 403


def test_ec2_keys_from_application_credentials(identity, client, project_id):
    alice, as_alice = member_client(identity, client)
    _, restricted = app_cred_client(client, as_alice, alice.id)
    ec2 = body(alice.id, type="ec2", blob=ec2_blob(), project_id=project_id)
    assert restricted.post("/v3/credentials", json=ec2).status_code == 403

    app_cred, free = app_cred_client(client, as_alice, alice.id, name="free",
                                     unrestricted=True)
    created = free.post("/v3/credentials", json=ec2)
    assert created.status_code == 201
    cred = created.get_json()["credential"]
    assert json.loads(cred["blob"])["app_cred_id"] == app_cred["id"]
    # the delegation recorded in the blob cannot be dropped
    dropped = as_alice.patch(f"/v3/credentials/{cred['id']}", json={"credential": {
        "blob": ec2_blob(secret="new")}})
    assert dropped.status_code == 400
    kept = as_alice.patch(f"/v3/credentials/{cred['id']}", json={"credential": {
        "blob": json.dumps({"access": "AKIA1", "secret": "new",
                            "app_cred_id": app_cred["id"]})}})
    assert kept.status_code == 200


def test_deleting_a_user_deletes_their_credentials(identity, client, admin):
    alice, as_alice = member_client(identity, client)
    cred = as_alice.post("/v3/credentials", json=body(alice.id)).get_json()["credential"]
    identity.extensions["identity"].users.delete_user(alice.id)
    assert admin.get(f"/v3/credentials/{cred['id']}").status_code == 404


def test_openstacksdk_credentials(server_url):
    conn = openstack.connect(auth_url=server_url + "/v3", username="admin",
                             password="secret", project_name="admin",
                             user_domain_id="default", project_domain_id="default")
    cred = conn.identity.create_credential(user_id=conn.current_user_id, type="cert",
                                           blob="-----BEGIN CERTIFICATE-----")
    assert conn.identity.get_credential(cred.id).blob == "-----BEGIN CERTIFICATE-----"
    conn.identity.update_credential(cred, blob="renewed")
    assert [c.blob for c in conn.identity.credentials()] == ["renewed"]
    conn.identity.delete_credential(cred)
    assert list(conn.identity.credentials()) == []


# -- revocation events ---------------------------------------------------------

def test_revocation_events_list(client, admin, admin_token):
    subject = issue_token(client)
    audit_id = admin.get("/v3/auth/tokens", headers={"X-Subject-Token": subject}
                         ).get_json()["token"]["audit_ids"][0]
    admin.delete("/v3/auth/tokens", headers={"X-Subject-Token": subject})

    response = admin.get("/v3/OS-REVOKE/events")
    assert response.status_code == 200
    listed = response.get_json()
    assert listed["links"]["self"].endswith("/v3/OS-REVOKE/events")
    event = [e for e in listed["events"] if e.get("audit_id") == audit_id][0]
    assert event["issued_before"].endswith("Z") and "user_id" not in event

    since = event["revoked_at"]
    assert audit_id in [e.get("audit_id") for e in admin.get(
        f"/v3/OS-REVOKE/events?since={since}").get_json()["events"]]
    assert admin.get("/v3/OS-REVOKE/events?since=2999-01-01T00:00:00Z"
                     ).get_json()["events"] == []
    assert admin.get("/v3/OS-REVOKE/events?since=yesterday").status_code == 400
    assert admin.get("/v3/OS-REVOKE/events?until=now").status_code == 400


def test_revocation_events_need_admin_or_service(identity, client):
    _, member = member_client(identity, client)
    assert member.get("/v3/OS-REVOKE/events").status_code == 403
    assert client.get("/v3/OS-REVOKE/events").status_code == 401

