"""``/v3/users`` through the real app: CRUD, filters, passwords, policy."""
import openstack
import pytest
import sqlalchemy as sa

from identity import models
from tests.functional.identity.conftest import AuthedClient, issue_token, password_auth


def make_user(admin, name="alice", password="pw-alice", **attrs) -> dict:
    response = admin.post("/v3/users", json={"user": {"name": name, "password": password,
                                                      **attrs}})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["user"]


def role_id(identity, name: str) -> str:
    with identity.extensions["identity"].db.reader() as session:
        return session.execute(sa.select(models.Role.id).where(
            models.Role.name == name)).scalar_one()


def project_id(identity, name: str = "admin") -> str:
    with identity.extensions["identity"].db.reader() as session:
        return session.execute(sa.select(models.Project.id).where(
            models.Project.name == name, models.Project.is_domain.is_(False))).scalar_one()


def grant(identity, role: str, user_id: str, target: str, target_id: str) -> None:
    identity.extensions["identity"].assignments.create_grant(
        role_id(identity, role), "user", user_id, target, target_id)


def as_user(client, name, password) -> AuthedClient:
    return AuthedClient(client, issue_token(client, user=name, password=password, project=None))


def domain_token(client, name, password, domain="default") -> str:
    body = password_auth(user=name, password=password, project=None)
    body["auth"]["scope"] = {"domain": {"id": domain}}
    response = client.post("/v3/auth/tokens", json=body)
    assert response.status_code == 201, response.get_json()
    return response.headers["X-Subject-Token"]


# -- CRUD -------------------------------------------------------------------

def test_create_get_update_delete(admin):
    user = make_user(admin, email="alice@example.org", description="first",
                     options={"ignore_password_expiry": True})
    assert user["name"] == "alice"
    assert user["domain_id"] == "default"
    assert user["enabled"] is True
    assert user["email"] == "alice@example.org"
    assert user["description"] == "first"
    assert user["options"] == {"ignore_password_expiry": True}
    assert user["password_expires_at"] is None
    assert "password" not in user
    assert user["links"]["self"].endswith(f"/v3/users/{user['id']}")

    fetched = admin.get(f"/v3/users/{user['id']}").get_json()["user"]
    assert fetched == user

    response = admin.patch(f"/v3/users/{user['id']}", json={"user": {
        "name": "alice2", "email": "a2@example.org", "enabled": False, "project_id": "p1",
        "options": {"ignore_password_expiry": None, "lock_password": True}}})
    assert response.status_code == 200
    updated = response.get_json()["user"]
    assert (updated["name"], updated["email"], updated["enabled"], updated["project_id"]) \
        == ("alice2", "a2@example.org", False, "p1")
    assert updated["options"] == {"lock_password": True}
    assert updated["description"] == "first"

    assert admin.delete(f"/v3/users/{user['id']}").status_code == 204
    assert admin.get(f"/v3/users/{user['id']}").status_code == 404


def test_user_without_password_or_domain_lands_in_callers_domain(admin):
    response = admin.post("/v3/users", json={"user": {"name": "nopass"}})
    assert response.status_code == 201
    assert response.get_json()["user"]["domain_id"] == "default"


def test_read_only_attributes_are_not_stored(admin):
    user = make_user(admin, password_expires_at="2999-01-01T00:00:00Z", id="mine")
    assert user["password_expires_at"] is None
    assert user["id"] != "mine"


@pytest.mark.parametrize("body", [
    {"user": {"name": ""}},
    {"user": {"name": "x" * 256}},
    {"user": {"name": "   "}},
    {"user": {"name": "bob", "enabled": "yes"}},
    {"user": {"name": "bob", "password": 12}},
    {"user": {"name": "bob", "options": {"no_such_option": True}}},
    {"user": {"name": "bob", "options": {"lock_password": "yes"}}},
    {"user": {"name": "bob", "options": {"multi_factor_auth_rules": [["password"], []]}}},
    {"user": {"name": "bob", "domain_id": 7}},
    {"user": {}},
    {"users": {"name": "bob"}},
])
def test_create_rejects_bad_input(admin, body):
    response = admin.post("/v3/users", json=body)
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"]["code"] == 400


def test_create_accepts_every_keystone_option(admin):
    options = {"ignore_change_password_upon_first_use": True, "ignore_password_expiry": False,
               "ignore_lockout_failure_attempts": True, "lock_password": False,
               "multi_factor_auth_enabled": True,
               "multi_factor_auth_rules": [["password", "totp"], ["password"]]}
    assert make_user(admin, options=options)["options"] == options


def test_update_rejects_bad_input(admin):
    user = make_user(admin)
    url = f"/v3/users/{user['id']}"
    assert admin.patch(url, json={"user": {}}).status_code == 400
    assert admin.patch(url, json={"user": {"enabled": 1}}).status_code == 400
    assert admin.patch(url, json={"user": {"id": "other"}}).status_code == 400
    assert admin.patch(url, json={"user": {"domain_id": "elsewhere"}}).status_code == 400
    assert admin.patch(url, data="nope", content_type="application/json").status_code == 400


def test_duplicate_names_conflict(admin):
    make_user(admin, name="dup")
    other = make_user(admin, name="other")
    response = admin.post("/v3/users", json={"user": {"name": "dup"}})
    assert response.status_code == 409
    assert response.get_json()["error"]["title"] == "Conflict"
    assert admin.patch(f"/v3/users/{other['id']}",
                       json={"user": {"name": "dup"}}).status_code == 409


def test_missing_user_is_404(admin):
    assert admin.get("/v3/users/nope").status_code == 404
    assert admin.patch("/v3/users/nope", json={"user": {"name": "x"}}).status_code == 404
    assert admin.delete("/v3/users/nope").status_code == 404
    assert admin.get("/v3/users/nope/projects").status_code == 404
    assert admin.get("/v3/users/nope/groups").status_code == 404


def test_requires_a_token(client):
    assert client.get("/v3/users").status_code == 401
    assert client.post("/v3/users", json={"user": {"name": "x"}}).status_code == 401


# -- listing ----------------------------------------------------------------

def test_list_and_filters(admin):
    a = make_user(admin, name="a-user")
    b = make_user(admin, name="b-user", enabled=False)

    def names(query=""):
        response = admin.get("/v3/users" + query)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert body["links"]["next"] is None
        return {u["name"] for u in body["users"]}

    assert {"admin", "a-user", "b-user"} <= names()
    assert names("?name=a-user") == {"a-user"}
    assert names("?enabled=false") == {"b-user"}
    assert "b-user" not in names("?enabled=true")
    assert {"a-user", "b-user"} <= names("?domain_id=default")
    assert names("?domain_id=elsewhere") == set()
    assert names("?idp_id=x") == set()
    assert names("?unique_id=x&protocol_id=y") == set()
    assert a["id"] != b["id"]


def test_password_expires_at_filter(admin, identity):
    user = make_user(admin)
    service = identity.extensions["identity"]

    def expire(session):
        session.get(models.User, user["id"]).password_expires_at = \
            models.utcnow().replace(year=2030, month=1, day=1, hour=0, minute=0, second=0,
                                    microsecond=0)
    service.db.write(expire)

    def names(value):
        response = admin.get("/v3/users", query_string={"password_expires_at": value})
        assert response.status_code == 200, response.get_json()
        return {u["name"] for u in response.get_json()["users"]}

    assert names("lt:2031-01-01T00:00:00Z") == {"alice"}
    assert names("gt:2031-01-01T00:00:00Z") == set()
    assert names("2030-01-01T00:00:00Z") == {"alice"}
    assert names("eq:2030-01-01T00:00:00Z") == {"alice"}
    assert names("lte:2030-01-01T00:00:00Z") == {"alice"}
    assert names("neq:2030-01-01T00:00:00Z") == set()
    assert names("gte:2030-01-01T02:00:00+02:00") == {"alice"}
    for bad in ("xx:2030-01-01T00:00:00Z", "lt:yesterday", "soon"):
        response = admin.get("/v3/users", query_string={"password_expires_at": bad})
        assert response.status_code == 400, bad


def test_unknown_filter_is_400(admin):
    assert admin.get("/v3/users?colour=blue").status_code == 400
    assert admin.get("/v3/users?enabled=maybe").status_code == 400


# -- passwords --------------------------------------------------------------

def test_self_service_password_change(client, admin):
    user = make_user(admin, name="carol", password="old-pw")
    old_token = issue_token(client, user="carol", password="old-pw", project=None)
    response = client.post(f"/v3/users/{user['id']}/password",
                           headers={"X-Auth-Token": old_token},
                           json={"user": {"original_password": "old-pw",
                                          "password": "new-pw"}})
    assert response.status_code == 204
    assert response.data == b""
    assert client.get(f"/v3/users/{user['id']}",
                      headers={"X-Auth-Token": old_token}).status_code == 401
    assert client.post("/v3/auth/tokens", json=password_auth(
        user="carol", password="old-pw", project=None)).status_code == 401
    assert client.post("/v3/auth/tokens", json=password_auth(
        user="carol", password="new-pw", project=None)).status_code == 201


def test_password_change_with_wrong_original_is_401(client, admin):
    user = make_user(admin, name="dave", password="right")
    carol = as_user(client, "dave", "right")
    response = carol.post(f"/v3/users/{user['id']}/password", json={"user": {
        "original_password": "wrong", "password": "new"}})
    assert response.status_code == 401


def test_password_change_without_token_uses_the_original_password(client, admin):
    """Keystone lets a user whose password expired change it without a token."""
    user = make_user(admin, name="erin", password="before")
    response = client.post(f"/v3/users/{user['id']}/password", json={"user": {
        "original_password": "before", "password": "after"}})
    assert response.status_code == 204
    issue_token(client, user="erin", password="after", project=None)


def test_password_change_needs_the_original_password_not_a_policy(client, admin):
    """As in Keystone (and Tempest's test_update_user_password): knowing the
    original password is what authorizes the change, whoever sends it."""
    make_user(admin, name="frank", password="pw")
    victim = make_user(admin, name="grace", password="pw2")
    frank = as_user(client, "frank", "pw")
    wrong = frank.post(f"/v3/users/{victim['id']}/password", json={"user": {
        "original_password": "guess", "password": "mine-now"}})
    assert wrong.status_code == 401
    right = admin.post(f"/v3/users/{victim['id']}/password", json={"user": {
        "original_password": "pw2", "password": "new-one"}})
    assert right.status_code == 204


@pytest.mark.parametrize("body", [
    {"user": {"password": "new"}},
    {"user": {"original_password": "old"}},
    {"user": {"original_password": "old", "password": None}},
    {"user": {"original_password": "old", "password": "new", "name": "x"}},
])
def test_password_change_rejects_bad_input(admin, body):
    user = make_user(admin)
    assert admin.post(f"/v3/users/{user['id']}/password", json=body).status_code == 400


def test_password_endpoint_allows_only_post(admin):
    user = make_user(admin)
    assert admin.get(f"/v3/users/{user['id']}/password").status_code == 405


def test_admin_password_reset_and_disable_revoke_tokens(client, admin):
    user = make_user(admin, name="heidi", password="pw")
    token = issue_token(client, user="heidi", password="pw", project=None)
    headers = {"X-Auth-Token": token}
    assert client.get(f"/v3/users/{user['id']}", headers=headers).status_code == 200
    admin.patch(f"/v3/users/{user['id']}", json={"user": {"password": "reset"}})
    assert client.get(f"/v3/users/{user['id']}", headers=headers).status_code == 401

    token = issue_token(client, user="heidi", password="reset", project=None)
    admin.patch(f"/v3/users/{user['id']}", json={"user": {"enabled": False}})
    assert client.get(f"/v3/users/{user['id']}",
                      headers={"X-Auth-Token": token}).status_code == 401


# -- policy -----------------------------------------------------------------

def test_plain_user_sees_only_itself(client, admin):
    me = make_user(admin, name="ivan", password="pw")
    other = make_user(admin, name="judy", password="pw")
    ivan = as_user(client, "ivan", "pw")
    assert ivan.get(f"/v3/users/{me['id']}").status_code == 200
    assert ivan.get(f"/v3/users/{me['id']}/projects").status_code == 200
    assert ivan.get(f"/v3/users/{other['id']}").status_code == 403
    assert ivan.get(f"/v3/users/{other['id']}/projects").status_code == 403
    assert ivan.get("/v3/users").status_code == 403
    assert ivan.post("/v3/users", json={"user": {"name": "mallory"}}).status_code == 403
    assert ivan.patch(f"/v3/users/{me['id']}",
                      json={"user": {"enabled": True}}).status_code == 403
    assert ivan.delete(f"/v3/users/{other['id']}").status_code == 403
    response = ivan.get("/v3/users")
    assert response.get_json()["error"]["code"] == 403


def test_project_member_is_not_a_user_admin(client, admin, identity):
    member = make_user(admin, name="kim", password="pw")
    grant(identity, "member", member["id"], "project", project_id(identity))
    kim = AuthedClient(client, issue_token(client, user="kim", password="pw"))
    assert kim.get("/v3/users").status_code == 403
    assert kim.post("/v3/users", json={"user": {"name": "x"}}).status_code == 403
    assert kim.get(f"/v3/users/{member['id']}").status_code == 200


def test_domain_reader_lists_its_domain(client, admin, identity):
    reader = make_user(admin, name="leo", password="pw")
    other = make_user(admin, name="mia")
    grant(identity, "reader", reader["id"], "domain", "default")
    leo = AuthedClient(client, domain_token(client, "leo", "pw"))
    response = leo.get("/v3/users")
    assert response.status_code == 200, response.get_json()
    assert {"leo", "mia", "admin"} <= {u["name"] for u in response.get_json()["users"]}
    assert leo.get(f"/v3/users/{other['id']}").status_code == 200
    assert leo.get("/v3/users?domain_id=elsewhere").status_code == 403
    assert leo.post("/v3/users", json={"user": {"name": "x"}}).status_code == 403
    assert leo.delete(f"/v3/users/{other['id']}").status_code == 403


# -- projects of a user -----------------------------------------------------

def test_list_user_projects(admin, identity):
    user = make_user(admin)
    admin_project = project_id(identity)
    grant(identity, "member", user["id"], "project", admin_project)
    response = admin.get(f"/v3/users/{user['id']}/projects")
    assert response.status_code == 200
    projects = response.get_json()["projects"]
    assert [p["id"] for p in projects] == [admin_project]
    assert projects[0]["links"]["self"].endswith(f"/v3/projects/{admin_project}")
    assert admin.get(f"/v3/users/{user['id']}/projects?name=admin").get_json()["projects"]
    assert admin.get(f"/v3/users/{user['id']}/projects?name=x").get_json()["projects"] == []
    assert admin.get(
        f"/v3/users/{user['id']}/projects?enabled=false").get_json()["projects"] == []
    assert admin.get(f"/v3/users/{user['id']}/projects?bogus=1").status_code == 400


# -- client compatibility ---------------------------------------------------

def test_openstacksdk_manages_users(server_url):
    conn = openstack.connect(auth_url=server_url + "/v3", username="admin", password="secret",
                             project_name="admin", user_domain_id="default",
                             project_domain_id="default")
    try:
        user = conn.identity.create_user(name="sdk-user", password="sdk-pw",
                                         email="sdk@example.org", description="by sdk")
        assert user.domain_id == "default"
        assert conn.identity.find_user("sdk-user").id == user.id
        assert conn.identity.get_user(user.id).email == "sdk@example.org"
        updated = conn.identity.update_user(user, is_enabled=False, description="changed")
        assert updated.is_enabled is False
        assert updated.description == "changed"
        listed = list(conn.identity.users(name="sdk-user", is_enabled=False))
        assert [u.id for u in listed] == [user.id]
        assert list(conn.identity.users(name="sdk-user", is_enabled=True)) == []
        conn.identity.delete_user(user)
        assert conn.identity.find_user("sdk-user") is None
    finally:
        conn.close()


def test_openstacksdk_user_changes_own_password(server_url):
    admin_conn = openstack.connect(
        auth_url=server_url + "/v3", username="admin", password="secret",
        project_name="admin", user_domain_id="default", project_domain_id="default")
    admin_conn.identity.create_user(name="sdk-self", password="first")
    conn = openstack.connect(auth_url=server_url + "/v3", username="sdk-self",
                             password="first", user_domain_id="default")
    try:
        user_id = conn.session.get_user_id()
        conn.identity.update_password(user_id, current_password="first", password="second")
        again = openstack.connect(auth_url=server_url + "/v3", username="sdk-self",
                                  password="second", user_domain_id="default")
        assert again.session.get_user_id() == user_id
        again.close()
    finally:
        conn.close()
        admin_conn.close()


def test_create_in_missing_domain_is_404(admin):
    response = admin.post("/v3/users", json={"user": {"name": "x", "domain_id": "nope"}})
    assert response.status_code == 404
    assert "domain" in response.get_json()["error"]["message"]


def test_password_change_of_unknown_user_is_401(client):
    response = client.post("/v3/users/nobody/password", json={"user": {
        "original_password": "a", "password": "b"}})
    assert response.status_code == 401
