"""Ports and security groups: the default group of new ports, the checks on
the groups a port names, and the filter state the agents get
(``rules_for_ports``, ``ports_affected_by``)."""
import pytest
import sqlalchemy as sa

from network import security_groups
from network.agent import model
from network.manager import default_security_groups
from tests.functional.network.conftest import fault
from tests.functional.network.security_group_client import (
    default_group,
    groups,
    make_group,
    make_rule,
)


@pytest.fixture
def net(demo):
    network = demo.network()
    demo.subnet(network["id"], cidr="10.0.0.0/24")
    demo.subnet(network["id"], cidr="2001:db8::/64", ip_version=6, ipv6_ra_mode="slaac",
                ipv6_address_mode="slaac")
    return network


def _post_port(client, **body):
    return client.post("/v2.0/ports", json={"port": body})


def test_new_port_goes_in_its_projects_default_group(alt, admin):
    network = admin.network(shared=True)
    admin.subnet(network["id"])
    port = alt.port(network["id"])  # alt's first call: makes its default group
    [group] = groups(alt)
    assert group["name"] == "default"
    assert port["security_groups"] == [group["id"]]
    second = alt.port(network["id"])
    assert second["security_groups"] == [group["id"]]
    listed = alt.get(f"/v2.0/ports?security_groups={group['id']}").get_json()["ports"]
    assert sorted(p["id"] for p in listed) == sorted([port["id"], second["id"]])


def test_ports_without_groups(demo, admin, net):
    assert demo.port(net["id"], port_security_enabled=False)["security_groups"] == []
    assert demo.port(net["id"], security_groups=[])["security_groups"] == []
    dhcp = admin.port(net["id"], device_owner="network:dhcp", project_id=demo.project)
    assert dhcp["security_groups"] == []
    group = make_group(demo, name="ignored")
    router = admin.port(net["id"], device_owner="network:router_interface",
                        project_id=demo.project, security_groups=[group["id"]])
    assert router["security_groups"] == []
    insecure = demo.network(port_security_enabled=False)
    demo.subnet(insecure["id"], cidr="10.9.0.0/24")
    assert demo.port(insecure["id"])["security_groups"] == []
    compute = demo.port(net["id"], device_owner="compute:nova")
    assert compute["security_groups"] == [default_group(demo)["id"]]


def test_groups_a_port_may_name(demo, alt, admin, net):
    mine = make_group(demo, name="mine")
    theirs = make_group(alt, name="theirs")
    port = demo.port(net["id"], security_groups=[mine["id"], mine["id"]])
    assert port["security_groups"] == [mine["id"]]
    foreign = _post_port(demo, network_id=net["id"], security_groups=[mine["id"], theirs["id"]])
    assert fault(foreign) == (404, "SecurityGroupNotFound")
    assert foreign.get_json()["NeutronError"]["message"] == \
        f"Security group {theirs['id']} does not exist"
    unknown = _post_port(demo, network_id=net["id"], security_groups=["nope", "nada"])
    assert foreign.status_code == 404
    assert unknown.get_json()["NeutronError"]["message"] == \
        "Security group nope, nada does not exist"
    by_admin = admin.port(net["id"], project_id=demo.project, security_groups=[theirs["id"]])
    assert by_admin["security_groups"] == [theirs["id"]]
    path = f"/v2.0/ports/{port['id']}"
    changed = demo.put(path, json={"port": {"security_groups": [theirs["id"]]}})
    assert fault(changed) == (404, "SecurityGroupNotFound")
    default = default_group(demo)
    changed = demo.put(path, json={"port": {"security_groups": [default["id"], mine["id"]]}})
    assert sorted(changed.get_json()["port"]["security_groups"]) == \
        sorted([default["id"], mine["id"]])
    insecure = demo.put(path, json={"port": {"port_security_enabled": False}})
    assert fault(insecure) == (400, "PortSecurityAndIPRequiredForSecurityGroups")


def test_default_group_lookup_is_one_query(demo, network_app):
    groups(demo)  # the default group exists from now on
    database = network_app.extensions["network"].db
    statements = []

    def count(conn, cursor, statement, *args):
        if not statement.startswith("BEGIN"):
            statements.append(statement)

    with database.writer() as session:
        expected = default_security_groups.default_group_id(session, demo.project)
        sa.event.listen(database.engine, "before_cursor_execute", count)
        try:
            chosen = security_groups.for_new_port(session, demo.project, None, True)
        finally:
            sa.event.remove(database.engine, "before_cursor_execute", count)
    assert chosen == [expected] and expected is not None
    assert len(statements) == 1, statements


def _ips(port: dict, version: int) -> list[str]:
    return [ip["ip_address"] for ip in port["fixed_ips"]
            if (":" in ip["ip_address"]) == (version == 6)]


def test_rules_for_ports_expand_remote_groups(demo, network_app, net):
    service = network_app.extensions["network"].security_groups
    default = default_group(demo)
    web = make_group(demo, name="web")
    ssh = make_rule(demo, security_group_id=web["id"], protocol="tcp", port_range_min=22,
                    port_range_max=22, remote_ip_prefix="192.168.7.9/24")
    from_default = make_rule(demo, security_group_id=web["id"], protocol="tcp",
                             port_range_min=80, port_range_max=80,
                             remote_group_id=default["id"])
    first = demo.port(net["id"])
    second = demo.port(net["id"], allowed_address_pairs=[{"ip_address": "10.0.0.200"}])
    server = demo.port(net["id"], security_groups=[web["id"]])
    insecure = demo.port(net["id"], port_security_enabled=False)

    state = service.rules_for_ports([first["id"], server["id"], insecure["id"], "gone"])
    assert set(state) == {first["id"], server["id"], insecure["id"]}
    mine = state[first["id"]]
    assert (mine["port_id"], mine["network_id"], mine["mac_address"]) == \
        (first["id"], net["id"], first["mac_address"])
    assert sorted(mine["ip_addresses"]) == sorted(ip["ip_address"] for ip in first["fixed_ips"])
    assert (mine["security_groups"], mine["stateful"], mine["port_security_enabled"]) == \
        ([default["id"]], True, True)
    members_v4 = sorted(_ips(first, 4) + _ips(second, 4) + ["10.0.0.200"],
                        key=lambda ip: tuple(int(part) for part in ip.split(".")))
    by_kind = {(rule["direction"], rule["ethertype"]): rule for rule in mine["rules"]}
    assert by_kind[("ingress", "IPv4")]["remote_ips"] == members_v4
    assert sorted(by_kind[("ingress", "IPv6")]["remote_ips"]) == \
        sorted(_ips(first, 6) + _ips(second, 6))
    assert by_kind[("egress", "IPv4")] == {
        "direction": "egress", "ethertype": "IPv4", "protocol": None, "port_range_min": None,
        "port_range_max": None, "remote_ip_prefix": None, "remote_group_id": None,
        "remote_ips": []}

    web_rules = {rule["port_range_min"]: rule for rule in state[server["id"]]["rules"]
                 if rule["direction"] == "ingress"}
    assert web_rules[22]["remote_ip_prefix"] == "192.168.7.0/24"  # ssh's normalized_cidr
    assert ssh["remote_ip_prefix"] == "192.168.7.9/24"
    assert web_rules[80]["remote_group_id"] == from_default["remote_group_id"]
    assert web_rules[80]["remote_ips"] == members_v4
    assert state[insecure["id"]]["rules"] == []
    assert state[insecure["id"]]["port_security_enabled"] is False

    # the agent's model takes these dicts as they are
    agent_view = model.PortSecurity.from_dict(state[server["id"]])
    assert agent_view.port_id == server["id"]
    assert {rule.port_range_min for rule in agent_view.rules} >= {22, 80}
    assert agent_view.allowed_address_pairs == ()
    paired = model.PortSecurity.from_dict(service.rules_for_ports([second["id"]])[second["id"]])
    assert paired.allowed_address_pairs[0].ip_address == "10.0.0.200"

    affected = service.ports_affected_by([default["id"]])
    assert affected == sorted([first["id"], second["id"], server["id"]])
    assert service.ports_affected_by([web["id"]]) == [server["id"]]
    assert service.ports_affected_by([]) == []
    assert service.rules_for_ports([]) == {}


def test_any_port_makes_its_projects_default_group(alt, admin, network_app):
    network = admin.network(shared=True)
    admin.subnet(network["id"])
    dhcp = admin.port(network["id"], device_owner="network:dhcp", project_id=alt.project)
    assert dhcp["security_groups"] == []
    with network_app.extensions["network"].db.reader() as session:
        made = default_security_groups.default_group_id(session, alt.project)
    assert made is not None
    assert alt.port(network["id"])["security_groups"] == [made]


class RecordingDataplane:
    """Keeps the security group ids each ``changed`` call names."""

    def __init__(self):
        self.groups: list[set[str]] = []

    def changed(self, networks=(), routers=(), ports=(), security_groups=()):
        self.groups.append(set(security_groups))


def test_rule_and_group_changes_reach_the_agents(demo, network_app):
    service = network_app.extensions["network"]
    recorder = RecordingDataplane()
    service.security_groups.dataplane = recorder
    service.security_group_rules.dataplane = recorder
    web = make_group(demo, name="web")
    peers = make_group(demo, name="peers")
    rule = make_rule(demo, security_group_id=web["id"], protocol="tcp",
                     remote_group_id=peers["id"])
    assert recorder.groups == [{web["id"]}]
    assert demo.delete(f"/v2.0/security-group-rules/{rule['id']}").status_code == 204
    assert recorder.groups[-1] == {web["id"]}
    make_rule(demo, security_group_id=web["id"], protocol="udp", remote_group_id=peers["id"])
    assert demo.delete(f"/v2.0/security-groups/{peers['id']}").status_code == 204
    assert recorder.groups[-1] == {web["id"]}  # web lost its rule naming peers
