"""``/v2.0/security-group-rules``: values and their canonical forms, Neutron's
errors (Tempest's negative cases), duplicates, visibility, lists."""
import pytest

from tests.functional.network.conftest import fault
from tests.functional.network.security_group_client import (
    GROUPS,
    RULES,
    default_group,
    make_group,
    make_rule,
    post_rule,
    rules,
)


@pytest.fixture
def group(demo):
    return make_group(demo, name="rules")


def _message(response) -> str:
    return response.get_json()["NeutronError"]["message"]


def test_create_show_list_delete(demo, group, notifier):
    rule = make_rule(demo, security_group_id=group["id"], protocol="tcp", port_range_min=22,
                     port_range_max=22, remote_ip_prefix="10.0.0.5/24", description="ssh")
    assert (rule["direction"], rule["ethertype"], rule["protocol"]) == ("ingress", "IPv4", "tcp")
    assert (rule["port_range_min"], rule["port_range_max"]) == (22, 22)
    assert (rule["remote_ip_prefix"], rule["normalized_cidr"]) == ("10.0.0.5/24", "10.0.0.0/24")
    assert (rule["remote_group_id"], rule["remote_address_group_id"]) == (None, None)
    assert (rule["project_id"], rule["tenant_id"]) == (demo.project, demo.project)
    assert (rule["description"], rule["belongs_to_default_sg"]) == ("ssh", False)
    assert "tags" not in rule and "name" not in rule
    path = f"{RULES}/{rule['id']}"
    assert demo.get(path).get_json()["security_group_rule"] == rule
    assert rule["id"] in [r["id"] for r in rules(demo)]
    shown = demo.get(f"{GROUPS}/{group['id']}").get_json()["security_group"]
    assert rule in shown["security_group_rules"]
    assert shown["revision_number"] == group["revision_number"] + 1
    assert fault(demo.put(path, json={"security_group_rule": {"description": "x"}})) == \
        (405, "HTTPMethodNotAllowed")
    assert demo.delete(path).status_code == 204
    assert fault(demo.get(path)) == (404, "SecurityGroupRuleNotFound")
    assert _message(demo.get(path)) == f"Security group rule {rule['id']} does not exist"
    assert fault(demo.delete(path)) == (404, "SecurityGroupRuleNotFound")
    assert notifier.types()[-2:] == ["security_group_rule.create.end",
                                     "security_group_rule.delete.end"]
    assert notifier.events[-2][1] == {"security_group_rule": rule}
    assert notifier.events[-1][1]["security_group_rule_id"] == rule["id"]


@pytest.mark.parametrize(("given", "ethertype", "stored"), [
    ("TCP", "IPv4", "tcp"), ("udp", "IPv4", "udp"), ("17", "IPv4", "17"), (17, "IPv4", "17"),
    (0, "IPv4", "0"), (255, "IPv4", "255"), ("any", "IPv4", None), (None, "IPv4", None),
    ("icmp", "IPv4", "icmp"), ("icmp", "IPv6", "ipv6-icmp"), ("icmpv6", "IPv6", "ipv6-icmp"),
    ("ipv6-icmp", "IPv6", "ipv6-icmp"), ("1", "IPv6", "58"), ("58", "IPv6", "58"),
    ("gre", "IPv6", "gre"), ("vrrp", "IPv4", "vrrp"),
])
def test_protocols(demo, group, given, ethertype, stored):
    rule = make_rule(demo, security_group_id=group["id"], protocol=given, ethertype=ethertype)
    assert rule["protocol"] == stored


@pytest.mark.parametrize(("protocol", "ethertype", "error"), [
    ("bad_protocol_name", "IPv4", "SecurityGroupRuleInvalidProtocol"),
    (256, "IPv4", "SecurityGroupRuleInvalidProtocol"),
    ("-1", "IPv4", "SecurityGroupRuleInvalidProtocol"),
    (True, "IPv4", "SecurityGroupRuleInvalidProtocol"),
    ("icmpv6", "IPv4", "SecurityGroupEthertypeConflictWithProtocol"),
    ("ipv6-icmp", "IPv4", "SecurityGroupEthertypeConflictWithProtocol"),
    ("58", "IPv4", "SecurityGroupEthertypeConflictWithProtocol"),
    ("tcp", "bad_ethertype", "SecurityGroupRuleInvalidEtherType"),
])
def test_bad_protocols_and_ethertypes(demo, group, protocol, ethertype, error):
    response = post_rule(demo, security_group_id=group["id"], direction="ingress",
                         protocol=protocol, ethertype=ethertype)
    assert fault(response) == (400, error)


def test_ethertype_is_case_insensitive(demo, group):
    rule = make_rule(demo, security_group_id=group["id"], ethertype="ipv6", protocol="tcp")
    assert rule["ethertype"] == "IPv6"
    default = make_rule(demo, security_group_id=group["id"], protocol="tcp")
    assert default["ethertype"] == "IPv4"


@pytest.mark.parametrize(("protocol", "low", "high", "error", "text"), [
    ("tcp", -16, 80, "SecurityGroupInvalidPortValue", "Invalid value for port -16"),
    ("tcp", 80, 79, "SecurityGroupInvalidPortRange", "port_range_min must be <= port_range_max"),
    ("tcp", 80, 65536, "SecurityGroupInvalidPortValue", "Invalid value for port 65536"),
    ("tcp", None, 6, "SecurityGroupInvalidPortRange", "port_range_min must be <= port_range_max"),
    ("tcp", -16, 65536, "SecurityGroupInvalidPortValue", "Invalid value for port"),
    ("tcp", 0, 80, "SecurityGroupInvalidPortValue", "Invalid value for port 0"),
    ("udp", "x", 80, "SecurityGroupInvalidPortValue", "Invalid value for port x"),
    ("icmp", 1, 256, "SecurityGroupInvalidIcmpValue", "Invalid value for ICMP code"),
    ("icmp", -1, 25, "SecurityGroupInvalidPortValue", "Invalid value"),
    ("icmp", None, 6, "SecurityGroupMissingIcmpType", "ICMP type (port-range-min) is missing"),
    ("icmp", 300, 1, "SecurityGroupInvalidIcmpValue", "Invalid value for ICMP type"),
    (None, 80, 80, "SecurityGroupProtocolRequiredWithPorts",
     "Must also specify protocol if port range is given."),
    ("gre", 80, 80, "SecurityGroupInvalidProtocolForPort",
     "Ports cannot be specified for protocol 47"),
])
def test_bad_ports(demo, group, protocol, low, high, error, text):
    response = post_rule(demo, security_group_id=group["id"], direction="ingress",
                         protocol=protocol, port_range_min=low, port_range_max=high)
    assert fault(response) == (400, error)
    assert text in _message(response)


@pytest.mark.parametrize(("protocol", "low", "high", "stored"), [
    ("tcp", 77, 77, (77, 77)), ("udp", 50, 55, (50, 55)), ("sctp", 1, 2, (1, 2)),
    ("tcp", 1, 65535, (None, None)), ("6", "1000", "2000", (1000, 2000)),
    ("icmp", 3, 2, (3, 2)), ("icmp", 8, 0, (8, 0)), ("icmp", 0, 0, (0, 0)),
    ("icmp", 11, None, (11, None)), ("ipv6-icmp", 128, None, (128, None)),
])
def test_port_ranges(demo, group, protocol, low, high, stored):
    ethertype = "IPv6" if protocol == "ipv6-icmp" else "IPv4"
    rule = make_rule(demo, security_group_id=group["id"], protocol=protocol, ethertype=ethertype,
                     port_range_min=low, port_range_max=high)
    assert (rule["port_range_min"], rule["port_range_max"]) == stored


@pytest.mark.parametrize(("given", "ethertype", "stored", "network"), [
    ("10.0.0.5", "IPv4", "10.0.0.5/32", "10.0.0.5/32"),
    ("10.0.0.0/8", "IPv4", "10.0.0.0/8", "10.0.0.0/8"),
    ("192.168.1.77/255.255.255.0", "IPv4", "192.168.1.77/24", "192.168.1.0/24"),
    ("2001:DB8:0::1/64", "IPv6", "2001:db8::1/64", "2001:db8::/64"),
    ("", "IPv4", None, None),
])
def test_remote_ip_prefixes(demo, group, given, ethertype, stored, network):
    rule = make_rule(demo, security_group_id=group["id"], protocol="tcp", ethertype=ethertype,
                     remote_ip_prefix=given)
    assert (rule["remote_ip_prefix"], rule["normalized_cidr"]) == (stored, network)


def test_bad_remote_ip_prefixes(demo, group):
    for prefix in ("192.168.1./24", "192.168.1.1/33", "bad_prefix", "256", 42):
        response = post_rule(demo, security_group_id=group["id"], direction="ingress",
                             protocol="tcp", remote_ip_prefix=prefix)
        assert fault(response) == (400, "InvalidCIDR"), prefix
    for ethertype, prefix in (("IPv6", "10.0.0.0/24"), ("IPv4", "2001:db8::/64")):
        response = post_rule(demo, security_group_id=group["id"], direction="ingress",
                             protocol="tcp", ethertype=ethertype, remote_ip_prefix=prefix)
        assert fault(response) == (400, "SecurityGroupRuleParameterConflict")
        assert _message(response).startswith("Conflicting value ethertype")


def test_remote_groups(demo, alt, group):
    other = make_group(demo, name="peers")
    rule = make_rule(demo, security_group_id=group["id"], protocol="udp", port_range_min=50,
                     port_range_max=55, remote_group_id=other["id"])
    assert rule["remote_group_id"] == other["id"]
    both = post_rule(demo, security_group_id=group["id"], direction="ingress", protocol="tcp",
                     remote_ip_prefix="10.0.0.0/24", remote_group_id=other["id"])
    assert fault(both) == (400, "SecurityGroupMultipleRemoteEntites")
    for missing in ("bad_group_id", "3f0a8e7e-0000-4000-8000-000000000000",
                    make_group(alt, name="theirs")["id"]):
        response = post_rule(demo, security_group_id=group["id"], direction="ingress",
                             protocol="tcp", remote_group_id=missing)
        assert fault(response) == (404, "SecurityGroupNotFound")
    address_group = post_rule(demo, security_group_id=group["id"], direction="ingress",
                              remote_address_group_id="3f0a8e7e-0000-4000-8000-000000000001")
    assert fault(address_group) == (404, "AddressGroupNotFound")


def test_missing_and_bad_attributes(demo, alt, group):
    def post(**body):
        return post_rule(demo, **body)
    assert fault(post(direction="ingress")) == (400, "HTTPBadRequest")
    assert fault(post(security_group_id=group["id"])) == (400, "HTTPBadRequest")
    assert fault(post(security_group_id=group["id"], direction="sideways")) == \
        (400, "HTTPBadRequest")
    assert fault(post(security_group_id=group["id"], direction="ingress", tags=["a"])) == \
        (400, "HTTPBadRequest")
    assert fault(post(security_group_id=group["id"], direction="ingress", normalized_cidr="x")) \
        == (400, "HTTPBadRequest")
    missing = post(security_group_id="3f0a8e7e-0000-4000-8000-000000000000",
                   direction="ingress")
    assert fault(missing) == (404, "SecurityGroupNotFound")
    theirs = make_group(alt, name="theirs")
    assert fault(post(security_group_id=theirs["id"], direction="ingress")) == \
        (404, "SecurityGroupNotFound")


def test_duplicates(demo, group):
    rule = make_rule(demo, security_group_id=group["id"], protocol="tcp", port_range_min=66,
                     port_range_max=67)
    for same in ({"protocol": "tcp"}, {"protocol": "6"}, {"protocol": "TCP"},
                 {"protocol": "tcp", "remote_ip_prefix": "0.0.0.0/0"}):
        response = post_rule(demo, security_group_id=group["id"], direction="ingress",
                             port_range_min=66, port_range_max=67, **same)
        assert fault(response) == (409, "SecurityGroupRuleExists")
        assert _message(response) == \
            f"Security group rule already exists. Rule id is {rule['id']}."
    # the egress rule every new group has
    egress = post_rule(demo, security_group_id=group["id"], direction="egress",
                       remote_ip_prefix="::/0", ethertype="IPv6")
    assert fault(egress) == (409, "SecurityGroupRuleExists")
    icmp = make_rule(demo, security_group_id=group["id"], protocol="icmpv6", ethertype="IPv6")
    again = post_rule(demo, security_group_id=group["id"], direction="ingress",
                      protocol="58", ethertype="IPv6")
    assert fault(again) == (409, "SecurityGroupRuleExists")
    assert icmp["id"] in _message(again)
    # a different prefix with the same network is a different rule, as in Neutron
    make_rule(demo, security_group_id=group["id"], protocol="tcp",
              remote_ip_prefix="10.0.0.5/24")
    make_rule(demo, security_group_id=group["id"], protocol="tcp",
              remote_ip_prefix="10.0.0.0/24")


def test_bulk_create(demo, group):
    other = make_group(demo, name="other")
    body = [{"security_group_id": group["id"], "direction": "ingress", "protocol": "tcp",
             "port_range_min": port, "port_range_max": port} for port in (80, 443)]
    response = demo.post(RULES, json={"security_group_rules": body})
    assert response.status_code == 201
    assert [r["port_range_min"] for r in response.get_json()["security_group_rules"]] == \
        [80, 443]
    twice = demo.post(RULES, json={"security_group_rules": [
        {**body[0], "port_range_min": 8080, "port_range_max": 8080}] * 2})
    assert fault(twice) == (409, "DuplicateSecurityGroupRuleInPost")
    mixed = demo.post(RULES, json={"security_group_rules": [
        {**body[0], "port_range_min": 1, "port_range_max": 2},
        {**body[0], "security_group_id": other["id"]}]})
    assert fault(mixed) == (400, "SecurityGroupNotSingleGroupRules")


def test_visibility_and_owners(demo, alt, admin, group):
    rule = make_rule(demo, security_group_id=group["id"], protocol="tcp")
    path = f"{RULES}/{rule['id']}"
    assert fault(alt.get(path)) == (404, "SecurityGroupRuleNotFound")
    assert fault(alt.delete(path)) == (404, "SecurityGroupRuleNotFound")
    assert rule["id"] not in [r["id"] for r in rules(alt)]
    assert {r["project_id"] for r in rules(alt)} == {alt.project}
    assert admin.get(path).status_code == 200
    # an admin's rule in the project's group belongs to the admin's project,
    # and the group's owner manages it
    by_admin = make_rule(admin, security_group_id=group["id"], protocol="udp")
    assert by_admin["project_id"] == admin.project
    assert by_admin["id"] in [r["id"] for r in rules(demo)]
    assert demo.delete(f"{RULES}/{by_admin['id']}").status_code == 204
    for_demo = make_rule(admin, security_group_id=group["id"], protocol="gre",
                         project_id=demo.project)
    assert for_demo["project_id"] == demo.project
    other_project = post_rule(demo, security_group_id=group["id"], direction="ingress",
                              project_id=alt.project)
    assert fault(other_project) == (400, "HTTPBadRequest")


def test_list_filters_sorting_fields(demo, group):
    default = default_group(demo)
    made = [make_rule(demo, security_group_id=group["id"], protocol="tcp", port_range_min=port,
                      port_range_max=port, remote_ip_prefix="10.1.2.3/16")
            for port in (443, 22, 80)]
    query = f"?security_group_id={group['id']}"
    assert len(rules(demo, query)) == 5
    ordered = rules(demo, f"{query}&protocol=TCP&sort_key=port_range_min&sort_dir=asc")
    assert [r["port_range_min"] for r in ordered] == [22, 80, 443]
    assert len(rules(demo, f"{query}&direction=egress")) == 2
    assert len(rules(demo, f"{query}&ethertype=ipv6")) == 1
    assert len(rules(demo, f"{query}&normalized_cidr=10.1.0.0/16")) == 3
    assert len(rules(demo, f"{query}&port_range_min=80")) == 1
    in_default = rules(demo, "?belongs_to_default_sg=true")
    assert {r["security_group_id"] for r in in_default} == {default["id"]}
    assert len(in_default) == 4
    assert {r["security_group_id"] for r in rules(demo, "?belongs_to_default_sg=false")} == \
        {group["id"]}
    shown = rules(demo, f"?id={made[0]['id']}&fields=id&fields=protocol")
    assert shown == [{"id": made[0]["id"], "protocol": "tcp"}]
    remote = rules(demo, f"?remote_group_id={default['id']}")
    assert {r["direction"] for r in remote} == {"ingress"}
    assert fault(demo.get(f"{RULES}?protocol=nonsense")) == \
        (400, "SecurityGroupRuleInvalidProtocol")
    assert fault(demo.get(f"{RULES}?colour=red")) == (400, "HTTPBadRequest")
