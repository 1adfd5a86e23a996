"""openstacksdk's security group calls against the in-process network service."""
import openstack
import pytest

from tests.functional.network.test_network_sdk import _connect


def test_sdk_security_groups_and_rules(cloud, network_url):
    conn = _connect(cloud, "demo")
    default = conn.network.find_security_group("default")
    assert default is not None and default.stateful is True
    assert len(default.security_group_rules) == 4

    group = conn.network.create_security_group(name="sdk-web", description="made by sdk")
    assert (group.name, group.description, group.project_id) == \
        ("sdk-web", "made by sdk", conn.current_project_id)
    assert {rule["direction"] for rule in group.security_group_rules} == {"egress"}
    rule = conn.network.create_security_group_rule(
        security_group_id=group.id, direction="ingress", ether_type="IPv4", protocol="tcp",
        port_range_min=443, port_range_max=443, remote_ip_prefix="203.0.113.7/24")
    assert (rule.protocol, rule.port_range_min, rule.port_range_max) == ("tcp", 443, 443)
    assert rule.remote_ip_prefix == "203.0.113.7/24"
    fetched = conn.network.get_security_group_rule(rule.id)
    assert fetched.security_group_id == group.id
    found = list(conn.network.security_group_rules(security_group_id=group.id,
                                                   direction="ingress"))
    assert [r.id for r in found] == [rule.id]
    with pytest.raises(openstack.exceptions.ConflictException):
        conn.network.create_security_group_rule(
            security_group_id=group.id, direction="ingress", ether_type="IPv4",
            protocol="tcp", port_range_min=443, port_range_max=443,
            remote_ip_prefix="203.0.113.7/24")
    with pytest.raises(openstack.exceptions.BadRequestException):
        conn.network.create_security_group_rule(
            security_group_id=group.id, direction="ingress", protocol="tcp",
            port_range_min=80, port_range_max=79)

    updated = conn.network.update_security_group(group, name="sdk-www")
    assert updated.name == "sdk-www"
    names = {g.name for g in conn.network.security_groups()}
    assert names == {"default", "sdk-www"}
    assert [g.id for g in conn.network.security_groups(name="sdk-www")] == [group.id]

    network = conn.network.create_network(name="sdk-sg-net")
    conn.network.create_subnet(network_id=network.id, ip_version=4, cidr="10.60.0.0/24")
    port = conn.network.create_port(network_id=network.id, security_group_ids=[group.id])
    assert port.security_group_ids == [group.id]
    with pytest.raises(openstack.exceptions.ConflictException):
        conn.network.delete_security_group(group)
    conn.network.delete_port(port)

    conn.network.delete_security_group_rule(rule)
    assert list(conn.network.security_group_rules(security_group_id=group.id,
                                                  direction="ingress")) == []
    conn.network.delete_security_group(group)
    assert conn.network.find_security_group("sdk-www") is None
    with pytest.raises(openstack.exceptions.ConflictException):
        conn.network.delete_security_group(default)
