"""``GET /v3/role_assignments`` through the real app, checked against Keystone's shapes."""
import pytest

from tests.functional.identity.conftest import AuthedClient

BASE = "http://localhost/v3"


@pytest.fixture
def world(admin):
    """Domain ``acme`` with project ``web`` > ``web-sub``, user ``alice``,
    group ``ops`` (alice is a member) and role ``deployer`` (implies nothing)."""
    def made(path, key, **fields):
        response = admin.post(path, json={key: fields})
        assert response.status_code == 201, response.get_json()
        return response.get_json()[key]["id"]

    ids = {"domain": made("/v3/domains", "domain", name="acme")}
    ids["project"] = made("/v3/projects", "project", name="web", domain_id=ids["domain"])
    ids["sub"] = made("/v3/projects", "project", name="web-sub", parent_id=ids["project"])
    ids["user"] = made("/v3/users", "user", name="alice", password="alice-pw",
                       domain_id=ids["domain"])
    ids["group"] = made("/v3/groups", "group", name="ops", domain_id=ids["domain"])
    ids["role"] = made("/v3/roles", "role", name="deployer")
    assert admin.put(f"/v3/groups/{ids['group']}/users/{ids['user']}").status_code == 204
    for role in admin.get("/v3/roles").get_json()["roles"]:
        ids[role["name"]] = role["id"]
    return ids


def _list(admin, query: str) -> list[dict]:
    response = admin.get(f"/v3/role_assignments?{query}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()["role_assignments"]


def _put(admin, path: str) -> None:
    assert admin.put(path).status_code == 204, path


def test_direct_project_assignment_shape(admin, world):
    p, u, r = world["project"], world["user"], world["role"]
    _put(admin, f"/v3/projects/{p}/users/{u}/roles/{r}")
    response = admin.get(f"/v3/role_assignments?user.id={u}")
    body = response.get_json()
    assert body["role_assignments"] == [{
        "links": {"assignment": f"{BASE}/projects/{p}/users/{u}/roles/{r}"},
        "scope": {"project": {"id": p}}, "user": {"id": u}, "role": {"id": r}}]
    assert body["links"] == {"self": f"{BASE}/role_assignments?user.id={u}",
                             "previous": None, "next": None}


def test_system_and_domain_assignments(admin, world):
    admin_user = admin.get("/v3/users?name=admin").get_json()["users"][0]["id"]
    system = _list(admin, f"user.id={admin_user}&scope.system=all")
    assert system == [{
        "links": {"assignment": f"{BASE}/system/users/{admin_user}/roles/{world['admin']}"},
        "scope": {"system": {"all": True}}, "user": {"id": admin_user},
        "role": {"id": world["admin"]}}]
    both = _list(admin, f"user.id={admin_user}")
    assert {"system", "project"} == {next(iter(a["scope"])) for a in both}
    d, g, r = world["domain"], world["group"], world["role"]
    _put(admin, f"/v3/domains/{d}/groups/{g}/roles/{r}")
    assert _list(admin, f"scope.domain.id={d}") == [{
        "links": {"assignment": f"{BASE}/domains/{d}/groups/{g}/roles/{r}"},
        "scope": {"domain": {"id": d}}, "group": {"id": g}, "role": {"id": r}}]


def test_filters(admin, world):
    p, u, g, r = world["project"], world["user"], world["group"], world["role"]
    _put(admin, f"/v3/projects/{p}/users/{u}/roles/{r}")
    _put(admin, f"/v3/projects/{p}/groups/{g}/roles/{world['reader']}")
    assert len(_list(admin, f"scope.project.id={p}")) == 2
    assert [a["role"]["id"] for a in _list(admin, f"scope.project.id={p}&group.id={g}")] == [
        world["reader"]]
    assert [a["user"]["id"] for a in _list(admin, f"role.id={r}")] == [u]
    assert _list(admin, f"scope.project.id={world['sub']}") == []
    assert _list(admin, "scope.project.id=no-such-project") == []


def test_effective_expands_groups_and_implied_roles(admin, world):
    p, u, g = world["project"], world["user"], world["group"]
    member = world["member"]
    _put(admin, f"/v3/projects/{p}/groups/{g}/roles/{member}")
    found = _list(admin, f"effective&user.id={u}")
    assert sorted(a["role"]["id"] for a in found) == sorted([member, world["reader"]])
    by_role = {a["role"]["id"]: a for a in found}
    direct = by_role[member]
    assert direct == {
        "links": {"assignment": f"{BASE}/projects/{p}/groups/{g}/roles/{member}",
                  "membership": f"{BASE}/groups/{g}/users/{u}"},
        "scope": {"project": {"id": p}}, "user": {"id": u}, "role": {"id": member}}
    implied = by_role[world["reader"]]
    assert implied["links"]["assignment"] == direct["links"]["assignment"]
    assert implied["links"]["prior_role"] == \
        f"{BASE}/prior_role/{world['reader']}/implies/{member}"
    without_user = _list(admin, f"effective&scope.project.id={p}")
    assert {a["user"]["id"] for a in without_user} == {u}
    assert not any("group" in a for a in without_user)
    assert _list(admin, f"effective&user.id={u}&role.id={world['reader']}") == [implied]


def test_effective_expands_inherited_grants(admin, world):
    d, p, sub, u, r = world["domain"], world["project"], world["sub"], world["user"], \
        world["role"]
    _put(admin, f"/v3/OS-INHERIT/domains/{d}/users/{u}/roles/{r}/inherited_to_projects")
    direct = _list(admin, f"user.id={u}")
    assert direct == [{
        "links": {"assignment": f"{BASE}/OS-INHERIT/domains/{d}/users/{u}/roles/{r}"
                                "/inherited_to_projects"},
        "scope": {"domain": {"id": d}, "OS-INHERIT:inherited_to": "projects"},
        "user": {"id": u}, "role": {"id": r}}]
    assert _list(admin, f"user.id={u}&scope.OS-INHERIT:inherited_to=projects") == direct
    effective = _list(admin, f"effective&user.id={u}")
    assert sorted(a["scope"]["project"]["id"] for a in effective) == sorted([p, sub])
    assert all(a["scope"]["OS-INHERIT:inherited_to"] == "projects" for a in effective)
    assert not any("domain" in a["scope"] for a in effective)
    on_sub = _list(admin, f"effective&user.id={u}&scope.project.id={sub}")
    assert [a["scope"]["project"]["id"] for a in on_sub] == [sub]
    assert on_sub[0]["links"]["assignment"] == direct[0]["links"]["assignment"]


def test_effective_project_inheritance_and_subtree(admin, world):
    p, sub, u, r = world["project"], world["sub"], world["user"], world["role"]
    _put(admin, f"/v3/OS-INHERIT/projects/{p}/users/{u}/roles/{r}/inherited_to_projects")
    _put(admin, f"/v3/projects/{p}/users/{u}/roles/{world['reader']}")
    effective = _list(admin, f"effective&user.id={u}")
    assert sorted((a["scope"]["project"]["id"], a["role"]["id"]) for a in effective) == \
        sorted([(sub, r), (p, world["reader"])])
    assert _list(admin, f"effective&scope.project.id={p}&role.id={r}") == []
    tree = _list(admin, f"include_subtree&scope.project.id={p}")
    assert len(tree) == 2
    tree_effective = _list(admin, f"include_subtree&effective&scope.project.id={p}")
    assert sorted((a["scope"]["project"]["id"], a["role"]["id"]) for a in tree_effective) == \
        sorted([(sub, r), (p, world["reader"])])
    response = admin.get("/v3/role_assignments?include_subtree=1")
    assert response.status_code == 400
    assert admin.get("/v3/role_assignments?include_subtree&scope.project.id=nope"
                     ).status_code == 404


def test_effective_leaves_out_domain_specific_roles(admin, world):
    local = admin.post("/v3/roles", json={"role": {
        "name": "local", "domain_id": world["domain"]}}).get_json()["role"]["id"]
    assert admin.put(f"/v3/roles/{local}/implies/{world['role']}").status_code == 201
    _put(admin, f"/v3/projects/{world['project']}/users/{world['user']}/roles/{local}")
    assert len(_list(admin, f"user.id={world['user']}")) == 1
    effective = _list(admin, f"effective&user.id={world['user']}")
    assert [a["role"]["id"] for a in effective] == [world["role"]]


def test_include_names(admin, world):
    p, u, g, d = world["project"], world["user"], world["group"], world["domain"]
    _put(admin, f"/v3/projects/{p}/users/{u}/roles/{world['role']}")
    _put(admin, f"/v3/domains/{d}/groups/{g}/roles/{world['reader']}")
    found = _list(admin, f"include_names&scope.project.id={p}")
    assert found == [{
        "links": {"assignment": f"{BASE}/projects/{p}/users/{u}/roles/{world['role']}"},
        "scope": {"project": {"id": p, "name": "web",
                              "domain": {"id": d, "name": "acme"}}},
        "user": {"id": u, "name": "alice", "domain": {"id": d, "name": "acme"}},
        "role": {"id": world["role"], "name": "deployer"}}]
    grouped = _list(admin, f"include_names=true&scope.domain.id={d}")
    assert grouped[0]["scope"] == {"domain": {"id": d, "name": "acme"}}
    assert grouped[0]["group"] == {"id": g, "name": "ops", "domain": {"id": d, "name": "acme"}}
    assert "name" not in _list(admin, f"include_names=0&scope.domain.id={d}")[0]["role"]


@pytest.mark.parametrize("query", [
    "scope.project.id=a&scope.domain.id=b",
    "scope.system=all&scope.domain.id=b",
    "scope.system=all&scope.project.id=a",
    "user.id=a&group.id=b",
    "effective&group.id=b",
    "effective&scope.OS-INHERIT:inherited_to=projects&scope.domain.id=b",
    "colour=blue",
])
def test_bad_queries_are_400(admin, query):
    response = admin.get(f"/v3/role_assignments?{query}")
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"]["code"] == 400


def test_policy(client, admin, world):
    p, u = world["project"], world["user"]
    _put(admin, f"/v3/projects/{p}/users/{u}/roles/{world['member']}")
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "id": u, "password": "alice-pw"}}}, "scope": {"project": {"id": p}}}}
    token = client.post("/v3/auth/tokens", json=body).headers["X-Subject-Token"]
    alice = AuthedClient(client, token)
    assert alice.get("/v3/role_assignments").status_code == 403
    assert alice.get(f"/v3/role_assignments?scope.project.id={p}").status_code == 403
    admin_user = admin.get("/v3/users?name=admin").get_json()["users"][0]["id"]
    assert alice.get(f"/v3/role_assignments?user.id={admin_user}").status_code == 403
    own = alice.get(f"/v3/role_assignments?user.id={u}&effective")
    assert own.status_code == 200
    assert {a["role"]["id"] for a in own.get_json()["role_assignments"]} == {
        world["member"], world["reader"]}
    tree = alice.get(f"/v3/role_assignments?include_subtree&scope.project.id={p}")
    assert tree.status_code == 200
    assert len(tree.get_json()["role_assignments"]) == 1
    assert alice.get(f"/v3/role_assignments?include_subtree&scope.project.id="
                     f"{world['sub']}").status_code == 403
    assert client.get("/v3/role_assignments").status_code == 401


def test_domain_reader_sees_only_its_domain(client, admin, world):
    d, p, u = world["domain"], world["project"], world["user"]
    _put(admin, f"/v3/domains/{d}/users/{u}/roles/{world['reader']}")
    _put(admin, f"/v3/projects/{p}/users/{u}/roles/{world['role']}")
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "id": u, "password": "alice-pw"}}}, "scope": {"domain": {"id": d}}}}
    response = client.post("/v3/auth/tokens", json=body)
    assert response.status_code == 201, response.get_json()
    reader = AuthedClient(client, response.headers["X-Subject-Token"])
    listed = reader.get("/v3/role_assignments")
    assert listed.status_code == 200, listed.get_json()
    scopes = [a["scope"] for a in listed.get_json()["role_assignments"]]
    assert sorted(next(iter(s)) for s in scopes) == ["domain", "project"]
    assert all(s.get("domain", {}).get("id", d) == d for s in scopes)
    assert reader.get(f"/v3/projects/{p}/users/{u}/roles").status_code == 200
    admin_project = admin.get("/v3/projects?name=admin").get_json()["projects"][0]["id"]
    assert reader.get(f"/v3/projects/{admin_project}/users/{u}/roles").status_code == 403
    assert reader.put(f"/v3/projects/{p}/users/{u}/roles/{world['role']}").status_code == 403
