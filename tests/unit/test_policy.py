"""Policy: in-code defaults, overridable from a policy file."""
import os

import pytest
from oslo_policy import policy as oslo_policy

from stratus import config, exception, policy
from stratus.context import RequestContext

RULES = [oslo_policy.RuleDefault("thing:read", "role:reader"),
         oslo_policy.RuleDefault("thing:own", "user_id:%(target.owner)s")]


def _enforcer(tmp_path, policy_text=None):
    conf = config.make_conf("testsvc")
    config.load(conf, [], [])
    if policy_text is not None:
        path = tmp_path / "policy.yaml"
        path.write_text(policy_text)
        conf.set_override("policy_file", str(path), group="oslo_policy")
    return policy.Enforcer(conf, RULES)


def test_defaults_apply(tmp_path):
    enforcer = _enforcer(tmp_path)
    enforcer.authorize("thing:read", RequestContext(roles=["reader"]))
    with pytest.raises(exception.Forbidden):
        enforcer.authorize("thing:read", RequestContext(roles=["member"]))
    assert enforcer.check("thing:own", RequestContext(user_id="u1"), {"target.owner": "u1"})


def test_policy_file_overrides_a_default(tmp_path):
    enforcer = _enforcer(tmp_path, '"thing:read": "role:member"\n')
    enforcer.authorize("thing:read", RequestContext(roles=["member"]))
    with pytest.raises(exception.Forbidden):
        enforcer.authorize("thing:read", RequestContext(roles=["reader"]))


def test_an_edited_policy_file_takes_effect(tmp_path, monkeypatch):
    monkeypatch.setattr(policy, "RELOAD_INTERVAL", 0.0)
    enforcer = _enforcer(tmp_path, '"thing:read": "role:member"\n')
    member = RequestContext(roles=["member"])
    assert enforcer.check("thing:read", member)
    path = tmp_path / "policy.yaml"
    path.write_text('"thing:read": "role:admin"\n')
    stat = path.stat()

    os.utime(path, (stat.st_atime, stat.st_mtime + 10))
    assert not enforcer.check("thing:read", member)
