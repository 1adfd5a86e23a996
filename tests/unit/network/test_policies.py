"""The network policy defaults: Neutron's rule names, field checks, and a
rule for every attribute a request may set."""
import pytest
from oslo_config import cfg

from network import policies
from network.api import networks, ports, subnetpools, subnets
from stratus import context, policy

RULES = {rule.name for rule in policies.list_rules()}


@pytest.mark.parametrize("resource", [networks.RESOURCE, subnets.RESOURCE, ports.RESOURCE,
                                      subnetpools.RESOURCE], ids=lambda r: r.member)
def test_every_guarded_attribute_has_its_rules(resource):
    for action in ("create", "get", "update", "delete"):
        assert f"{action}_{resource.member}" in RULES
    for name, attr in resource.attributes.items():
        if attr.policy and attr.post:
            assert f"create_{resource.member}:{name}" in RULES
        if attr.policy and attr.put:
            assert f"update_{resource.member}:{name}" in RULES


def test_brief_rules_exist():
    for name in ("context_is_admin", "admin_or_owner", "admin_or_network_owner", "shared",
                 "external", "network_owner"):
        assert name in RULES


@pytest.fixture
def enforcer(tmp_path):
    conf = cfg.ConfigOpts()
    from oslo_policy import opts
    opts.set_defaults(conf, policy_file=str(tmp_path / "missing.yaml"))
    conf([], default_config_files=[])
    return policy.Enforcer(conf, policies.list_rules())


def _ctx(roles, project="p1"):
    return context.RequestContext(user_id="u", project_id=project, roles=roles)


def test_field_checks(enforcer):
    member = _ctx(["member", "reader"])
    assert enforcer.check("get_network", member, {"project_id": "p2", "shared": True})
    assert enforcer.check("get_network", member, {"project_id": "p2", "router:external": True})
    assert not enforcer.check("get_network", member, {"project_id": "p2", "shared": False})
    assert enforcer.check("create_port:device_owner", member,
                          {"project_id": "p1", "network:project_id": "p2",
                           "device_owner": "compute:nova"})
    assert not enforcer.check("create_port:device_owner", member,
                              {"project_id": "p1", "network:project_id": "p2",
                               "device_owner": "network:dhcp"})
    assert enforcer.check("create_port:device_owner", member,
                          {"project_id": "p1", "network:project_id": "p1",
                           "device_owner": "network:dhcp"})


def test_admin_only_attributes(enforcer):
    member, admin = _ctx(["member", "reader"]), _ctx(["admin", "member", "reader"])
    service = _ctx(["service"])
    target = {"project_id": "p1", "network:project_id": "p1"}
    for rule in ("create_network:shared", "get_network:provider:network_type",
                 "get_port:binding:host_id"):
        assert not enforcer.check(rule, member, target)
        assert enforcer.check(rule, admin, target)
    assert enforcer.check("update_port:binding:host_id", service, target)
    assert enforcer.check("create_network", member, {"project_id": "p1"})
    assert not enforcer.check("create_network", _ctx(["reader"]), {"project_id": "p1"})
