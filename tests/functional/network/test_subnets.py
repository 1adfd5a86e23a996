"""Subnets: defaults, gateways, pools, IPv6 modes, checks, updates, deletion."""
import pytest

from tests.functional.network.conftest import fault


@pytest.fixture
def net(demo):
    return demo.network()


def _post(client, **body):
    return client.post("/v2.0/subnets", json={"subnet": body})


def test_defaults(demo, net, notifier):
    subnet = demo.subnet(net["id"], cidr="10.0.0.0/24", name="s")
    assert set(subnet) >= {
        "id", "name", "tenant_id", "project_id", "network_id", "ip_version", "subnetpool_id",
        "enable_dhcp", "ipv6_ra_mode", "ipv6_address_mode", "gateway_ip", "cidr",
        "allocation_pools", "host_routes", "dns_nameservers", "description", "service_types",
        "tags", "created_at", "updated_at", "revision_number", "router:external"}
    assert subnet["gateway_ip"] == "10.0.0.1"
    assert subnet["allocation_pools"] == [{"start": "10.0.0.2", "end": "10.0.0.254"}]
    assert (subnet["enable_dhcp"], subnet["ip_version"], subnet["subnetpool_id"]) == \
        (True, 4, None)
    assert notifier.events[-1][0] == "subnet.create.end"
    assert notifier.events[-1][1]["subnet"]["segment_id"] is None


def test_host_bits_are_dropped(demo, net):
    assert demo.subnet(net["id"], cidr="10.0.0.77/24")["cidr"] == "10.0.0.0/24"


def test_explicit_gateway_splits_default_pools(demo, net):
    subnet = demo.subnet(net["id"], cidr="10.0.0.0/28", gateway_ip="10.0.0.5")
    assert subnet["allocation_pools"] == [{"start": "10.0.0.1", "end": "10.0.0.4"},
                                          {"start": "10.0.0.6", "end": "10.0.0.14"}]


def test_no_gateway(demo, net):
    subnet = demo.subnet(net["id"], cidr="10.0.0.0/29", gateway_ip=None)
    assert subnet["gateway_ip"] is None
    assert subnet["allocation_pools"] == [{"start": "10.0.0.1", "end": "10.0.0.6"}]


def test_tempest_style_subnet(demo, net):
    subnet = demo.subnet(
        net["id"], cidr="10.100.0.0/28", gateway_ip="10.100.0.1",
        allocation_pools=[{"start": "10.100.0.3", "end": "10.100.0.7"}],
        dns_nameservers=["8.8.4.4", "8.8.8.8"],
        host_routes=[{"destination": "10.20.0.0/32", "nexthop": "10.100.1.1"}])
    assert subnet["allocation_pools"] == [{"start": "10.100.0.3", "end": "10.100.0.7"}]
    assert subnet["dns_nameservers"] == ["8.8.4.4", "8.8.8.8"]
    assert subnet["host_routes"] == [{"destination": "10.20.0.0/32", "nexthop": "10.100.1.1"}]
    response = demo.put(f"/v2.0/subnets/{subnet['id']}", json={"subnet": {
        "name": "New_subnet", "gateway_ip": "10.100.0.2", "enable_dhcp": True,
        "dns_nameservers": ["7.8.8.8", "7.8.4.4"],
        "host_routes": [{"destination": "10.20.0.0/32", "nexthop": "10.100.1.2"}]}})
    updated = response.get_json()["subnet"]
    assert (updated["name"], updated["gateway_ip"]) == ("New_subnet", "10.100.0.2")
    assert updated["dns_nameservers"] == ["7.8.8.8", "7.8.4.4"]
    assert updated["revision_number"] == 1


@pytest.mark.parametrize("body, expected", [
    ({"cidr": "10.0.0.0/24", "gateway_ip": "10.0.0.10",
      "allocation_pools": [{"start": "10.0.0.5", "end": "10.0.0.20"}]},
     (409, "GatewayConflictWithAllocationPools")),
    ({"cidr": "10.0.0.0/24", "allocation_pools": [{"start": "10.0.0.5", "end": "10.0.1.20"}]},
     (400, "OutOfBoundsAllocationPool")),
    ({"cidr": "10.0.0.0/24", "allocation_pools": [{"start": "10.0.0.0", "end": "10.0.0.9"}]},
     (400, "OutOfBoundsAllocationPool")),
    ({"cidr": "10.0.0.0/24", "allocation_pools": [{"start": "10.0.0.9", "end": "10.0.0.5"}]},
     (400, "InvalidAllocationPool")),
    ({"cidr": "10.0.0.0/24", "allocation_pools": [{"start": "10.0.0.5", "end": "10.0.0.9"},
                                                  {"start": "10.0.0.8", "end": "10.0.0.12"}]},
     (409, "OverlappingAllocationPools")),
    ({"cidr": "10.0.0.0/24", "allocation_pools": [{"start": "fe80::1", "end": "fe80::9"}]},
     (400, "InvalidAllocationPool")),
    ({"cidr": "10.0.0.0/24", "gateway_ip": "10.0.0.255"}, (400, "InvalidInput")),
    ({"cidr": "10.0.0.0/24", "gateway_ip": "not-an-ip"}, (400, "HTTPBadRequest")),
    ({"cidr": "10.0.0.1"}, (400, "HTTPBadRequest")),
    ({"cidr": "banana"}, (400, "HTTPBadRequest")),
    ({"cidr": "2001:db8::/64"}, (400, "InvalidInput")),
    ({}, (400, "BadRequest")),
    ({"cidr": "10.0.0.0/24", "ipv6_ra_mode": "slaac"}, (400, "InvalidInput")),
    ({"cidr": "10.0.0.0/24", "dns_nameservers": ["1.1.1.1", "1.1.1.1"]},
     (400, "InvalidInput")),
    ({"cidr": "10.0.0.0/24", "dns_nameservers": [f"1.1.1.{i}" for i in range(6)]},
     (400, "DNSNameServersExhausted")),
    ({"cidr": "10.0.0.0/24", "host_routes": [{"destination": "x", "nexthop": "1.1.1.1"}]},
     (400, "InvalidInput")),
    ({"cidr": "10.0.0.0/24", "color": "red"}, (400, "HTTPBadRequest")),
])
def test_bad_subnets(demo, net, body, expected):
    assert fault(_post(demo, network_id=net["id"], ip_version=4, **body)) == expected


def test_missing_network_and_ip_version(demo, net):
    assert fault(_post(demo, network_id="nope", ip_version=4, cidr="10.0.0.0/24")) == \
        (404, "NetworkNotFound")
    assert fault(_post(demo, network_id=net["id"], cidr="10.0.0.0/24")) == \
        (400, "HTTPBadRequest")


def test_overlapping_subnets_on_one_network(demo, net):
    demo.subnet(net["id"], cidr="10.0.0.0/24")
    response = _post(demo, network_id=net["id"], ip_version=4, cidr="10.0.0.128/25")
    assert fault(response) == (400, "InvalidInput")
    assert "overlaps with another subnet" in response.get_json()["NeutronError"]["message"]
    other = demo.network()
    demo.subnet(other["id"], cidr="10.0.0.0/24")


def test_ipv6_modes(demo, net):
    slaac = demo.subnet(net["id"], cidr="2001:db8::/64", ip_version=6,
                        ipv6_ra_mode="slaac", ipv6_address_mode="slaac")
    assert slaac["gateway_ip"] == "2001:db8::1"
    assert slaac["allocation_pools"] == [
        {"start": "2001:db8::2", "end": "2001:db8::ffff:ffff:ffff:ffff"}]
    for mode in ("dhcpv6-stateless", "dhcpv6-stateful"):
        other = demo.network()
        subnet = demo.subnet(other["id"], cidr="2001:db9::/64", ip_version=6,
                             ipv6_ra_mode=mode, ipv6_address_mode=mode)
        assert subnet["ipv6_address_mode"] == mode
    mismatch = _post(demo, network_id=demo.network()["id"], ip_version=6,
                     cidr="2001:dba::/64", ipv6_ra_mode="slaac",
                     ipv6_address_mode="dhcpv6-stateful")
    assert fault(mismatch) == (400, "InvalidInput")
    not_64 = _post(demo, network_id=demo.network()["id"], ip_version=6, cidr="2001:dbb::/80",
                   ipv6_address_mode="slaac")
    assert fault(not_64) == (400, "InvalidInput")
    bogus = _post(demo, network_id=demo.network()["id"], ip_version=6, cidr="2001:dbb::/64",
                  ipv6_address_mode="magic")
    assert fault(bogus) == (400, "HTTPBadRequest")


def test_update_checks_gateway_against_pools(demo, net):
    subnet = demo.subnet(net["id"], cidr="10.0.0.0/24")
    path = f"/v2.0/subnets/{subnet['id']}"
    response = demo.put(path, json={"subnet": {"gateway_ip": "10.0.0.50"}})
    assert fault(response) == (409, "GatewayConflictWithAllocationPools")
    response = demo.put(path, json={"subnet": {
        "gateway_ip": "10.0.0.50",
        "allocation_pools": [{"start": "10.0.0.100", "end": "10.0.0.200"}]}})
    assert response.status_code == 200
    assert response.get_json()["subnet"]["allocation_pools"] == [
        {"start": "10.0.0.100", "end": "10.0.0.200"}]
    response = demo.put(path, json={"subnet": {"gateway_ip": None}})
    assert response.get_json()["subnet"]["gateway_ip"] is None
    assert fault(demo.put(path, json={"subnet": {"cidr": "10.9.0.0/24"}})) == \
        (400, "HTTPBadRequest")


def test_gateway_in_use_cannot_move(admin, demo, net):
    subnet = demo.subnet(net["id"], cidr="10.0.0.0/24")
    demo.port(net["id"], device_owner="network:router_interface",
              fixed_ips=[{"subnet_id": subnet["id"], "ip_address": "10.0.0.1"}])
    response = demo.put(f"/v2.0/subnets/{subnet['id']}",
                        json={"subnet": {"gateway_ip": "10.0.0.254",
                                         "allocation_pools": [{"start": "10.0.0.2",
                                                               "end": "10.0.0.200"}]}})
    assert fault(response) == (409, "GatewayIpInUse")


def test_delete_in_use_then_free(admin, demo, net, notifier):
    subnet = demo.subnet(net["id"])
    port = demo.port(net["id"])
    response = demo.delete(f"/v2.0/subnets/{subnet['id']}")
    assert fault(response) == (409, "SubnetInUse")
    dhcp = admin.port(net["id"], device_owner="network:dhcp")
    demo.delete(f"/v2.0/ports/{port['id']}")
    assert demo.delete(f"/v2.0/subnets/{subnet['id']}").status_code == 204
    assert notifier.events[-1][0] == "subnet.delete.end"
    assert admin.get(f"/v2.0/ports/{dhcp['id']}").get_json()["port"]["fixed_ips"] == []


def test_slaac_subnet_deletes_under_ports_but_network_does_not(demo, net):
    subnet = demo.subnet(net["id"], cidr="2001:db8::/64", ip_version=6,
                         ipv6_ra_mode="slaac", ipv6_address_mode="slaac")
    port = demo.port(net["id"])
    assert port["fixed_ips"][0]["ip_address"].startswith("2001:db8::")
    assert demo.delete(f"/v2.0/subnets/{subnet['id']}").status_code == 204
    shown = demo.get(f"/v2.0/ports/{port['id']}").get_json()["port"]
    assert shown["fixed_ips"] == [] and shown["revision_number"] == 1
    response = demo.delete(f"/v2.0/networks/{net['id']}")
    assert fault(response) == (409, "NetworkInUse")


def test_visibility_follows_the_network(admin, demo, alt):
    shared = admin.network(shared=True)
    shared_subnet = admin.subnet(shared["id"], cidr="10.5.0.0/24")
    external = admin.network(**{"router:external": True})
    external_subnet = admin.subnet(external["id"], cidr="10.6.0.0/24")
    private = demo.network()
    private_subnet = demo.subnet(private["id"])
    seen = {s["id"] for s in alt.get("/v2.0/subnets").get_json()["subnets"]}
    assert seen == {shared_subnet["id"], external_subnet["id"]}
    assert fault(alt.get(f"/v2.0/subnets/{private_subnet['id']}")) == (404, "SubnetNotFound")
    shown = alt.get(f"/v2.0/subnets/{external_subnet['id']}").get_json()["subnet"]
    assert shown["router:external"] is True
    assert fault(_post(alt, network_id=shared["id"], ip_version=4, cidr="10.7.0.0/24")) == \
        (403, "PolicyNotAuthorized")
    assert fault(alt.delete(f"/v2.0/subnets/{shared_subnet['id']}")) == \
        (403, "PolicyNotAuthorized")
    filtered = alt.get("/v2.0/subnets?router:external=true").get_json()["subnets"]
    assert [s["id"] for s in filtered] == [external_subnet["id"]]


def test_service_types_are_admin_only_and_steer_ports(admin, demo, net):
    assert fault(_post(demo, network_id=net["id"], ip_version=4, cidr="10.0.0.0/24",
                       service_types=["network:router_gateway"])) == \
        (403, "PolicyNotAuthorized")
    special = admin.subnet(net["id"], cidr="10.0.0.0/24",
                           service_types=["network:router_gateway"])
    plain = demo.subnet(net["id"], cidr="10.1.0.0/24")
    port = demo.port(net["id"])
    assert [ip["subnet_id"] for ip in port["fixed_ips"]] == [plain["id"]]
    gateway = admin.port(net["id"], device_owner="network:router_gateway")
    assert [ip["subnet_id"] for ip in gateway["fixed_ips"]] == [special["id"]]
    assert fault(_post(admin, network_id=net["id"], ip_version=4, cidr="10.2.0.0/24",
                       service_types=["weird"])) == (400, "InvalidInput")
