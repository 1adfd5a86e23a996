"""The token and facts caches never outlive what they were built from:
another process's writes, a lone revocation, an application credential
expiring with no write at all."""
import datetime
import time

from identity import api
from identity.service import IdentityService
from tests.functional.identity.conftest import AuthedClient, issue_token
from tests.functional.identity.test_application_credentials import (
    app_cred_auth,
    create,
    member_client,
)


def _other_worker(identity):
    """A second service on the same database, as another API process would be."""
    conf = identity.config["STRATUS_CONF"]
    return api.create_app(conf, IdentityService(conf)).test_client()


def test_a_write_by_another_process_is_seen_at_once(identity, client, admin_token):
    other = AuthedClient(_other_worker(identity), admin_token)
    user, member = member_client(identity, client, "worker-test")
    assert member.get(f"/v3/users/{user.id}").status_code == 200   # now cached here
    assert other.patch(f"/v3/users/{user.id}",
                       json={"user": {"enabled": False}}).status_code == 200
    assert member.get(f"/v3/users/{user.id}").status_code == 401


def test_a_lone_revocation_elsewhere_is_seen_and_spares_other_tokens(identity, client,
                                                                     admin_token):
    kept, doomed = issue_token(client), issue_token(client)
    admin = AuthedClient(client, admin_token)
    for token in (kept, doomed):
        assert admin.get("/v3/auth/tokens", headers={"X-Subject-Token": token}).status_code \
            == 200
    other = AuthedClient(_other_worker(identity), admin_token)
    assert other.delete("/v3/auth/tokens", headers={"X-Subject-Token": doomed}).status_code \
        == 204
    assert admin.get("/v3/auth/tokens", headers={"X-Subject-Token": doomed}).status_code \
        == 404
    assert admin.get("/v3/auth/tokens", headers={"X-Subject-Token": kept}).status_code == 200


def test_an_application_credential_token_dies_when_the_credential_expires(
        identity, client, admin_token):
    user, caller = member_client(identity, client, "short-lived")
    expires = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=2)
    cred = create(caller, user.id, expires_at=expires.strftime("%Y-%m-%dT%H:%M:%S.%f")
                  ).get_json()["application_credential"]
    token = app_cred_auth(client, id=cred["id"], secret=cred["secret"])
    assert token.status_code == 201
    headers = {"X-Auth-Token": admin_token,
               "X-Subject-Token": token.headers["X-Subject-Token"]}
    assert client.get("/v3/auth/tokens", headers=headers).status_code == 200
    time.sleep(max(0.0, expires.timestamp() - time.time()) + 0.2)
    assert client.get("/v3/auth/tokens", headers=headers).status_code == 404
    assert app_cred_auth(client, id=cred["id"], secret=cred["secret"]).status_code == 401
