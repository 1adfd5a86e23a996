"""The identity service with the stock openstack CLI, as an operator uses it."""
import pytest

from tests.integration.conftest import CLI


def _auth_env(user, password, project):
    return {"OS_AUTH_URL": "http://127.0.0.1:5000/v3", "OS_IDENTITY_API_VERSION": "3",
            "OS_USERNAME": user, "OS_PASSWORD": password, "OS_PROJECT_NAME": project,
            "OS_USER_DOMAIN_ID": "default", "OS_PROJECT_DOMAIN_ID": "default"}


def test_token_issue_and_revoke(admin_cli):
    token = admin_cli.json("token", "issue")
    assert token["project_id"] and token["user_id"] and token["expires"]
    admin_cli.run("token", "revoke", token["id"])
    stale = CLI(env={"OS_AUTH_TYPE": "token", "OS_TOKEN": token["id"],
                     "OS_AUTH_URL": "http://127.0.0.1:5000/v3",
                     "OS_PROJECT_ID": token["project_id"]})
    stale.fails("project", "list")


def test_catalog_and_endpoints(admin_cli):
    catalog = admin_cli.json("catalog", "list")
    assert "identity" in [entry["Type"] for entry in catalog]
    endpoints = admin_cli.json("endpoint", "list")
    assert {e["Interface"] for e in endpoints if e["Service Type"] == "identity"} >= {"public"}


def test_resource_lifecycle(admin_cli, unique):
    admin_cli.run("domain", "create", f"{unique}-dom")
    admin_cli.run("project", "create", "--domain", f"{unique}-dom", f"{unique}-proj")
    admin_cli.run("user", "create", "--domain", f"{unique}-dom", "--password", "pw1",
                  f"{unique}-user")
    admin_cli.run("group", "create", "--domain", f"{unique}-dom", f"{unique}-grp")
    admin_cli.run("group", "add", "user", "--group-domain", f"{unique}-dom",
                  "--user-domain", f"{unique}-dom", f"{unique}-grp", f"{unique}-user")
    admin_cli.run("role", "create", f"{unique}-role")
    admin_cli.run("role", "add", "--project", f"{unique}-proj", "--project-domain",
                  f"{unique}-dom", "--user", f"{unique}-user", "--user-domain",
                  f"{unique}-dom", "member")
    rows = admin_cli.json("role", "assignment", "list", "--names", "--effective",
                          "--user", f"{unique}-user", "--user-domain", f"{unique}-dom")
    assert {r["Role"] for r in rows} >= {"member", "reader"}
    shown = admin_cli.json("project", "show", "--domain", f"{unique}-dom", f"{unique}-proj")
    assert shown["name"] == f"{unique}-proj"
    admin_cli.run("project", "set", "--domain", f"{unique}-dom", "--description", "changed",
                  f"{unique}-proj")
    admin_cli.run("user", "set", "--domain", f"{unique}-dom", "--email", "a@example.com",
                  f"{unique}-user")
    assert admin_cli.json("user", "show", "--domain", f"{unique}-dom",
                          f"{unique}-user")["email"] == "a@example.com"
    admin_cli.run("role", "delete", f"{unique}-role")
    admin_cli.run("group", "delete", "--domain", f"{unique}-dom", f"{unique}-grp")
    admin_cli.run("user", "delete", "--domain", f"{unique}-dom", f"{unique}-user")
    admin_cli.run("project", "delete", "--domain", f"{unique}-dom", f"{unique}-proj")
    admin_cli.run("domain", "set", "--disable", f"{unique}-dom")
    admin_cli.run("domain", "delete", f"{unique}-dom")


@pytest.fixture
def member(admin_cli, unique):
    """A user with the member role on a fresh project; yields its CLI."""
    admin_cli.run("project", "create", f"{unique}-p")
    admin_cli.run("user", "create", "--password", "pw-1", f"{unique}-u")
    admin_cli.run("role", "add", "--project", f"{unique}-p", "--user", f"{unique}-u",
                  "member")
    yield CLI(env=_auth_env(f"{unique}-u", "pw-1", f"{unique}-p"))
    admin_cli.run("user", "delete", f"{unique}-u", check=False)
    admin_cli.run("project", "delete", f"{unique}-p", check=False)


def test_member_is_confined(member, admin_cli):
    member.run("token", "issue")
    assert "403" in member.fails("user", "list")
    member.fails("role", "create", "not-allowed")
    member.fails("project", "show", "admin")


def test_password_change_and_disabled_user(member, admin_cli, unique):
    token = member.json("token", "issue")["id"]
    member.run("user", "password", "set", "--original-password", "pw-1",
               "--password", "pw-2")
    CLI(env=_auth_env(f"{unique}-u", "pw-2", f"{unique}-p")).run("token", "issue")
    CLI(env=_auth_env(f"{unique}-u", "pw-1", f"{unique}-p")).fails("token", "issue")
    old = CLI(env={"OS_AUTH_TYPE": "token", "OS_TOKEN": token,
                   "OS_AUTH_URL": "http://127.0.0.1:5000/v3"})
    old.fails("token", "issue")
    admin_cli.run("user", "set", "--disable", f"{unique}-u")
    CLI(env=_auth_env(f"{unique}-u", "pw-2", f"{unique}-p")).fails("token", "issue")


def test_application_credential(member, unique):
    cred = member.json("application", "credential", "create", f"{unique}-ac")
    app = CLI(env={"OS_AUTH_TYPE": "v3applicationcredential",
                   "OS_AUTH_URL": "http://127.0.0.1:5000/v3",
                   "OS_APPLICATION_CREDENTIAL_ID": cred["ID"],
                   "OS_APPLICATION_CREDENTIAL_SECRET": cred["Secret"]})
    assert app.json("token", "issue")["project_id"] == cred["Project ID"]
    member.run("application", "credential", "delete", f"{unique}-ac")
    app.fails("token", "issue")
