"""Domains, projects and project tags through the real app."""
import openstack
import pytest

from tests.functional.identity.conftest import AuthedClient, issue_token


def _create_project(admin, name, **fields):
    response = admin.post("/v3/projects", json={"project": {"name": name, **fields}})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["project"]


def test_project_crud(admin):
    project = _create_project(admin, "alpha", description="first", tags=["a", "b"])
    assert project["domain_id"] == "default"
    assert project["parent_id"] == "default"
    assert project["links"]["self"].endswith(f"/v3/projects/{project['id']}")
    assert admin.get(f"/v3/projects/{project['id']}").get_json()["project"]["tags"] == [
        "a", "b"]
    updated = admin.patch(f"/v3/projects/{project['id']}",
                          json={"project": {"description": "changed", "enabled": False}})
    assert updated.get_json()["project"]["enabled"] is False
    names = [p["name"] for p in admin.get("/v3/projects").get_json()["projects"]]
    assert "alpha" in names and "admin" in names
    assert admin.delete(f"/v3/projects/{project['id']}").status_code == 204
    assert admin.get(f"/v3/projects/{project['id']}").status_code == 404


def test_duplicate_project_name_is_409(admin):
    _create_project(admin, "twice")
    response = admin.post("/v3/projects", json={"project": {"name": "twice"}})
    assert response.status_code == 409
    assert response.get_json()["error"]["title"] == "Conflict"


@pytest.mark.parametrize("body", [
    {"project": {"name": ""}},
    {"project": {"name": "x" * 65}},
    {"project": {"name": "ok", "enabled": "yes"}},
    {"project": {}},
    {"nothing": {}},
])
def test_bad_project_bodies_are_400(admin, body):
    response = admin.post("/v3/projects", json=body)
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"]["message"]


def test_unknown_filter_is_400(admin):
    assert admin.get("/v3/projects?colour=blue").status_code == 400


def test_project_filters_and_tags(admin):
    one = _create_project(admin, "one", tags=["red"])
    _create_project(admin, "two", tags=["blue"])
    listed = admin.get("/v3/projects?tags=red").get_json()["projects"]
    assert [p["name"] for p in listed] == ["one"]
    assert admin.put(f"/v3/projects/{one['id']}/tags/green").status_code == 201
    assert admin.get(f"/v3/projects/{one['id']}/tags/green").status_code == 204
    assert admin.get(f"/v3/projects/{one['id']}/tags").get_json()["tags"] == ["green", "red"]
    assert admin.delete(f"/v3/projects/{one['id']}/tags/red").status_code == 204
    assert admin.get(f"/v3/projects/{one['id']}/tags/red").status_code == 404
    assert [p["name"] for p in admin.get("/v3/projects?name=two").get_json()["projects"]] == [
        "two"]


def test_hierarchy_and_cascade(admin):
    parent = _create_project(admin, "parent")
    child = _create_project(admin, "child", parent_id=parent["id"])
    assert child["parent_id"] == parent["id"]
    shown = admin.get(f"/v3/projects/{child['id']}?parents_as_ids").get_json()["project"]
    assert shown["parents"] == {parent["id"]: None}
    assert admin.delete(f"/v3/projects/{parent['id']}").status_code == 403
    assert admin.delete(f"/v3/projects/{child['id']}").status_code == 204
    assert admin.delete(f"/v3/projects/{parent['id']}").status_code == 204


def test_domain_lifecycle(admin):
    response = admin.post("/v3/domains", json={"domain": {"name": "acme"}})
    assert response.status_code == 201
    domain = response.get_json()["domain"]
    project = _create_project(admin, "inside", domain_id=domain["id"])
    assert project["domain_id"] == domain["id"]
    assert admin.delete(f"/v3/domains/{domain['id']}").status_code == 403
    admin.patch(f"/v3/domains/{domain['id']}", json={"domain": {"enabled": False}})
    assert admin.delete(f"/v3/domains/{domain['id']}").status_code == 204
    assert admin.get(f"/v3/projects/{project['id']}").status_code == 404
    listed = [d["name"] for d in admin.get("/v3/domains").get_json()["domains"]]
    assert listed == ["Default"]


def test_disabling_a_project_revokes_its_tokens(client, admin):
    project = _create_project(admin, "doomed")
    admin_id = client.post("/v3/auth/tokens", json={"auth": {
        "identity": {"methods": ["token"], "token": {"id": admin.token}}}}
    ).get_json()["token"]["user"]["id"]
    role = [r for r in admin.get("/v3/auth/tokens", headers={
        "X-Subject-Token": admin.token}).get_json()["token"]["roles"] if r["name"] == "admin"][0]
    _grant(client, admin.token, project["id"], admin_id, role["id"])
    scoped = issue_token(client, project="doomed")
    assert AuthedClient(client, scoped).get("/v3/projects").status_code == 200
    admin.patch(f"/v3/projects/{project['id']}", json={"project": {"enabled": False}})
    assert AuthedClient(client, scoped).get("/v3/projects").status_code == 401


def _grant(client, token, project_id, user_id, role_id):
    # The grants API may not exist yet in this tree; write the row through the manager.
    app_service = client.application.extensions["identity"]
    app_service.assignments.create_grant(role_id, "user", user_id, "project", project_id)


def test_openstacksdk_projects(server_url):
    conn = openstack.connect(auth_url=f"{server_url}/v3", username="admin", password="secret",
                             project_name="admin", user_domain_id="default",
                             project_domain_id="default", region_name="RegionOne")
    created = conn.identity.create_project(name="sdk-project", description="from sdk")
    assert conn.identity.get_project(created.id).name == "sdk-project"
    assert conn.identity.find_project("sdk-project").id == created.id
    conn.identity.update_project(created, description="changed")
    assert "sdk-project" in [p.name for p in conn.identity.projects()]
    conn.identity.delete_project(created)
    assert conn.identity.find_project("sdk-project") is None
    domain = conn.identity.create_domain(name="sdk-domain")
    assert conn.identity.find_domain("sdk-domain").id == domain.id


def test_a_domain_is_reachable_through_the_projects_api(admin):
    """Regression (Tempest test_create_is_domain_project): Keystone serves a
    domain at /v3/projects/{id} too."""
    created = _create_project(admin, "as-domain", is_domain=True)
    assert created["is_domain"] is True and created["domain_id"] is None
    shown = admin.get(f"/v3/projects/{created['id']}")
    assert shown.status_code == 200 and shown.get_json()["project"]["is_domain"] is True
    disabled = admin.patch(f"/v3/projects/{created['id']}",
                           json={"project": {"enabled": False}})
    assert disabled.status_code == 200
    assert admin.get(f"/v3/domains/{created['id']}").get_json()["domain"]["enabled"] is False
    assert admin.delete(f"/v3/projects/{created['id']}").status_code == 204
    assert admin.get(f"/v3/domains/{created['id']}").status_code == 404
