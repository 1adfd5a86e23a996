"""Roles, domain-specific roles and implied roles through the real app."""
import openstack
import pytest

from tests.functional.identity.conftest import AuthedClient, issue_token


def _create_role(admin, name, **fields):
    response = admin.post("/v3/roles", json={"role": {"name": name, **fields}})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["role"]


def _create_domain(admin, name):
    response = admin.post("/v3/domains", json={"domain": {"name": name}})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["domain"]


def _member_client(client, admin, name="plain"):
    """A client for a new user holding only ``member`` on the admin project."""
    user = admin.post("/v3/users", json={"user": {
        "name": name, "password": "pw-" + name, "domain_id": "default"}}).get_json()["user"]
    project = admin.get("/v3/projects?name=admin").get_json()["projects"][0]
    member = admin.get("/v3/roles?name=member").get_json()["roles"][0]
    grant = f"/v3/projects/{project['id']}/users/{user['id']}/roles/{member['id']}"
    assert admin.put(grant).status_code == 204
    return AuthedClient(client, issue_token(client, user=name, password="pw-" + name))


def test_role_crud(admin):
    role = _create_role(admin, "auditor", description="reads logs", colour="blue")
    assert role["domain_id"] is None
    assert role["description"] == "reads logs"
    assert role["options"] == {}
    assert role["colour"] == "blue"
    assert role["links"]["self"].endswith(f"/v3/roles/{role['id']}")
    assert admin.get(f"/v3/roles/{role['id']}").get_json()["role"] == role
    assert role in admin.get("/v3/roles").get_json()["roles"]
    updated = admin.patch(f"/v3/roles/{role['id']}",
                          json={"role": {"name": "auditor2", "description": None}})
    assert updated.status_code == 200
    assert updated.get_json()["role"]["name"] == "auditor2"
    assert updated.get_json()["role"]["description"] is None
    assert admin.delete(f"/v3/roles/{role['id']}").status_code == 204
    assert admin.get(f"/v3/roles/{role['id']}").status_code == 404
    assert admin.delete(f"/v3/roles/{role['id']}").status_code == 404


def test_list_roles_filters(admin):
    listed = admin.get("/v3/roles").get_json()
    assert {"admin", "member", "reader", "service"} <= {r["name"] for r in listed["roles"]}
    assert listed["links"]["self"].endswith("/v3/roles")
    named = admin.get("/v3/roles?name=member").get_json()["roles"]
    assert [r["name"] for r in named] == ["member"]
    assert admin.get("/v3/roles?colour=red").status_code == 400


def test_duplicate_role_name_is_409(admin):
    role = _create_role(admin, "twice")
    response = admin.post("/v3/roles", json={"role": {"name": "twice"}})
    assert response.status_code == 409
    assert "twice" in response.get_json()["error"]["message"]
    _create_role(admin, "other")
    clash = admin.patch(f"/v3/roles/{role['id']}", json={"role": {"name": "other"}})
    assert clash.status_code == 409


@pytest.mark.parametrize("body", [
    {"role": {}},
    {"role": {"name": ""}},
    {"role": {"name": "x" * 256}},
    {"role": {"name": "ok", "options": {"colour": True}}},
    {"role": {"name": "ok", "options": {"immutable": "yes"}}},
    {"role": {"name": "ok", "description": 5}},
    {"role": {"name": "ok", "domain_id": "no-such-domain"}},
    {"nothing": {}},
])
def test_bad_role_bodies_are_400(admin, body):
    response = admin.post("/v3/roles", json=body)
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"]["code"] == 400


def test_bad_role_updates_are_400(admin):
    role = _create_role(admin, "steady")
    for body in ({"role": {}}, {"role": {"id": "other"}}, {"role": {"name": ""}}):
        response = admin.patch(f"/v3/roles/{role['id']}", json=body)
        assert response.status_code == 400, (body, response.get_json())


def test_domain_specific_roles(admin):
    domain = _create_domain(admin, "acme")
    role = _create_role(admin, "operator", domain_id=domain["id"])
    assert role["domain_id"] == domain["id"]
    same_name_global = _create_role(admin, "operator")
    assert same_name_global["id"] != role["id"]
    assert admin.get(f"/v3/roles?domain_id={domain['id']}").get_json()["roles"] == [role]
    assert role not in admin.get("/v3/roles").get_json()["roles"]
    assert admin.get(f"/v3/roles/{role['id']}").get_json()["role"] == role
    moved = admin.patch(f"/v3/roles/{role['id']}", json={"role": {"domain_id": None}})
    assert moved.status_code == 400
    assert admin.delete(f"/v3/roles/{role['id']}").status_code == 204
    assert admin.get(f"/v3/roles?domain_id={domain['id']}").get_json()["roles"] == []


def test_immutable_role_refuses_change_until_cleared(admin):
    role = _create_role(admin, "frozen", options={"immutable": True})
    assert role["options"] == {"immutable": True}
    url = f"/v3/roles/{role['id']}"
    assert admin.patch(url, json={"role": {"name": "thawed"}}).status_code == 403
    assert admin.delete(url).status_code == 403
    cleared = admin.patch(url, json={"role": {"options": {"immutable": None}}})
    assert cleared.status_code == 200
    assert cleared.get_json()["role"]["options"] == {}
    assert admin.delete(url).status_code == 204


def test_non_admin_cannot_manage_roles(client, admin):
    plain = _member_client(client, admin)
    role = _create_role(admin, "guarded")
    assert plain.post("/v3/roles", json={"role": {"name": "mine"}}).status_code == 403
    assert plain.get("/v3/roles").status_code == 403
    assert plain.get(f"/v3/roles/{role['id']}").status_code == 403
    assert plain.get("/v3/roles/no-such-role").status_code == 403
    assert plain.patch(f"/v3/roles/{role['id']}",
                       json={"role": {"name": "x"}}).status_code == 403
    assert plain.delete(f"/v3/roles/{role['id']}").status_code == 403
    assert plain.put(f"/v3/roles/{role['id']}/implies/{role['id']}").status_code == 403
    assert plain.get("/v3/role_inferences").status_code == 403
    assert client.get("/v3/roles").status_code == 401


def test_implied_role_lifecycle(admin):
    prior = _create_role(admin, "prior")
    first = _create_role(admin, "first")
    second = _create_role(admin, "second")
    url = f"/v3/roles/{prior['id']}/implies/{first['id']}"
    created = admin.put(url)
    assert created.status_code == 201
    body = created.get_json()
    assert body["role_inference"]["prior_role"] == {
        "id": prior["id"], "links": prior["links"], "name": "prior"}
    assert body["role_inference"]["implies"]["id"] == first["id"]
    assert body["links"]["self"].endswith(url)
    assert admin.get(url).get_json() == body
    assert admin.head(url).status_code == 204
    assert admin.put(url).status_code == 409
    assert admin.put(f"/v3/roles/{prior['id']}/implies/{second['id']}").status_code == 201

    listed = admin.get(f"/v3/roles/{prior['id']}/implies")
    assert listed.status_code == 200
    assert {r["id"] for r in listed.get_json()["role_inference"]["implies"]} == {
        first["id"], second["id"]}
    assert listed.get_json()["links"]["self"].endswith(f"/v3/roles/{prior['id']}/implies")
    assert admin.head(f"/v3/roles/{prior['id']}/implies").status_code == 200

    rules = admin.get("/v3/role_inferences").get_json()["role_inferences"]
    mine = [r for r in rules if r["prior_role"]["id"] == prior["id"]]
    assert len(mine) == 1 and len(mine[0]["implies"]) == 2
    defaults = {(r["prior_role"]["name"], i["name"]) for r in rules for i in r["implies"]}
    assert {("admin", "member"), ("member", "reader")} <= defaults

    assert admin.delete(url).status_code == 204
    assert admin.get(url).status_code == 404
    assert admin.head(url).status_code == 404
    assert admin.delete(url).status_code == 404


def test_implied_role_refusals(admin):
    one = _create_role(admin, "one")
    two = _create_role(admin, "two")
    three = _create_role(admin, "three")
    admin_role = admin.get("/v3/roles?name=admin").get_json()["roles"][0]
    assert admin.put(f"/v3/roles/{one['id']}/implies/{one['id']}").status_code == 403
    assert admin.put(f"/v3/roles/{one['id']}/implies/{two['id']}").status_code == 201
    assert admin.put(f"/v3/roles/{two['id']}/implies/{three['id']}").status_code == 201
    cycle = admin.put(f"/v3/roles/{three['id']}/implies/{one['id']}")
    assert cycle.status_code == 403
    assert "cycle" in cycle.get_json()["error"]["message"]
    assert admin.put(f"/v3/roles/{one['id']}/implies/{admin_role['id']}").status_code == 403
    assert admin.put(f"/v3/roles/{one['id']}/implies/nope").status_code == 404
    assert admin.put(f"/v3/roles/nope/implies/{one['id']}").status_code == 404
    assert admin.get("/v3/roles/nope/implies").status_code == 404


def test_domain_role_implications(admin):
    domain = _create_domain(admin, "implying")
    other = _create_domain(admin, "elsewhere")
    global_role = _create_role(admin, "global")
    local = _create_role(admin, "local", domain_id=domain["id"])
    local2 = _create_role(admin, "local2", domain_id=domain["id"])
    foreign = _create_role(admin, "foreign", domain_id=other["id"])
    assert admin.put(f"/v3/roles/{local['id']}/implies/{local2['id']}").status_code == 201
    assert admin.put(f"/v3/roles/{local['id']}/implies/{foreign['id']}").status_code == 201
    assert admin.put(f"/v3/roles/{local['id']}/implies/{global_role['id']}").status_code == 201
    refused = admin.put(f"/v3/roles/{global_role['id']}/implies/{local['id']}")
    assert refused.status_code == 403


def test_deleting_a_role_removes_its_rules_and_grants(admin):
    prior = _create_role(admin, "doomed")
    implied = _create_role(admin, "survivor")
    assert admin.put(f"/v3/roles/{prior['id']}/implies/{implied['id']}").status_code == 201
    project = admin.get("/v3/projects?name=admin").get_json()["projects"][0]
    user = admin.get("/v3/users?name=admin").get_json()["users"][0]
    grant = f"/v3/projects/{project['id']}/users/{user['id']}/roles/{prior['id']}"
    assert admin.put(grant).status_code == 204
    assert admin.delete(f"/v3/roles/{prior['id']}").status_code == 204
    rules = admin.get("/v3/role_inferences").get_json()["role_inferences"]
    assert prior["id"] not in {r["prior_role"]["id"] for r in rules}
    assignments = admin.get(f"/v3/role_assignments?role.id={prior['id']}").get_json()
    assert assignments["role_assignments"] == []
    assert admin.get(f"/v3/roles/{implied['id']}").status_code == 200


def test_deleting_a_role_takes_it_out_of_tokens(client, admin):
    """Token roles are recomputed on validation: a token loses a deleted role,
    and a token that held nothing else stops being valid."""
    role = _create_role(admin, "temporary")
    project = admin.post("/v3/projects", json={"project": {"name": "temp"}}).get_json()[
        "project"]
    user = admin.post("/v3/users", json={"user": {
        "name": "temp-user", "password": "pw", "domain_id": "default"}}).get_json()["user"]
    admin_user = admin.get("/v3/users?name=admin").get_json()["users"][0]
    member = admin.get("/v3/roles?name=member").get_json()["roles"][0]
    for holder, role_id in ((user["id"], role["id"]), (admin_user["id"], role["id"]),
                            (admin_user["id"], member["id"])):
        assert admin.put(f"/v3/projects/{project['id']}/users/{holder}/roles/"
                         f"{role_id}").status_code == 204
    only_role = issue_token(client, user="temp-user", password="pw", project="temp")
    among_others = issue_token(client, project="temp")
    assert admin.delete(f"/v3/roles/{role['id']}").status_code == 204
    gone = admin.get("/v3/auth/tokens", headers={"X-Subject-Token": only_role})
    assert gone.status_code == 404
    kept = admin.get("/v3/auth/tokens", headers={"X-Subject-Token": among_others})
    assert kept.status_code == 200
    assert {r["name"] for r in kept.get_json()["token"]["roles"]} == {"member", "reader"}


def test_openstacksdk_roles(server_url):
    conn = openstack.connect(auth_url=server_url + "/v3", username="admin", password="secret",
                             project_name="admin", user_domain_id="default",
                             project_domain_id="default")
    role = conn.identity.create_role(name="sdk-role", description="from the sdk")
    assert conn.identity.get_role(role.id).name == "sdk-role"
    assert conn.identity.find_role("sdk-role").id == role.id
    assert "sdk-role" in [r.name for r in conn.identity.roles()]
    conn.identity.update_role(role, name="sdk-role-2")
    assert conn.identity.get_role(role.id).name == "sdk-role-2"
    conn.identity.delete_role(role)
    assert conn.identity.find_role("sdk-role-2") is None
