"""Fernet key repositories and the token payload."""
import os
import time

import pytest

from identity import exception
from identity.tokens import fernet


def test_setup_makes_a_staged_and_a_primary_key(tmp_path):
    repo = fernet.KeyRepository(str(tmp_path / "keys"), max_active_keys=3)
    assert repo.setup() is True
    assert sorted(os.listdir(repo.path)) == ["0", "1"]
    assert repo.setup() is False


def test_rotation_keeps_tokens_alive_until_their_key_ages_out(tmp_path):
    repo = fernet.KeyRepository(str(tmp_path / "keys"), max_active_keys=3)
    repo.setup()
    formatter = fernet.TokenFormatter(repo)
    now = time.time()
    token = formatter.pack("a" * 32, ["password"], ("project", "b" * 32), now + 60, now,
                           [fernet.new_audit_id()])
    repo.rotate()
    assert fernet.TokenFormatter(repo).unpack(token)["user_id"] == "a" * 32
    assert sorted(os.listdir(repo.path)) == ["0", "1", "2"]
    repo.rotate()
    repo.rotate()
    assert len(os.listdir(repo.path)) == 3
    with pytest.raises(exception.TokenNotFound):
        fernet.TokenFormatter(repo).unpack(token)


def test_a_token_minted_with_the_staged_key_is_accepted(tmp_path):
    """Another node may already have promoted the staged key we hold."""
    repo = fernet.KeyRepository(str(tmp_path / "keys"), max_active_keys=3)
    repo.setup()
    other = fernet.KeyRepository(str(tmp_path / "other"), max_active_keys=3)
    os.makedirs(other.path)
    with open(os.path.join(repo.path, "0"), "rb") as f:
        staged = f.read()
    with open(os.path.join(other.path, "1"), "wb") as f:
        f.write(staged)
    now = time.time()
    token = fernet.TokenFormatter(other).pack("u", ["password"], None, now + 60, now,
                                              [fernet.new_audit_id()])
    assert fernet.TokenFormatter(repo).unpack(token)["user_id"] == "u"


def test_payload_round_trip(tmp_path):
    repo = fernet.KeyRepository(str(tmp_path / "keys"))
    repo.setup()
    formatter = fernet.TokenFormatter(repo)
    audit = [fernet.new_audit_id(), fernet.new_audit_id()]
    token = formatter.pack("c" * 32, ["token", "password"], ("domain", "default"), 10.5, 1.25,
                           audit, app_cred_id="d" * 32)
    assert "=" not in token
    assert formatter.unpack(token) == {
        "user_id": "c" * 32, "methods": ["token", "password"], "scope": ("domain", "default"),
        "expires_at": 10.5, "issued_at": 1.25, "audit_ids": audit, "app_cred_id": "d" * 32}


@pytest.mark.parametrize("garbage", ["", "x", "gAAAA" + "b" * 100, "é" * 10, "a" * 5000])
def test_garbage_is_token_not_found(tmp_path, garbage):
    repo = fernet.KeyRepository(str(tmp_path / "keys"))
    repo.setup()
    with pytest.raises(exception.TokenNotFound):
        fernet.TokenFormatter(repo).unpack(garbage)
