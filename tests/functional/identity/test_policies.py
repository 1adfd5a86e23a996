"""Policy blobs (``/v3/policies``): Keystone's CRUD, admin only, and the 0002
migration that adds their table to an existing database."""

import openstack
import pytest

from tests.functional.identity.test_ec2_credentials import api_member


def create(caller, **fields):
    return caller.post("/v3/policies", json={"policy": {
        "blob": '{"default": ""}', "type": "application/json", **fields}})


def test_lifecycle_and_keystone_shape(admin):
    created = create(admin, owner="ops")
    assert created.status_code == 201, created.get_json()
    policy = created.get_json()["policy"]
    assert (policy["blob"], policy["type"], policy["owner"]) == (
        '{"default": ""}', "application/json", "ops")
    assert policy["links"]["self"] == f"http://localhost/v3/policies/{policy['id']}"
    assert admin.get(f"/v3/policies/{policy['id']}").get_json()["policy"] == policy

    updated = admin.patch(f"/v3/policies/{policy['id']}", json={"policy": {
        "type": "text/yaml", "note": "v2", "id": policy["id"]}})
    assert updated.status_code == 200
    after = updated.get_json()["policy"]
    assert (after["type"], after["blob"], after["owner"], after["note"]) == (
        "text/yaml", '{"default": ""}', "ops", "v2")
    assert admin.get(f"/v3/policies/{policy['id']}").get_json()["policy"] == after

    assert admin.delete(f"/v3/policies/{policy['id']}").status_code == 204
    assert admin.get(f"/v3/policies/{policy['id']}").status_code == 404
    assert admin.delete(f"/v3/policies/{policy['id']}").status_code == 404
    assert admin.patch(f"/v3/policies/{policy['id']}", json={"policy": {
        "type": "x"}}).status_code == 404


def test_list_and_type_filter(admin):
    ids = {t: create(admin, type=t).get_json()["policy"]["id"] for t in ("a", "b")}
    listed = admin.get("/v3/policies").get_json()
    assert {p["id"] for p in listed["policies"]} == set(ids.values())
    assert listed["links"]["self"].endswith("/v3/policies")
    assert [p["id"] for p in admin.get("/v3/policies?type=b").get_json()["policies"]] == [
        ids["b"]]
    assert admin.get("/v3/policies?type=c").get_json()["policies"] == []
    assert admin.get("/v3/policies?color=red").status_code == 400


def test_client_id_is_ignored_and_never_changes(admin):
    policy = create(admin, id="mine").get_json()["policy"]
    assert policy["id"] != "mine"
    assert admin.patch(f"/v3/policies/{policy['id']}", json={"policy": {
        "id": "other"}}).status_code == 400


@pytest.mark.parametrize("body", [
    {"policy": {"type": "application/json"}},
    {"policy": {"blob": "{}"}},
    {"policy": {"blob": 5, "type": "application/json"}},
    {"policy": {"blob": "{}", "type": "x" * 256}},
    {"policy": "blob"},
    {"blob": "{}", "type": "application/json"},
])
def test_bad_create_bodies(admin, body):
    assert admin.post("/v3/policies", json=body).status_code == 400


def test_bad_update_bodies(admin):
    policy = create(admin).get_json()["policy"]
    for body in ({"policy": {}}, {"policy": {"type": None}}, {}):
        assert admin.patch(f"/v3/policies/{policy['id']}", json=body).status_code == 400


def test_only_admins_manage_policies(identity, admin, client):
    project = identity.extensions["identity"].resources.get_project_by_name("admin",
                                                                            "default")
    _, as_member = api_member(admin, client, "carol", project.id)
    policy = create(admin).get_json()["policy"]
    assert create(as_member).status_code == 403
    assert as_member.get("/v3/policies").status_code == 403
    assert as_member.get(f"/v3/policies/{policy['id']}").status_code == 403
    assert as_member.patch(f"/v3/policies/{policy['id']}", json={"policy": {
        "type": "x"}}).status_code == 403
    assert as_member.delete(f"/v3/policies/{policy['id']}").status_code == 403
    assert client.get("/v3/policies").status_code == 401


def test_openstacksdk_policies(server_url):
    conn = openstack.connect(auth_url=server_url + "/v3", username="admin",
                             password="secret", project_name="admin",
                             user_domain_id="default", project_domain_id="default")
    policy = conn.identity.create_policy(blob='{"a": "b"}', type="application/json")
    assert conn.identity.get_policy(policy.id).blob == '{"a": "b"}'
    conn.identity.update_policy(policy, type="text/plain")
    assert [p.type for p in conn.identity.policies()] == ["text/plain"]
    conn.identity.delete_policy(policy)
    assert list(conn.identity.policies()) == []
