"""``/v3/groups`` and memberships through the real app."""
import openstack
import pytest

from tests.functional.identity.conftest import AuthedClient, issue_token
from tests.functional.identity.test_users import (
    as_user,
    domain_token,
    make_user,
    project_id,
    role_id,
)


def make_group(admin, name="devs", **attrs) -> dict:
    response = admin.post("/v3/groups", json={"group": {"name": name, **attrs}})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["group"]


def member_url(group, user) -> str:
    return f"/v3/groups/{group['id']}/users/{user['id']}"


# -- CRUD -------------------------------------------------------------------

def test_create_get_update_delete(admin):
    group = make_group(admin, description="developers", colour="blue")
    assert group["name"] == "devs"
    assert group["domain_id"] == "default"
    assert group["description"] == "developers"
    assert group["colour"] == "blue"
    assert group["links"]["self"].endswith(f"/v3/groups/{group['id']}")
    assert admin.get(f"/v3/groups/{group['id']}").get_json()["group"] == group

    response = admin.patch(f"/v3/groups/{group['id']}", json={"group": {"name": "ops"}})
    assert response.status_code == 200
    updated = response.get_json()["group"]
    assert (updated["name"], updated["description"], updated["domain_id"]) == \
        ("ops", "developers", "default")
    response = admin.patch(f"/v3/groups/{group['id']}",
                           json={"group": {"description": "operators", "colour": "red"}})
    assert response.get_json()["group"]["description"] == "operators"
    assert admin.get(f"/v3/groups/{group['id']}").get_json()["group"]["colour"] == "red"

    assert admin.delete(f"/v3/groups/{group['id']}").status_code == 204
    assert admin.get(f"/v3/groups/{group['id']}").status_code == 404


def test_description_defaults_to_empty(admin):
    assert make_group(admin)["description"] == ""


def test_create_in_named_domain(admin):
    domain = admin.post("/v3/domains", json={"domain": {"name": "other"}}).get_json()["domain"]
    group = make_group(admin, domain_id=domain["id"])
    assert group["domain_id"] == domain["id"]
    # the same name in another domain is fine
    assert make_group(admin)["domain_id"] == "default"


@pytest.mark.parametrize("body", [
    {"group": {"name": ""}},
    {"group": {"name": "g" * 65}},
    {"group": {"name": "  "}},
    {"group": {"name": 5}},
    {"group": {"name": "g", "description": 5}},
    {"group": {"description": "no name"}},
    {"groups": {"name": "g"}},
])
def test_create_rejects_bad_input(admin, body):
    response = admin.post("/v3/groups", json=body)
    assert response.status_code == 400, response.get_json()


def test_create_in_missing_domain_is_404(admin):
    response = admin.post("/v3/groups", json={"group": {"name": "g", "domain_id": "nope"}})
    assert response.status_code == 404
    assert "domain" in response.get_json()["error"]["message"]


def test_update_rejects_bad_input(admin):
    group = make_group(admin)
    url = f"/v3/groups/{group['id']}"
    assert admin.patch(url, json={"group": {}}).status_code == 400
    assert admin.patch(url, json={"group": {"domain_id": "elsewhere"}}).status_code == 400
    assert admin.patch(url, json={"group": {"id": "other"}}).status_code == 400
    assert admin.patch(url, json={"group": {"name": "g" * 65}}).status_code == 400
    assert admin.patch(url, json={"group": {"id": group["id"], "name": "x"}}).status_code \
        == 200


def test_duplicate_names_conflict(admin):
    make_group(admin, name="dup")
    other = make_group(admin, name="other")
    assert admin.post("/v3/groups", json={"group": {"name": "dup"}}).status_code == 409
    response = admin.patch(f"/v3/groups/{other['id']}", json={"group": {"name": "dup"}})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == 409


def test_missing_group_is_404(admin):
    user = make_user(admin)
    assert admin.get("/v3/groups/nope").status_code == 404
    assert admin.patch("/v3/groups/nope", json={"group": {"name": "x"}}).status_code == 404
    assert admin.delete("/v3/groups/nope").status_code == 404
    assert admin.get("/v3/groups/nope/users").status_code == 404
    for method in (admin.put, admin.head, admin.delete):
        assert method(f"/v3/groups/nope/users/{user['id']}").status_code == 404


def test_list_and_filters(admin):
    domain = admin.post("/v3/domains", json={"domain": {"name": "d2"}}).get_json()["domain"]
    make_group(admin, name="a")
    make_group(admin, name="b")
    make_group(admin, name="a", domain_id=domain["id"])

    def listed(query=""):
        response = admin.get("/v3/groups" + query)
        assert response.status_code == 200, response.get_json()
        return sorted((g["name"], g["domain_id"]) for g in response.get_json()["groups"])

    assert listed() == sorted([("a", "default"), ("a", domain["id"]), ("b", "default")])
    assert listed("?name=a") == sorted([("a", "default"), ("a", domain["id"])])
    assert listed(f"?domain_id={domain['id']}") == [("a", domain["id"])]
    assert listed("?name=a&domain_id=default") == [("a", "default")]
    assert admin.get("/v3/groups?enabled=true").status_code == 400


# -- membership -------------------------------------------------------------

def test_membership_lifecycle(admin):
    group = make_group(admin)
    alice = make_user(admin, name="alice")
    bob = make_user(admin, name="bob")
    assert admin.head(member_url(group, alice)).status_code == 404
    for user in (alice, bob):
        assert admin.put(member_url(group, user)).status_code == 204
    assert admin.put(member_url(group, alice)).status_code == 204  # idempotent
    assert admin.head(member_url(group, alice)).status_code == 204
    assert admin.get(member_url(group, alice)).status_code == 204

    response = admin.get(f"/v3/groups/{group['id']}/users")
    assert response.status_code == 200
    members = response.get_json()["users"]
    assert sorted(members, key=lambda u: u["name"]) == [alice, bob]
    assert response.get_json()["links"]["self"].endswith(f"/v3/groups/{group['id']}/users")

    groups = admin.get(f"/v3/users/{alice['id']}/groups").get_json()["groups"]
    assert groups == [{**group, "membership_expires_at": None}]

    assert admin.delete(member_url(group, alice)).status_code == 204
    assert admin.head(member_url(group, alice)).status_code == 404
    response = admin.delete(member_url(group, alice))
    assert response.status_code == 404
    assert "not found in group" in response.get_json()["error"]["message"]
    assert [u["name"] for u in admin.get(
        f"/v3/groups/{group['id']}/users").get_json()["users"]] == ["bob"]
    assert admin.get(f"/v3/users/{alice['id']}/groups").get_json()["groups"] == []


def test_membership_with_missing_user_is_404(admin):
    group = make_group(admin)
    for method in (admin.put, admin.head, admin.delete):
        response = method(f"/v3/groups/{group['id']}/users/nobody")
        assert response.status_code == 404


def test_users_in_group_filters(admin):
    group = make_group(admin)
    on = make_user(admin, name="on")
    off = make_user(admin, name="off", enabled=False)
    make_user(admin, name="outsider")
    for user in (on, off):
        admin.put(member_url(group, user))

    def names(query=""):
        response = admin.get(f"/v3/groups/{group['id']}/users{query}")
        assert response.status_code == 200, response.get_json()
        return sorted(u["name"] for u in response.get_json()["users"])

    assert names() == ["off", "on"]
    assert names("?enabled=false") == ["off"]
    assert names("?name=on") == ["on"]
    assert names("?domain_id=default") == ["off", "on"]
    assert names("?password_expires_at=lt:2000-01-01T00:00:00Z") == []
    assert admin.get(f"/v3/groups/{group['id']}/users?password_expires_at=zz:1"
                     ).status_code == 400
    assert admin.get(f"/v3/groups/{group['id']}/users?colour=1").status_code == 400


def test_user_groups_filter_by_name(admin):
    user = make_user(admin)
    for name in ("g1", "g2"):
        admin.put(member_url(make_group(admin, name=name), user))
    groups = admin.get(f"/v3/users/{user['id']}/groups?name=g2").get_json()["groups"]
    assert [g["name"] for g in groups] == ["g2"]
    assert admin.get(f"/v3/users/{user['id']}/groups?x=1").status_code == 400


def test_deleting_user_or_group_ends_memberships(admin):
    group = make_group(admin)
    user = make_user(admin)
    admin.put(member_url(group, user))
    admin.delete(f"/v3/users/{user['id']}")
    assert admin.get(f"/v3/groups/{group['id']}/users").get_json()["users"] == []

    user = make_user(admin, name="second")
    admin.put(member_url(group, user))
    admin.delete(f"/v3/groups/{group['id']}")
    assert admin.get(f"/v3/users/{user['id']}/groups").get_json()["groups"] == []


# -- tokens -----------------------------------------------------------------

def _group_with_project_role(admin, identity):
    group = make_group(admin)
    identity.extensions["identity"].assignments.create_grant(
        role_id(identity, "member"), "group", group["id"], "project", project_id(identity))
    user = make_user(admin, name="grouped", password="pw")
    admin.put(member_url(group, user))
    return group, user


def test_group_role_scopes_a_token_and_removal_revokes_it(client, admin, identity):
    group, user = _group_with_project_role(admin, identity)
    token = issue_token(client, user="grouped", password="pw")
    headers = {"X-Auth-Token": token}
    assert client.get(f"/v3/users/{user['id']}", headers=headers).status_code == 200
    assert admin.delete(member_url(group, user)).status_code == 204
    assert client.get(f"/v3/users/{user['id']}", headers=headers).status_code == 401
    response = client.post("/v3/auth/tokens", json={"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": "grouped", "domain": {"id": "default"}, "password": "pw"}}},
        "scope": {"project": {"id": project_id(identity)}}}})
    assert response.status_code == 401


def test_deleting_a_group_with_roles_revokes_member_tokens(client, admin, identity):
    group, user = _group_with_project_role(admin, identity)
    unscoped = issue_token(client, user="grouped", password="pw", project=None)
    assert admin.delete(f"/v3/groups/{group['id']}").status_code == 204
    assert client.get(f"/v3/users/{user['id']}",
                      headers={"X-Auth-Token": unscoped}).status_code == 401


def test_deleting_a_group_without_roles_keeps_member_tokens(client, admin):
    group = make_group(admin)
    user = make_user(admin, name="plain", password="pw")
    admin.put(member_url(group, user))
    token = issue_token(client, user="plain", password="pw", project=None)
    assert admin.delete(f"/v3/groups/{group['id']}").status_code == 204
    assert client.get(f"/v3/users/{user['id']}",
                      headers={"X-Auth-Token": token}).status_code == 200


# -- policy -----------------------------------------------------------------

def test_plain_user_cannot_manage_groups(client, admin):
    group = make_group(admin)
    me = make_user(admin, name="ivan", password="pw")
    other = make_user(admin, name="judy")
    admin.put(member_url(group, me))
    ivan = as_user(client, "ivan", "pw")
    assert ivan.post("/v3/groups", json={"group": {"name": "mine"}}).status_code == 403
    assert ivan.get("/v3/groups").status_code == 403
    assert ivan.get(f"/v3/groups/{group['id']}").status_code == 403
    assert ivan.patch(f"/v3/groups/{group['id']}",
                      json={"group": {"name": "x"}}).status_code == 403
    assert ivan.delete(f"/v3/groups/{group['id']}").status_code == 403
    assert ivan.get(f"/v3/groups/{group['id']}/users").status_code == 403
    assert ivan.put(member_url(group, other)).status_code == 403
    assert ivan.delete(member_url(group, me)).status_code == 403
    assert ivan.head(member_url(group, me)).status_code == 403
    # but it may see its own groups
    response = ivan.get(f"/v3/users/{me['id']}/groups")
    assert response.status_code == 200
    assert [g["id"] for g in response.get_json()["groups"]] == [group["id"]]
    assert ivan.get(f"/v3/users/{other['id']}/groups").status_code == 403


def test_domain_reader_reads_but_does_not_write(client, admin, identity):
    group = make_group(admin)
    reader = make_user(admin, name="leo", password="pw")
    identity.extensions["identity"].assignments.create_grant(
        role_id(identity, "reader"), "user", reader["id"], "domain", "default")
    leo = AuthedClient(client, domain_token(client, "leo", "pw"))
    assert leo.get("/v3/groups").status_code == 200
    assert leo.get(f"/v3/groups/{group['id']}").status_code == 200
    assert leo.get(f"/v3/groups/{group['id']}/users").status_code == 200
    assert leo.head(member_url(group, reader)).status_code == 404
    assert leo.put(member_url(group, reader)).status_code == 403
    assert leo.post("/v3/groups", json={"group": {"name": "x"}}).status_code == 403


# -- client compatibility ---------------------------------------------------

def test_openstacksdk_manages_groups(server_url):
    conn = openstack.connect(auth_url=server_url + "/v3", username="admin", password="secret",
                             project_name="admin", user_domain_id="default",
                             project_domain_id="default")
    try:
        group = conn.identity.create_group(name="sdk-group", description="by sdk")
        user = conn.identity.create_user(name="sdk-member", password="pw")
        assert conn.identity.find_group("sdk-group").id == group.id
        assert conn.identity.update_group(group, description="changed").description \
            == "changed"
        assert [g.id for g in conn.identity.groups(name="sdk-group")] == [group.id]
        conn.identity.add_user_to_group(user, group)
        assert conn.identity.check_user_in_group(user, group) is True
        assert [u.id for u in conn.identity.group_users(group)] == [user.id]
        assert [g.id for g in conn.identity.user_groups(user)] == [group.id]
        conn.identity.remove_user_from_group(user, group)
        assert conn.identity.check_user_in_group(user, group) is False
        conn.identity.delete_group(group)
        assert conn.identity.find_group("sdk-group") is None
        conn.identity.delete_user(user)
    finally:
        conn.close()
