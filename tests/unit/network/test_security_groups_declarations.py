"""Security groups and rules: every declared filter and sort key is answerable,
every guarded attribute has its policy rules, and the rule values behave as
Neutron's (canonical forms, duplicate keys)."""
import pytest
from oslo_config import cfg

from network import exception, policies
from network.api import security_group_rules, security_groups
from network.manager import query
from network.manager import security_group_rule_values as values
from network.manager import security_group_rules as rule_rules
from network.manager import security_groups as group_rules
from stratus import context, policy

STANDARD_FILTERS = set(query.TAG_FILTERS) | {"changed_since", "tenant_id"}
RULES = {rule.name for rule in policies.list_rules()}
PAIRS = [(security_groups.RESOURCE, group_rules.SecurityGroups.listing),
         (security_group_rules.RESOURCE, rule_rules.SecurityGroupRules.listing)]


@pytest.mark.parametrize("resource, listing", PAIRS, ids=lambda p: getattr(p, "member", ""))
def test_filters_and_sort_keys_are_answerable(resource, listing):
    for name, attr in resource.attributes.items():
        if attr.sort and name != "tenant_id":
            assert name in listing.columns, f"{resource.member}: cannot sort on {name}"
        if attr.filter:
            assert name in listing.columns or name in listing.special or \
                name in STANDARD_FILTERS, f"{resource.member}: cannot filter on {name}"


@pytest.mark.parametrize("resource", [security_groups.RESOURCE], ids=lambda r: r.member)
def test_guarded_attributes_have_rules(resource):
    for action in ("create", "get", "update", "delete"):
        assert f"{action}_{resource.member}" in RULES
    for name, attr in resource.attributes.items():
        if attr.policy and attr.post:
            assert f"create_{resource.member}:{name}" in RULES
        if attr.policy and attr.put:
            assert f"update_{resource.member}:{name}" in RULES


def test_rule_policies_follow_the_groups_owner(tmp_path):
    conf = cfg.ConfigOpts()
    from oslo_policy import opts
    opts.set_defaults(conf, policy_file=str(tmp_path / "missing.yaml"))
    conf([], default_config_files=[])
    enforcer = policy.Enforcer(conf, policies.list_rules())
    member = context.RequestContext(user_id="u", project_id="p1", roles=["member", "reader"])
    reader = context.RequestContext(user_id="u", project_id="p1", roles=["reader"])
    mine = {"project_id": "p2", "security_group:project_id": "p1"}
    theirs = {"project_id": "p1", "security_group:project_id": "p2"}
    for action in ("create", "get", "delete"):
        assert enforcer.check(f"{action}_security_group_rule", member, mine)
        assert not enforcer.check(f"{action}_security_group_rule", member, theirs)
    assert enforcer.check("get_security_group_rule", reader, mine)
    assert not enforcer.check("create_security_group_rule", reader, mine)


def _rule(**given) -> dict:
    rule = {name: None for name in rule_rules.FIELDS}
    rule.update(direction="ingress", ethertype="IPv4", security_group_id="g")
    rule.update(given)
    return rule


@pytest.mark.parametrize(("first", "second"), [
    ({"protocol": "tcp"}, {"protocol": "6"}),
    ({"protocol": "icmpv6", "ethertype": "IPv6"}, {"protocol": "58", "ethertype": "IPv6"}),
    ({"protocol": "icmp", "ethertype": "IPv6"}, {"protocol": "ipv6-icmp", "ethertype": "IPv6"}),
    ({"remote_ip_prefix": None}, {"remote_ip_prefix": "0.0.0.0/0"}),
    ({"remote_ip_prefix": "::/0"}, {}),
])
def test_equal_rules_have_equal_keys(first, second):
    assert values.key(_rule(**first)) == values.key(_rule(**second))


@pytest.mark.parametrize(("first", "second"), [
    ({"protocol": "tcp"}, {"protocol": "udp"}),
    ({"remote_ip_prefix": "10.0.0.5/24"}, {"remote_ip_prefix": "10.0.0.0/24"}),
    ({"direction": "egress"}, {}),
    ({"port_range_min": 1, "port_range_max": 2}, {"port_range_min": 1, "port_range_max": 3}),
])
def test_different_rules_have_different_keys(first, second):
    assert values.key(_rule(**first)) != values.key(_rule(**second))


def test_canonical_forms():
    full = values.canonical(_rule(protocol="tcp", port_range_min=1, port_range_max=65535))
    assert (full["port_range_min"], full["port_range_max"]) == (None, None)
    legacy = values.canonical(_rule(protocol="1", ethertype="IPv6"))
    assert legacy["protocol"] == "58"
    prefixed = values.canonical(_rule(remote_ip_prefix="10.1.2.3/8"))
    assert prefixed["normalized_cidr"] == "10.0.0.0/8"
    with pytest.raises(exception.SecurityGroupRuleParameterConflict):
        values.canonical(_rule(remote_ip_prefix="2001:db8::/64"))
    with pytest.raises(exception.SecurityGroupMultipleRemoteEntites):
        values.canonical(_rule(remote_ip_prefix="10.0.0.0/8", remote_group_id="g2"))


@pytest.mark.parametrize(("value", "expected"), [
    ("TCP", "tcp"), (6, "6"), ("6", "6"), ("any", None), ("ANY", None), (None, None),
])
def test_protocol_converter(value, expected):
    assert values.convert_protocol(value) == expected


@pytest.mark.parametrize("value", ["nope", 256, -1, True, 1.5, "", "6.0"])
def test_protocol_converter_refuses(value):
    with pytest.raises(exception.SecurityGroupRuleInvalidProtocol):
        values.convert_protocol(value)
