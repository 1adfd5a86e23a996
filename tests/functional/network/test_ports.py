"""Ports: addresses, MACs, binding, security attributes, updates, filters."""
import ipaddress

import pytest

from tests.functional.network.conftest import fault

BINDING = ("binding:host_id", "binding:profile", "binding:vif_type", "binding:vif_details")


@pytest.fixture
def net(demo):
    return demo.network()


@pytest.fixture
def subnet(demo, net):
    return demo.subnet(net["id"], cidr="10.0.0.0/24")


def _post(client, **body):
    return client.post("/v2.0/ports", json={"port": body})


def test_default_port(demo, net, subnet, notifier):
    port = demo.port(net["id"], name="p")
    assert set(port) == {
        "id", "name", "tenant_id", "project_id", "description", "tags", "created_at",
        "updated_at", "revision_number", "network_id", "mac_address", "admin_state_up",
        "status", "device_id", "device_owner", "fixed_ips", "allowed_address_pairs",
        "extra_dhcp_opts", "security_groups", "port_security_enabled", "binding:vnic_type"}
    [default] = demo.get("/v2.0/security-groups?name=default").get_json()["security_groups"]
    assert (port["status"], port["admin_state_up"], port["security_groups"]) == \
        ("DOWN", True, [default["id"]])
    assert port["mac_address"].startswith("fa:16:3e:")
    [ip] = port["fixed_ips"]
    assert ip["subnet_id"] == subnet["id"]
    assert ipaddress.ip_address(ip["ip_address"]) in ipaddress.ip_network("10.0.0.0/24")
    assert ip["ip_address"] not in ("10.0.0.0", "10.0.0.1", "10.0.0.255")
    event, payload = notifier.events[-1]
    assert event == "port.create.end"
    assert payload["port"]["binding:vif_type"] == "unbound"


def test_one_address_per_family_and_every_slaac_subnet(demo, net):
    v4a = demo.subnet(net["id"], cidr="10.0.0.0/24")
    demo.subnet(net["id"], cidr="10.0.1.0/24")
    slaac = demo.subnet(net["id"], cidr="2001:db8::/64", ip_version=6,
                        ipv6_ra_mode="slaac", ipv6_address_mode="slaac")
    stateful = demo.subnet(net["id"], cidr="2001:db9::/64", ip_version=6,
                           ipv6_ra_mode="dhcpv6-stateful", ipv6_address_mode="dhcpv6-stateful")
    port = demo.port(net["id"], mac_address="fa:16:3e:11:22:33")
    by_subnet = {ip["subnet_id"]: ip["ip_address"] for ip in port["fixed_ips"]}
    assert set(by_subnet) == {v4a["id"], slaac["id"], stateful["id"]}
    assert by_subnet[slaac["id"]] == "2001:db8::f816:3eff:fe11:2233"


def test_allocation_pools_are_respected(demo, net):
    demo.subnet(net["id"], cidr="10.0.0.0/24",
                allocation_pools=[{"start": "10.0.0.2", "end": "10.0.0.254"}])
    for _ in range(5):
        address = demo.port(net["id"])["fixed_ips"][0]["ip_address"]
        assert ipaddress.ip_address(address) in ipaddress.ip_network("10.0.0.0/24")


def test_requested_addresses(demo, net, subnet):
    port = demo.port(net["id"], fixed_ips=[{"ip_address": "10.0.0.77"}])
    assert port["fixed_ips"] == [{"subnet_id": subnet["id"], "ip_address": "10.0.0.77"}]
    port = demo.port(net["id"], fixed_ips=[{"subnet_id": subnet["id"],
                                            "ip_address": "10.0.0.250"}])
    assert port["fixed_ips"][0]["ip_address"] == "10.0.0.250"
    taken = _post(demo, network_id=net["id"], fixed_ips=[{"ip_address": "10.0.0.77"}])
    assert fault(taken) == (409, "IpAddressAlreadyAllocated")
    outside = _post(demo, network_id=net["id"], fixed_ips=[{"subnet_id": subnet["id"],
                                                            "ip_address": "10.9.0.5"}])
    assert fault(outside) == (400, "InvalidIpForSubnet")
    broadcast = _post(demo, network_id=net["id"], fixed_ips=[{"subnet_id": subnet["id"],
                                                              "ip_address": "10.0.0.255"}])
    assert fault(broadcast) == (400, "InvalidIpForSubnet")
    nowhere = _post(demo, network_id=net["id"], fixed_ips=[{"ip_address": "192.168.7.7"}])
    assert fault(nowhere) == (400, "InvalidIpForNetwork")
    other = demo.subnet(demo.network()["id"], cidr="10.3.0.0/24")
    foreign = _post(demo, network_id=net["id"], fixed_ips=[{"subnet_id": other["id"]}])
    assert fault(foreign) == (400, "InvalidInput")
    twice = _post(demo, network_id=net["id"], fixed_ips=[{"ip_address": "10.0.0.90"},
                                                         {"ip_address": "10.0.0.90"}])
    assert fault(twice) == (409, "IpAddressAlreadyAllocated")
    garbage = _post(demo, network_id=net["id"], fixed_ips=[{"ip_address": "ten"}])
    assert fault(garbage) == (400, "HTTPBadRequest")
    none = demo.port(net["id"], fixed_ips=[])
    assert none["fixed_ips"] == []


def test_exhaustion_is_409_and_delete_frees(demo, net):
    subnet = demo.subnet(net["id"], cidr="10.0.0.0/29")
    ports = [demo.port(net["id"]) for _ in range(5)]
    addresses = {p["fixed_ips"][0]["ip_address"] for p in ports}
    assert addresses == {f"10.0.0.{i}" for i in range(2, 7)}
    full = _post(demo, network_id=net["id"])
    assert fault(full) == (409, "IpAddressGenerationFailure")
    freed = ports[0]["fixed_ips"][0]["ip_address"]
    assert demo.delete(f"/v2.0/ports/{ports[0]['id']}").status_code == 204
    again = demo.port(net["id"])
    assert again["fixed_ips"] == [{"subnet_id": subnet["id"], "ip_address": freed}]


def test_update_fixed_ips_keeps_and_releases(demo, net):
    first = demo.subnet(net["id"], cidr="10.0.0.0/24")
    second = demo.subnet(net["id"], cidr="10.0.1.0/24")
    port = demo.port(net["id"], fixed_ips=[{"subnet_id": first["id"]},
                                           {"subnet_id": second["id"]}])
    assert len(port["fixed_ips"]) == 2
    kept = port["fixed_ips"][0]
    path = f"/v2.0/ports/{port['id']}"
    one = demo.put(path, json={"port": {"fixed_ips": [{"subnet_id": first["id"]}]}})
    assert one.get_json()["port"]["fixed_ips"] == [kept]
    two = demo.put(path, json={"port": {"fixed_ips": [{"subnet_id": first["id"]},
                                                      {"subnet_id": second["id"]}]}})
    assert len(two.get_json()["port"]["fixed_ips"]) == 2
    assert two.get_json()["port"]["fixed_ips"][0] == kept
    moved = demo.put(path, json={"port": {"fixed_ips": [{"ip_address": "10.0.0.200"}]}})
    assert moved.get_json()["port"]["fixed_ips"] == [
        {"subnet_id": first["id"], "ip_address": "10.0.0.200"}]
    reuse = demo.port(net["id"], fixed_ips=[{"ip_address": kept["ip_address"]}])
    assert reuse["fixed_ips"][0]["ip_address"] == kept["ip_address"]


def test_mac_addresses(demo, net, subnet):
    port = demo.port(net["id"])
    assert demo.delete(f"/v2.0/ports/{port['id']}").status_code == 204
    again = demo.port(net["id"], mac_address=port["mac_address"].upper())
    assert again["mac_address"] == port["mac_address"]
    in_use = _post(demo, network_id=net["id"], mac_address=port["mac_address"])
    assert fault(in_use) == (409, "MacAddressInUse")
    other_net = demo.network()
    assert demo.port(other_net["id"], mac_address=port["mac_address"])["mac_address"] == \
        port["mac_address"]
    for bad in ("01:00:00:00:00:01", "zz:16:3e:00:00:01", "fa:16:3e"):
        assert fault(_post(demo, network_id=net["id"], mac_address=bad)) == \
            (400, "HTTPBadRequest")


def test_binding_is_for_admin_and_service(admin, demo, net, subnet):
    port = demo.port(net["id"])
    assert not any(key in port for key in BINDING)
    shown = admin.get(f"/v2.0/ports/{port['id']}").get_json()["port"]
    assert (shown["binding:host_id"], shown["binding:vif_type"]) == ("", "unbound")
    assert shown["binding:vif_details"] == {} and shown["binding:profile"] == {}
    denied = demo.put(f"/v2.0/ports/{port['id']}", json={"port": {"binding:host_id": "h1"}})
    assert fault(denied) == (403, "PolicyNotAuthorized")
    bound = admin.put(f"/v2.0/ports/{port['id']}", json={"port": {
        "binding:host_id": "node-1", "binding:profile": {"migrating_to": "x"},
        "device_id": "vm-1", "device_owner": "compute:nova"}}).get_json()["port"]
    assert (bound["binding:host_id"], bound["binding:vif_type"]) == ("node-1", "bridge")
    assert bound["binding:vif_details"]["port_filter"] is True
    created = admin.port(net["id"], **{"binding:host_id": "node-2"})
    assert created["binding:vif_type"] == "bridge"
    listed = admin.get("/v2.0/ports?binding:host_id=node-2").get_json()["ports"]
    assert [p["id"] for p in listed] == [created["id"]]
    relocate = admin.put(f"/v2.0/ports/{port['id']}",
                         json={"port": {"mac_address": "fa:16:3e:00:00:01"}})
    assert relocate.status_code == 409
    unbound = admin.put(f"/v2.0/ports/{port['id']}", json={"port": {"binding:host_id": ""}})
    assert unbound.get_json()["port"]["binding:vif_type"] == "unbound"
    bad = admin.post("/v2.0/ports", json={"port": {"network_id": net["id"],
                                                   "binding:vnic_type": "psychic"}})
    assert fault(bad) == (400, "HTTPBadRequest")


def test_set_status_is_the_agents_call(network_app, demo, net, subnet, notifier):
    port = demo.port(net["id"])
    view = network_app.extensions["network"].ports.set_status(port["id"], "ACTIVE")
    assert view["status"] == "ACTIVE"
    assert notifier.events[-1][0] == "port.update.end"
    shown = demo.get(f"/v2.0/ports/{port['id']}").get_json()["port"]
    assert (shown["status"], shown["revision_number"]) == ("ACTIVE", 1)


def test_network_device_owners_need_the_network_owner(admin, alt):
    shared = admin.network(shared=True)
    admin.subnet(shared["id"])
    assert alt.port(shared["id"])["project_id"] == alt.project
    denied = _post(alt, network_id=shared["id"], device_owner="network:dhcp")
    assert fault(denied) == (403, "PolicyNotAuthorized")
    addressed = _post(alt, network_id=shared["id"], fixed_ips=[{"ip_address": "10.0.0.9"}])
    assert fault(addressed) == (403, "PolicyNotAuthorized")
    assert fault(_post(alt, network_id=admin.network()["id"])) == (404, "NetworkNotFound")


def test_port_security_and_pairs(demo):
    insecure = demo.network(port_security_enabled=False)
    demo.subnet(insecure["id"])
    port = demo.port(insecure["id"])
    assert port["port_security_enabled"] is False
    pairs = _post(demo, network_id=insecure["id"],
                  allowed_address_pairs=[{"ip_address": "10.0.0.50"}])
    assert fault(pairs) == (409, "AddressPairAndPortSecurityRequired")
    groups = _post(demo, network_id=insecure["id"], security_groups=["sg-1"])
    assert fault(groups) == (400, "PortSecurityAndIPRequiredForSecurityGroups")
    secure = demo.network()
    demo.subnet(secure["id"])
    sg1, sg2 = (demo.post("/v2.0/security-groups", json={"security_group": {"name": name}})
                .get_json()["security_group"]["id"] for name in ("sg-1", "sg-2"))
    port = demo.port(secure["id"], security_groups=[sg1, sg2],
                     allowed_address_pairs=[{"ip_address": "10.0.0.50"},
                                            {"ip_address": "10.1.0.0/24",
                                             "mac_address": "fa:16:3e:aa:bb:cc"}],
                     extra_dhcp_opts=[{"opt_name": "bootfile-name", "opt_value": "pxe.0"}])
    assert sorted(port["security_groups"]) == sorted([sg1, sg2])
    assert port["allowed_address_pairs"] == [
        {"ip_address": "10.0.0.50", "mac_address": port["mac_address"]},
        {"ip_address": "10.1.0.0/24", "mac_address": "fa:16:3e:aa:bb:cc"}]
    assert port["extra_dhcp_opts"] == [{"opt_name": "bootfile-name", "opt_value": "pxe.0",
                                        "ip_version": 4}]
    listed = demo.get(f"/v2.0/ports?security_groups={sg2}").get_json()["ports"]
    assert [p["id"] for p in listed] == [port["id"]]
    updated = demo.put(f"/v2.0/ports/{port['id']}",
                       json={"port": {"security_groups": [], "allowed_address_pairs": [],
                                      "port_security_enabled": False}}).get_json()["port"]
    assert (updated["security_groups"], updated["port_security_enabled"]) == ([], False)
    duplicate = _post(demo, network_id=secure["id"],
                      allowed_address_pairs=[{"ip_address": "10.0.0.5"},
                                             {"ip_address": "10.0.0.5"}])
    assert fault(duplicate) == (400, "DuplicateAddressPairInRequest")


def test_fixed_ip_filters(demo, net, subnet):
    a = demo.port(net["id"], fixed_ips=[{"ip_address": "10.0.0.11"}])
    b = demo.port(net["id"], fixed_ips=[{"ip_address": "10.0.0.21"}])
    demo.port(net["id"], fixed_ips=[{"ip_address": "10.0.0.32"}], device_id="vm-9")

    def ids(query):
        response = demo.get(f"/v2.0/ports?{query}")
        assert response.status_code == 200, response.get_json()
        return {p["id"] for p in response.get_json()["ports"]}
    assert ids("fixed_ips=ip_address%3D10.0.0.11") == {a["id"]}
    assert ids("fixed_ips=ip_address%3D10.0.0.11&fixed_ips=ip_address%3D10.0.0.21") == \
        {a["id"], b["id"]}
    assert ids(f"fixed_ips=subnet_id%3D{subnet['id']}&fixed_ips=ip_address%3D10.0.0.21") == \
        {b["id"]}
    assert ids("fixed_ips=ip_address_substr%3D0.0.1") == {a["id"]}
    assert len(ids("device_id=vm-9")) == 1
    assert fault(demo.get("/v2.0/ports?fixed_ips=color%3Dred")) == (400, "InvalidInput")


def test_delete_and_not_found(demo, net, subnet, notifier):
    port = demo.port(net["id"])
    assert demo.delete(f"/v2.0/ports/{port['id']}").status_code == 204
    event, payload = notifier.events[-1]
    assert (event, payload["port_id"]) == ("port.delete.end", port["id"])
    for call in (demo.get, demo.delete):
        assert fault(call(f"/v2.0/ports/{port['id']}")) == (404, "PortNotFound")
    assert fault(demo.put(f"/v2.0/ports/{port['id']}", json={"port": {"name": "x"}})) == \
        (404, "PortNotFound")
    assert fault(_post(demo, network_id="00000000-0000-0000-0000-000000000000")) == \
        (404, "NetworkNotFound")
    assert fault(_post(demo, name="no network")) == (400, "HTTPBadRequest")


def test_bulk_ports_across_networks(demo, net, subnet):
    other = demo.network()
    response = demo.post("/v2.0/ports", json={"ports": [
        {"network_id": net["id"]}, {"network_id": other["id"], "admin_state_up": False}]})
    assert response.status_code == 201
    ports = response.get_json()["ports"]
    assert [p["network_id"] for p in ports] == [net["id"], other["id"]]
    assert [p["admin_state_up"] for p in ports] == [True, False]


def test_network_owner_sees_ports_of_others_on_it(admin, demo, alt):
    shared = demo.network()
    admin.put(f"/v2.0/networks/{shared['id']}", json={"network": {"shared": True}})
    demo.subnet(shared["id"])
    port = alt.port(shared["id"])
    assert demo.get(f"/v2.0/ports/{port['id']}").status_code == 200
    assert [p["id"] for p in demo.get("/v2.0/ports").get_json()["ports"]] == [port["id"]]
