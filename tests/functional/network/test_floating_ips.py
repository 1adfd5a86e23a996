"""Floating IPs: allocation on external networks, association through a
router, port details, policy, quotas, and what port, network and router
changes do to them."""
import pytest

from tests.functional.network.conftest import fault


@pytest.fixture
def public(admin):
    network = admin.network(name="public", **{"router:external": True})
    admin.subnet(network["id"], cidr="172.24.4.0/24")
    return network


@pytest.fixture
def routed(demo, public):
    """A demo network whose subnet a router with a gateway on ``public`` serves."""
    net = demo.network()
    subnet = demo.subnet(net["id"], cidr="10.0.0.0/24")
    router = demo.make("router", external_gateway_info={"network_id": public["id"]})
    demo.put(f"/v2.0/routers/{router['id']}/add_router_interface",
             json={"subnet_id": subnet["id"]})
    return {"network": net, "subnet": subnet, "router": router}


def _create(client, **body):
    return client.post("/v2.0/floatingips", json={"floatingip": body})


def _update(client, fip_id, **body):
    return client.put(f"/v2.0/floatingips/{fip_id}", json={"floatingip": body})


def test_create_unassociated_and_delete(demo, admin, public, notifier):
    fip = demo.make("floatingip", floating_network_id=public["id"], description="spare")
    assert set(fip) == {
        "id", "tenant_id", "project_id", "description", "tags", "created_at", "updated_at",
        "revision_number", "floating_ip_address", "floating_network_id", "router_id",
        "port_id", "fixed_ip_address", "status", "port_details"}
    assert (fip["status"], fip["port_id"], fip["router_id"], fip["port_details"]) == \
        ("DOWN", None, None, None)
    assert fip["floating_ip_address"].startswith("172.24.4.")
    assert fip["project_id"] == demo.project and fip["description"] == "spare"
    [port] = admin.get(f"/v2.0/ports?device_id={fip['id']}").get_json()["ports"]
    assert (port["device_owner"], port["project_id"], port["status"]) == \
        ("network:floatingip", "", "N/A")
    assert port["fixed_ips"][0]["ip_address"] == fip["floating_ip_address"]
    assert notifier.events[-1] == ("floatingip.create.end", {"floatingip": fip})
    path = f"/v2.0/floatingips/{fip['id']}"
    assert demo.get(path).get_json()["floatingip"] == fip
    assert fault(admin.delete(f"/v2.0/ports/{port['id']}")) == (409, "ServicePortInUse")
    assert demo.delete(path).status_code == 204
    assert notifier.types()[-1] == "floatingip.delete.end"
    assert fault(demo.get(path)) == (404, "FloatingIPNotFound")
    assert admin.get(f"/v2.0/ports/{port['id']}").status_code == 404


def test_create_associated_then_move_and_disassociate(demo, public, routed):
    ports = [demo.port(routed["network"]["id"], name=f"p{i}") for i in range(2)]
    fip = demo.make("floatingip", floating_network_id=public["id"], port_id=ports[0]["id"])
    assert (fip["port_id"], fip["router_id"], fip["status"]) == \
        (ports[0]["id"], routed["router"]["id"], "ACTIVE")
    assert fip["fixed_ip_address"] == ports[0]["fixed_ips"][0]["ip_address"]
    assert fip["port_details"] == {
        "name": "p0", "network_id": routed["network"]["id"],
        "mac_address": ports[0]["mac_address"], "admin_state_up": True, "status": "DOWN",
        "device_id": "", "device_owner": ""}
    moved = _update(demo, fip["id"], port_id=ports[1]["id"]).get_json()["floatingip"]
    assert (moved["port_id"], moved["fixed_ip_address"], moved["router_id"]) == \
        (ports[1]["id"], ports[1]["fixed_ips"][0]["ip_address"], routed["router"]["id"])
    described = _update(demo, fip["id"], description="kept").get_json()["floatingip"]
    assert (described["port_id"], described["description"]) == (ports[1]["id"], "kept")
    free = _update(demo, fip["id"], port_id=None).get_json()["floatingip"]
    assert (free["port_id"], free["fixed_ip_address"], free["router_id"], free["status"]) == \
        (None, None, None, "DOWN")
    assert free["port_details"] is None


def test_specific_fixed_ip_of_a_multi_address_port(demo, public, routed):
    port = demo.port(routed["network"]["id"], fixed_ips=[{"ip_address": "10.0.0.30"},
                                                         {"ip_address": "10.0.0.31"}])
    ambiguous = _create(demo, floating_network_id=public["id"], port_id=port["id"])
    assert fault(ambiguous) == (400, "BadRequest")
    fip = demo.make("floatingip", floating_network_id=public["id"], port_id=port["id"],
                    fixed_ip_address="10.0.0.30")
    assert fip["fixed_ip_address"] == "10.0.0.30"
    switched = _update(demo, fip["id"], port_id=port["id"], fixed_ip_address="10.0.0.31")
    assert switched.get_json()["floatingip"]["fixed_ip_address"] == "10.0.0.31"
    absent = _update(demo, fip["id"], port_id=port["id"], fixed_ip_address="10.0.0.99")
    assert fault(absent) == (400, "BadRequest")
    without_port = _update(demo, fip["id"], fixed_ip_address="10.0.0.30")
    assert fault(without_port) == (400, "BadRequest")
    second = _create(demo, floating_network_id=public["id"], port_id=port["id"],
                     fixed_ip_address="10.0.0.31")
    assert fault(second) == (409, "FloatingIPPortAlreadyAssociated")
    other = demo.make("floatingip", floating_network_id=public["id"], port_id=port["id"],
                      fixed_ip_address="10.0.0.30")
    assert other["router_id"] == routed["router"]["id"]


def test_unreachable_ports_are_404(demo, public):
    net = demo.network()
    subnet = demo.subnet(net["id"], cidr="10.3.0.0/24")
    router = demo.make("router")
    demo.put(f"/v2.0/routers/{router['id']}/add_router_interface",
             json={"subnet_id": subnet["id"]})
    port = demo.port(net["id"])
    address = port["fixed_ips"][0]["ip_address"]
    unreachable = _create(demo, floating_network_id=public["id"], port_id=port["id"],
                          fixed_ip_address=address)
    assert fault(unreachable) == (404, "ExternalGatewayForFloatingIPNotFound")
    fip = demo.make("floatingip", floating_network_id=public["id"])
    associate = _update(demo, fip["id"], port_id=port["id"], fixed_ip_address=address)
    assert fault(associate) == (404, "ExternalGatewayForFloatingIPNotFound")
    private = _create(demo, floating_network_id=net["id"], port_id=port["id"])
    assert fault(private) == (400, "BadRequest")


def test_network_and_port_checks(demo, alt, admin, public, routed):
    assert fault(_create(demo, floating_network_id="6c8f4a7e-4c6b-4a6e-8a9e-1f0f1e2d3c4b")) \
        == (404, "NetworkNotFound")
    assert fault(_create(demo, floating_network_id="public")) == (400, "HTTPBadRequest")
    assert fault(_create(demo)) == (400, "HTTPBadRequest")
    v6only = admin.network(**{"router:external": True})
    admin.subnet(v6only["id"], cidr="2001:db8:9::/64", ip_version=6)
    assert fault(_create(demo, floating_network_id=v6only["id"])) == (400, "BadRequest")
    theirs = alt.port(alt.network()["id"])
    assert fault(_create(demo, floating_network_id=public["id"], port_id=theirs["id"])) == \
        (404, "PortNotFound")
    dhcp = demo.port(routed["network"]["id"], device_owner="network:dhcp")
    assert fault(_create(demo, floating_network_id=public["id"], port_id=dhcp["id"])) == \
        (400, "BadRequest")
    bare = demo.port(routed["network"]["id"], fixed_ips=[])
    assert fault(_create(demo, floating_network_id=public["id"], port_id=bare["id"])) == \
        (400, "BadRequest")
    fip = admin.make("floatingip", floating_network_id=public["id"])
    foreign = _update(admin, fip["id"], port_id=demo.port(routed["network"]["id"])["id"])
    assert foreign.status_code == 200


def test_floating_ip_address_and_subnet(demo, admin, public):
    subnet_id = admin.get(f"/v2.0/networks/{public['id']}").get_json()["network"]["subnets"][0]
    denied = _create(demo, floating_network_id=public["id"], floating_ip_address="172.24.4.9")
    assert fault(denied) == (403, "PolicyNotAuthorized")
    fip = admin.make("floatingip", floating_network_id=public["id"],
                     floating_ip_address="172.24.4.9", project_id=demo.project)
    assert (fip["floating_ip_address"], fip["project_id"]) == ("172.24.4.9", demo.project)
    assert demo.get(f"/v2.0/floatingips/{fip['id']}").status_code == 200
    taken = _create(admin, floating_network_id=public["id"], floating_ip_address="172.24.4.9")
    assert fault(taken) == (409, "IpAddressAlreadyAllocated")
    outside = _create(admin, floating_network_id=public["id"], floating_ip_address="10.1.1.1")
    assert fault(outside) == (400, "InvalidIpForNetwork")
    by_subnet = demo.make("floatingip", floating_network_id=public["id"], subnet_id=subnet_id)
    assert by_subnet["floating_ip_address"].startswith("172.24.4.")
    assert "subnet_id" not in by_subnet
    # a floating IP's address cannot become an instance's
    port = admin.post("/v2.0/ports", json={"port": {
        "network_id": public["id"], "fixed_ips": [{"ip_address": "172.24.4.9"}]}})
    assert fault(port) == (409, "IpAddressAlreadyAllocated")


def test_visibility_and_listing(demo, alt, admin, public, routed):
    mine = demo.make("floatingip", floating_network_id=public["id"])
    theirs = alt.make("floatingip", floating_network_id=public["id"])
    admins = admin.make("floatingip", floating_network_id=public["id"])
    ids = {f["id"] for f in admin.get("/v2.0/floatingips").get_json()["floatingips"]}
    assert {mine["id"], theirs["id"], admins["id"]} <= ids
    assert [f["id"] for f in demo.get("/v2.0/floatingips").get_json()["floatingips"]] == \
        [mine["id"]]
    path = f"/v2.0/floatingips/{theirs['id']}"
    assert fault(demo.get(path)) == (404, "FloatingIPNotFound")
    assert fault(demo.put(path, json={"floatingip": {"port_id": None}})) == \
        (404, "FloatingIPNotFound")
    assert fault(demo.delete(path)) == (404, "FloatingIPNotFound")
    port = demo.port(routed["network"]["id"])
    _update(demo, mine["id"], port_id=port["id"])
    for query, expected in ((f"port_id={port['id']}", [mine["id"]]),
                            (f"floating_network_id={public['id']}", [mine["id"]]),
                            (f"router_id={routed['router']['id']}", [mine["id"]]),
                            ("status=DOWN", []),
                            (f"fixed_ip_address={port['fixed_ips'][0]['ip_address']}",
                             [mine["id"]])):
        found = demo.get(f"/v2.0/floatingips?{query}").get_json()["floatingips"]
        assert [f["id"] for f in found] == expected, query
    assert fault(demo.get("/v2.0/floatingips?subnet_id=x")) == (400, "HTTPBadRequest")


def test_deleting_the_port_disassociates(demo, admin, public, routed, notifier):
    port = demo.port(routed["network"]["id"])
    fip = demo.make("floatingip", floating_network_id=public["id"], port_id=port["id"])
    assert demo.delete(f"/v2.0/ports/{port['id']}").status_code == 204
    shown = demo.get(f"/v2.0/floatingips/{fip['id']}").get_json()["floatingip"]
    assert (shown["port_id"], shown["fixed_ip_address"], shown["router_id"],
            shown["status"]) == (None, None, None, "DOWN")
    assert notifier.types()[-2:] == ["port.delete.end", "floatingip.update.end"]
    assert notifier.events[-1][1]["floatingip"] == shown
    admins_port = demo.port(routed["network"]["id"])
    admin.make("floatingip", floating_network_id=public["id"], port_id=admins_port["id"])
    refused = demo.delete(f"/v2.0/ports/{admins_port['id']}")
    assert fault(refused) == (409, "FipAssociated")
    assert admin.delete(f"/v2.0/ports/{admins_port['id']}").status_code == 204


def test_associated_fixed_ip_stays_on_the_port(demo, public, routed):
    port = demo.port(routed["network"]["id"])
    address = port["fixed_ips"][0]["ip_address"]
    demo.make("floatingip", floating_network_id=public["id"], port_id=port["id"])
    path = f"/v2.0/ports/{port['id']}"
    moved = demo.put(path, json={"port": {"fixed_ips": [{"ip_address": "10.0.0.200"}]}})
    assert fault(moved) == (400, "BadRequest")
    kept = demo.put(path, json={"port": {"fixed_ips": [{"ip_address": address},
                                                       {"ip_address": "10.0.0.200"}]}})
    assert kept.status_code == 200
    assert demo.put(path, json={"port": {"name": "renamed"}}).status_code == 200


def test_router_changes_refused_while_floating_ips_use_them(demo, public, routed):
    router, subnet = routed["router"], routed["subnet"]
    port = demo.port(routed["network"]["id"])
    fip = demo.make("floatingip", floating_network_id=public["id"], port_id=port["id"])
    path = f"/v2.0/routers/{router['id']}"
    unset = demo.put(path, json={"router": {"external_gateway_info": {}}})
    assert fault(unset) == (409, "RouterExternalGatewayInUseByFloatingIp")
    remove = demo.put(f"{path}/remove_router_interface", json={"subnet_id": subnet["id"]})
    assert fault(remove) == (409, "RouterInterfaceInUseByFloatingIP")
    assert fault(demo.delete(path)) == (409, "RouterInUse")
    _update(demo, fip["id"], port_id=None)
    assert demo.put(f"{path}/remove_router_interface",
                    json={"subnet_id": subnet["id"]}).status_code == 200
    assert demo.put(path, json={"router": {"external_gateway_info": {}}}).status_code == 200


def test_external_network_deletion(demo, admin, public, routed):
    spare = admin.make("floatingip", floating_network_id=public["id"])
    port = demo.port(routed["network"]["id"])
    used = demo.make("floatingip", floating_network_id=public["id"], port_id=port["id"])
    demo.put(f"/v2.0/routers/{routed['router']['id']}", json={"router": {
        "external_gateway_info": {}}})  # refused: the association needs it
    assert fault(admin.delete(f"/v2.0/networks/{public['id']}")) == (409, "NetworkInUse")
    assert admin.get(f"/v2.0/floatingips/{spare['id']}").status_code == 200
    demo.delete(f"/v2.0/floatingips/{used['id']}")
    demo.put(f"/v2.0/routers/{routed['router']['id']}", json={"router": {
        "external_gateway_info": {}}})
    assert admin.delete(f"/v2.0/networks/{public['id']}").status_code == 204
    assert fault(admin.get(f"/v2.0/floatingips/{spare['id']}")) == (404,
                                                                      "FloatingIPNotFound")
    assert admin.get(f"/v2.0/ports?network_id={public['id']}").get_json()["ports"] == []


def test_quota_tags_and_pools(demo, admin, public):
    admin.put(f"/v2.0/quotas/{demo.project}", json={"quota": {"floatingip": 1}})
    fip = demo.make("floatingip", floating_network_id=public["id"], tags=["a"])
    assert fip["tags"] == ["a"]
    assert fault(_create(demo, floating_network_id=public["id"])) == (409, "OverQuota")
    assert demo.put(f"/v2.0/floatingips/{fip['id']}/tags/b").status_code == 201
    assert demo.get(f"/v2.0/floatingips/{fip['id']}/tags").get_json()["tags"] == ["a", "b"]
    admin.subnet(public["id"], cidr="2001:db8:4::/64", ip_version=6)
    pools = demo.get("/v2.0/floatingip_pools").get_json()["floatingip_pools"]
    [subnet_id] = [s for s in admin.get(f"/v2.0/networks/{public['id']}").get_json()[
        "network"]["subnets"] if admin.get(f"/v2.0/subnets/{s}").get_json()["subnet"][
        "ip_version"] == 4]
    assert pools == [{"subnet_id": subnet_id, "subnet_name": "", "network_id": public["id"],
                      "cidr": "172.24.4.0/24", "project_id": demo.project}]
    only = demo.get("/v2.0/floatingip_pools?fields=cidr").get_json()["floatingip_pools"]
    assert only == [{"cidr": "172.24.4.0/24"}]
    assert fault(demo.get("/v2.0/floatingip_pools?cidr=x")) == (400, "HTTPBadRequest")


def test_set_status_for_the_agent(demo, public, network_app, notifier):
    fip = demo.make("floatingip", floating_network_id=public["id"])
    manager = network_app.extensions["network"].floatingips
    view = manager.set_status(fip["id"], "ERROR")
    assert view["status"] == "ERROR" and notifier.types()[-1] == "floatingip.update.end"
    assert demo.get(f"/v2.0/floatingips/{fip['id']}").get_json()["floatingip"]["status"] \
        == "ERROR"
    with pytest.raises(Exception) as error:
        manager.set_status(fip["id"], "SLEEPY")
    assert error.value.code == 400
