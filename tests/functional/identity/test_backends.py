"""The identity service on MariaDB and PostgreSQL, not only SQLite:
migrations, bootstrap, tokens and the writes that revoke them."""
import argparse

from identity import api, bootstrap
from identity.database import IdentityDatabase
from identity.service import IdentityService
from identity.tokens import fernet
from stratus.db import migration
from tests.functional.identity.conftest import AuthedClient, _conf, issue_token


def test_identity_runs_on_a_database_server(tmp_path, empty_database):
    conf = _conf(tmp_path, {("database", "connection"): empty_database})
    db = IdentityDatabase.from_conf(conf)
    migration.upgrade(db, "identity")
    assert migration.current(db) == migration.head(db, "identity")
    db.dispose()
    fernet.KeyRepository(conf.fernet_tokens.key_repository).setup()
    fernet.KeyRepository(conf.credential.key_repository, 1).setup()
    args = argparse.Namespace(
        bootstrap_password="secret", bootstrap_username="admin",
        bootstrap_project_name="admin", bootstrap_role_name="admin",
        bootstrap_service_project_name="service", region_id="RegionOne",
        public_url="http://localhost/v3", internal_url=None, admin_url=None)
    bootstrap.run(conf, args)
    bootstrap.run(conf, args)  # idempotent
    service = IdentityService(conf)
    try:
        client = api.create_app(conf, service).test_client()
        admin = AuthedClient(client, issue_token(client))
        project = admin.post("/v3/projects", json={"project": {"name": "p1"}}).get_json()
        user = admin.post("/v3/users", json={"user": {
            "name": "u1", "password": "pw", "default_project_id": project["project"]["id"]}})
        assert user.status_code == 201
        member = [r for r in admin.get("/v3/roles?name=member").get_json()["roles"]][0]
        granted = admin.put(f"/v3/projects/{project['project']['id']}/users/"
                            f"{user.get_json()['user']['id']}/roles/{member['id']}")
        assert granted.status_code == 204
        token = issue_token(client, user="u1", password="pw", project="p1")
        headers = {"X-Subject-Token": token}
        assert admin.get("/v3/auth/tokens", headers=headers).status_code == 200
        admin.patch(f"/v3/users/{user.get_json()['user']['id']}",
                    json={"user": {"enabled": False}})
        assert admin.get("/v3/auth/tokens", headers=headers).status_code == 404
    finally:
        service.db.dispose()
