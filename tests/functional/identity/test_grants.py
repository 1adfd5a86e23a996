"""Role grants on projects, domains, inherited and on the system, through the real app."""
import openstack
import pytest

from tests.functional.identity.conftest import AuthedClient


@pytest.fixture
def world(admin):
    """A domain with a project and subproject, a user and a group in it,
    a plain role, and the ids of the default project and roles."""
    def made(path, key, **fields):
        response = admin.post(path, json={key: fields})
        assert response.status_code == 201, response.get_json()
        return response.get_json()[key]

    domain = made("/v3/domains", "domain", name="acme")
    project = made("/v3/projects", "project", name="web", domain_id=domain["id"])
    sub = made("/v3/projects", "project", name="web-sub", parent_id=project["id"])
    user = made("/v3/users", "user", name="alice", password="alice-pw",
                domain_id=domain["id"])
    group = made("/v3/groups", "group", name="ops", domain_id=domain["id"])
    role = made("/v3/roles", "role", name="deployer")
    roles = {r["name"]: r["id"] for r in admin.get("/v3/roles").get_json()["roles"]}
    return {"domain": domain["id"], "project": project["id"], "sub": sub["id"],
            "user": user["id"], "group": group["id"], "role": role["id"], "roles": roles}


def _token(client, world, project="web"):
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": "alice", "domain": {"id": world["domain"]}, "password": "alice-pw"}}},
        "scope": {"project": {"name": project, "domain": {"id": world["domain"]}}}}}
    return client.post("/v3/auth/tokens", json=body)


def _role_names(response) -> set[str]:
    assert response.status_code == 201, response.get_json()
    return {r["name"] for r in response.get_json()["token"]["roles"]}


@pytest.mark.parametrize("target,actor", [("projects", "users"), ("projects", "groups"),
                                          ("domains", "users"), ("domains", "groups")])
def test_grant_check_list_revoke(admin, world, target, actor):
    target_id = world["project" if target == "projects" else "domain"]
    actor_id = world["user" if actor == "users" else "group"]
    base = f"/v3/{target}/{target_id}/{actor}/{actor_id}/roles"
    grant = f"{base}/{world['role']}"
    assert admin.head(grant).status_code == 404
    assert admin.put(grant).status_code == 204
    assert admin.put(grant).status_code == 204
    assert admin.head(grant).status_code == 204
    assert admin.get(grant).status_code == 204
    listed = admin.get(base)
    assert listed.status_code == 200
    assert [r["id"] for r in listed.get_json()["roles"]] == [world["role"]]
    assert listed.get_json()["roles"][0]["name"] == "deployer"
    assert listed.get_json()["links"]["self"].endswith(base)
    assert admin.delete(grant).status_code == 204
    assert admin.delete(grant).status_code == 404
    assert admin.get(base).get_json()["roles"] == []


def test_grant_gives_the_role_and_revoking_it_revokes_the_token(client, admin, world):
    grant = f"/v3/projects/{world['project']}/users/{world['user']}/roles/" \
            f"{world['roles']['member']}"
    assert _token(client, world).status_code == 401
    assert admin.put(grant).status_code == 204
    response = _token(client, world)
    assert _role_names(response) == {"member", "reader"}
    token = response.headers["X-Subject-Token"]
    assert admin.get("/v3/auth/tokens", headers={"X-Subject-Token": token}).status_code == 200
    assert admin.delete(grant).status_code == 204
    assert admin.get("/v3/auth/tokens", headers={"X-Subject-Token": token}).status_code == 404


def test_group_grant_reaches_members(client, admin, world):
    grant = f"/v3/projects/{world['project']}/groups/{world['group']}/roles/{world['role']}"
    assert admin.put(grant).status_code == 204
    assert _token(client, world).status_code == 401
    assert admin.put(f"/v3/groups/{world['group']}/users/{world['user']}").status_code == 204
    assert _role_names(_token(client, world)) == {"deployer"}


def test_inherited_domain_grant_reaches_every_project(client, admin, world):
    base = f"/v3/OS-INHERIT/domains/{world['domain']}/users/{world['user']}/roles"
    grant = f"{base}/{world['role']}/inherited_to_projects"
    assert admin.put(grant).status_code == 204
    assert admin.head(grant).status_code == 204
    listed = admin.get(f"{base}/inherited_to_projects").get_json()["roles"]
    assert [r["id"] for r in listed] == [world["role"]]
    assert admin.get(f"/v3/domains/{world['domain']}/users/{world['user']}/roles"
                     ).get_json()["roles"] == []
    assert _role_names(_token(client, world)) == {"deployer"}
    assert _role_names(_token(client, world, "web-sub")) == {"deployer"}
    assert admin.delete(grant).status_code == 204
    assert admin.head(grant).status_code == 404


def test_inherited_project_grant_reaches_only_the_projects_below(client, admin, world):
    grant = f"/v3/OS-INHERIT/projects/{world['project']}/groups/{world['group']}/roles/" \
            f"{world['role']}/inherited_to_projects"
    assert admin.put(f"/v3/groups/{world['group']}/users/{world['user']}").status_code == 204
    assert admin.put(grant).status_code == 204
    assert admin.get(grant).status_code == 204
    assert _token(client, world).status_code == 401
    assert _role_names(_token(client, world, "web-sub")) == {"deployer"}
    assert admin.delete(grant).status_code == 204


@pytest.mark.parametrize("actor", ["users", "groups"])
def test_system_grants(admin, world, actor):
    actor_id = world["user" if actor == "users" else "group"]
    base = f"/v3/system/{actor}/{actor_id}/roles"
    grant = f"{base}/{world['roles']['reader']}"
    assert admin.get(grant).status_code == 404
    assert admin.put(grant).status_code == 204
    assert admin.head(grant).status_code == 204
    assert [r["name"] for r in admin.get(base).get_json()["roles"]] == ["reader"]
    assert admin.delete(grant).status_code == 204
    assert admin.get(base).get_json()["roles"] == []


def test_domain_specific_role_rules(admin, world):
    local = admin.post("/v3/roles", json={"role": {
        "name": "local", "domain_id": world["domain"]}}).get_json()["role"]
    admin_project = admin.get("/v3/projects?name=admin").get_json()["projects"][0]["id"]
    user = world["user"]
    assert admin.put(f"/v3/projects/{world['project']}/users/{user}/roles/"
                     f"{local['id']}").status_code == 204
    mismatch = admin.put(f"/v3/projects/{admin_project}/users/{user}/roles/{local['id']}")
    assert mismatch.status_code == 403
    system = admin.put(f"/v3/system/users/{user}/roles/{local['id']}")
    assert system.status_code == 400


def test_missing_parts_are_404(admin, world):
    role, user, group = world["role"], world["user"], world["group"]
    project, domain = world["project"], world["domain"]
    for url in (f"/v3/projects/nope/users/{user}/roles/{role}",
                f"/v3/projects/{project}/users/nope/roles/{role}",
                f"/v3/projects/{project}/users/{user}/roles/nope",
                f"/v3/projects/{domain}/users/{user}/roles/{role}",
                f"/v3/domains/{project}/groups/{group}/roles/{role}",
                f"/v3/domains/{domain}/groups/nope/roles/{role}",
                f"/v3/OS-INHERIT/domains/nope/users/{user}/roles/{role}/inherited_to_projects",
                f"/v3/system/users/nope/roles/{role}",
                f"/v3/system/groups/{group}/roles/nope"):
        response = admin.put(url)
        assert response.status_code == 404, url
        assert response.get_json()["error"]["code"] == 404
    assert admin.get(f"/v3/projects/nope/users/{user}/roles").status_code == 404
    assert admin.get("/v3/system/users/nope/roles").status_code == 404
    assert admin.get(f"/v3/things/{project}/users/{user}/roles").status_code == 404


def test_non_admin_cannot_grant(client, admin, world):
    member = world["roles"]["member"]
    assert admin.put(f"/v3/projects/{world['project']}/users/{world['user']}/roles/"
                     f"{member}").status_code == 204
    alice = AuthedClient(client, _token(client, world).headers["X-Subject-Token"])
    grant = f"/v3/projects/{world['project']}/users/{world['user']}/roles/{world['role']}"
    assert alice.put(grant).status_code == 403
    assert alice.delete(grant).status_code == 403
    assert alice.get(f"/v3/projects/{world['project']}/users/{world['user']}/roles"
                     ).status_code == 403
    assert alice.put("/v3/projects/nope/users/nope/roles/nope").status_code == 403
    assert alice.put(f"/v3/system/users/{world['user']}/roles/{member}").status_code == 403
    assert client.put(grant).status_code == 401


def test_openstacksdk_grants_and_effective_assignments(server_url):
    """``openstack role add --project P --user U member``, then
    ``openstack role assignment list --names --effective --user U``."""
    conn = openstack.connect(auth_url=server_url + "/v3", username="admin", password="secret",
                             project_name="admin", user_domain_id="default",
                             project_domain_id="default")
    project = conn.identity.create_project(name="sdk-project", domain_id="default")
    user = conn.identity.create_user(name="sdk-user", password="sdk-pw",
                                     domain_id="default")
    member = conn.identity.find_role("member")
    conn.identity.assign_project_role_to_user(project, user, member)
    assert conn.identity.validate_user_has_project_role(project, user, member)

    found = list(conn.identity.role_assignments(user_id=user.id, effective=True,
                                                include_names=True))
    by_role = {a.role["name"]: a for a in found}
    assert set(by_role) == {"member", "reader"}
    assert by_role["member"].scope == {"project": {
        "id": project.id, "name": "sdk-project",
        "domain": {"id": "default", "name": "Default"}}}
    assert by_role["reader"].user["name"] == "sdk-user"
    assert by_role["reader"].links["assignment"].endswith(
        f"/v3/projects/{project.id}/users/{user.id}/roles/{member.id}")
    assert "prior_role" in by_role["reader"].links

    user_conn = openstack.connect(auth_url=server_url + "/v3", username="sdk-user",
                                  password="sdk-pw", project_name="sdk-project",
                                  user_domain_id="default", project_domain_id="default")
    token = user_conn.auth_token
    assert conn.identity.validate_token(token) is not None
    conn.identity.unassign_project_role_from_user(project, user, member)
    assert not conn.identity.validate_user_has_project_role(project, user, member)
    with pytest.raises(openstack.exceptions.NotFoundException):
        conn.identity.validate_token(token)
