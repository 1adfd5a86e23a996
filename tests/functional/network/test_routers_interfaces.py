"""Router interfaces (by subnet, by port, IPv6 prefixes) and static routes
(extraroute, extraroute-atomic)."""
import ipaddress

import pytest

from tests.functional.network.conftest import fault


@pytest.fixture
def net(demo):
    return demo.network()


@pytest.fixture
def subnet(demo, net):
    return demo.subnet(net["id"], cidr="10.0.0.0/24")


@pytest.fixture
def router(demo):
    return demo.make("router", name="r")


def _add(client, router_id, **body):
    return client.put(f"/v2.0/routers/{router_id}/add_router_interface", json=body)


def _remove(client, router_id, **body):
    return client.put(f"/v2.0/routers/{router_id}/remove_router_interface", json=body)


def test_add_and_remove_by_subnet(demo, router, net, subnet, notifier):
    response = _add(demo, router["id"], subnet_id=subnet["id"])
    assert response.status_code == 200
    info = response.get_json()
    assert set(info) == {"id", "tenant_id", "project_id", "port_id", "network_id",
                         "subnet_id", "subnet_ids"}
    assert (info["id"], info["subnet_id"], info["subnet_ids"], info["network_id"]) == \
        (router["id"], subnet["id"], [subnet["id"]], net["id"])
    assert info["project_id"] == demo.project
    port = demo.get(f"/v2.0/ports/{info['port_id']}").get_json()["port"]
    assert (port["device_id"], port["device_owner"]) == (router["id"],
                                                         "network:router_interface")
    assert port["fixed_ips"] == [{"subnet_id": subnet["id"], "ip_address": "10.0.0.1"}]
    assert port["project_id"] == demo.project and port["security_groups"] == []
    assert notifier.events[-1] == ("router.interface.create", {"router_interface": info})
    shown = demo.get(f"/v2.0/routers/{router['id']}").get_json()["router"]
    assert shown["revision_number"] == router["revision_number"] + 1
    removed = _remove(demo, router["id"], subnet_id=subnet["id"])
    assert removed.status_code == 200 and removed.get_json() == info
    assert notifier.events[-1] == ("router.interface.delete", {"router_interface": info})
    assert demo.get(f"/v2.0/ports/{info['port_id']}").status_code == 404
    assert fault(_remove(demo, router["id"], subnet_id=subnet["id"])) == \
        (404, "RouterInterfaceNotFoundForSubnet")


def test_add_and_remove_by_port(demo, router, net, subnet):
    port = demo.port(net["id"], name="mine")
    info = _add(demo, router["id"], port_id=port["id"]).get_json()
    assert (info["port_id"], info["subnet_id"]) == (port["id"], subnet["id"])
    shown = demo.get(f"/v2.0/ports/{port['id']}").get_json()["port"]
    assert (shown["device_id"], shown["device_owner"]) == (router["id"],
                                                           "network:router_interface")
    other = demo.subnet(demo.network()["id"], cidr="10.1.0.0/24")
    mismatch = _remove(demo, router["id"], port_id=port["id"], subnet_id=other["id"])
    assert fault(mismatch) == (400, "SubnetMismatchForPort")
    assert _remove(demo, router["id"], port_id=port["id"]).get_json() == info
    assert demo.get(f"/v2.0/ports/{port['id']}").status_code == 404
    gone = _remove(demo, router["id"], port_id=port["id"])
    assert fault(gone) == (404, "RouterInterfaceNotFound")


def test_interface_body_is_checked(demo, router, subnet, net):
    port = demo.port(net["id"])
    assert fault(_add(demo, router["id"])) == (400, "BadRequest")
    assert fault(_add(demo, router["id"], subnet_id="nope")) == (400, "BadRequest")
    both = _add(demo, router["id"], subnet_id=subnet["id"], port_id=port["id"])
    assert fault(both) == (400, "BadRequest")
    missing = _add(demo, router["id"], subnet_id="6c8f4a7e-4c6b-4a6e-8a9e-1f0f1e2d3c4b")
    assert fault(missing) == (404, "SubnetNotFound")
    missing = _add(demo, router["id"], port_id="6c8f4a7e-4c6b-4a6e-8a9e-1f0f1e2d3c4b")
    assert fault(missing) == (404, "PortNotFound")


def test_other_projects_cannot_touch_the_router(demo, alt, router, subnet):
    assert fault(_add(alt, router["id"], subnet_id=subnet["id"])) == (404, "RouterNotFound")
    own = alt.subnet(alt.network()["id"], cidr="10.0.0.0/24")
    assert fault(_add(demo, router["id"], subnet_id=own["id"])) == (404, "SubnetNotFound")


def test_subnet_rules(demo, admin, router, net, subnet):
    no_gateway = demo.subnet(demo.network()["id"], cidr="10.5.0.0/24", gateway_ip=None)
    assert fault(_add(demo, router["id"], subnet_id=no_gateway["id"])) == (400, "BadRequest")
    assert _add(demo, router["id"], subnet_id=subnet["id"]).status_code == 200
    again = _add(demo, router["id"], subnet_id=subnet["id"])
    assert fault(again) == (400, "BadRequest")
    overlapping = demo.subnet(demo.network()["id"], cidr="10.0.0.0/16")
    assert fault(_add(demo, router["id"], subnet_id=overlapping["id"])) == (400, "BadRequest")
    shared = admin.network(shared=True)
    theirs = admin.subnet(shared["id"], cidr="10.7.0.0/24")
    assert fault(_add(demo, router["id"], subnet_id=theirs["id"])) == (400, "BadRequest")
    ra_outside = demo.subnet(demo.network()["id"], cidr="2001:db8:5::/64", ip_version=6,
                             ipv6_address_mode="slaac")
    assert fault(_add(demo, router["id"], subnet_id=ra_outside["id"])) == \
        (400, "BadRequest")


def test_gateway_ip_taken_is_409(demo, router, net, subnet):
    demo.port(net["id"], fixed_ips=[{"ip_address": "10.0.0.1"}])
    response = _add(demo, router["id"], subnet_id=subnet["id"])
    assert fault(response) == (409, "IpAddressAlreadyAllocated")
    assert demo.get(f"/v2.0/ports?device_id={router['id']}").get_json()["ports"] == []


def test_port_rules(demo, admin, router, net, subnet):
    busy = demo.port(net["id"], device_id="some-vm")
    assert fault(_add(demo, router["id"], port_id=busy["id"])) == (409, "PortInUse")
    bare = demo.port(net["id"], fixed_ips=[])
    assert fault(_add(demo, router["id"], port_id=bare["id"])) == (400, "BadRequest")
    second = demo.subnet(net["id"], cidr="10.0.1.0/24")
    two = demo.port(net["id"], fixed_ips=[{"subnet_id": subnet["id"]},
                                          {"subnet_id": second["id"]}])
    assert fault(_add(demo, router["id"], port_id=two["id"])) == (400, "BadRequest")
    attached = demo.port(net["id"])
    assert _add(demo, router["id"], port_id=attached["id"]).status_code == 200
    other = demo.make("router")
    assert fault(_add(demo, other["id"], port_id=attached["id"])) == (409, "PortInUse")
    same_subnet = demo.port(net["id"])
    assert fault(_add(demo, router["id"], port_id=same_subnet["id"])) == (400, "BadRequest")
    shared = admin.network(shared=True)
    admin.subnet(shared["id"], cidr="10.8.0.0/24")
    outside_pool = admin.port(shared["id"], project_id=demo.project,
                              fixed_ips=[{"ip_address": "10.8.0.1"}])
    assert fault(_add(demo, other["id"], port_id=outside_pool["id"])) == (400, "BadRequest")


def test_ipv6_subnets_share_one_port_per_network(demo, router, net):
    first = demo.subnet(net["id"], cidr="2001:db8:1::/64", ip_version=6)
    second = demo.subnet(net["id"], cidr="2001:db8:2::/64", ip_version=6)
    one = _add(demo, router["id"], subnet_id=first["id"]).get_json()
    two = _add(demo, router["id"], subnet_id=second["id"]).get_json()
    assert one["port_id"] == two["port_id"]
    port = demo.get(f"/v2.0/ports/{one['port_id']}").get_json()["port"]
    assert {ip["ip_address"] for ip in port["fixed_ips"]} == {"2001:db8:1::1", "2001:db8:2::1"}
    removed = _remove(demo, router["id"], subnet_id=first["id"]).get_json()
    assert (removed["port_id"], removed["subnet_ids"]) == (one["port_id"], [first["id"]])
    port = demo.get(f"/v2.0/ports/{one['port_id']}").get_json()["port"]
    assert port["fixed_ips"] == [{"subnet_id": second["id"], "ip_address": "2001:db8:2::1"}]
    extra = demo.port(net["id"], fixed_ips=[{"subnet_id": first["id"]}])
    assert fault(_add(demo, router["id"], port_id=extra["id"])) == (400, "BadRequest")


def test_router_with_interfaces_cannot_be_deleted(demo, router, subnet, net):
    info = _add(demo, router["id"], subnet_id=subnet["id"]).get_json()
    assert fault(demo.delete(f"/v2.0/routers/{router['id']}")) == (409, "RouterInUse")
    assert fault(demo.delete(f"/v2.0/ports/{info['port_id']}")) == (409, "ServicePortInUse")
    assert fault(demo.delete(f"/v2.0/subnets/{subnet['id']}")) == (409, "SubnetInUse")
    assert fault(demo.delete(f"/v2.0/networks/{net['id']}")) == (409, "NetworkInUse")
    gateway_change = demo.put(f"/v2.0/subnets/{subnet['id']}",
                              json={"subnet": {"gateway_ip": "10.0.0.254"}})
    assert fault(gateway_change) == (409, "GatewayIpInUse")
    _remove(demo, router["id"], port_id=info["port_id"])
    assert demo.delete(f"/v2.0/routers/{router['id']}").status_code == 204
    assert demo.delete(f"/v2.0/networks/{net['id']}").status_code == 204


def test_interface_port_fixed_ips_may_change(demo, router, subnet):
    info = _add(demo, router["id"], subnet_id=subnet["id"]).get_json()
    response = demo.put(f"/v2.0/ports/{info['port_id']}",
                        json={"port": {"fixed_ips": [{"subnet_id": subnet["id"]}]}})
    assert response.get_json()["port"]["fixed_ips"][0]["subnet_id"] == subnet["id"]


def _subnets_on_router(demo, router_id, count):
    cidrs = []
    for i in range(count):
        subnet = demo.subnet(demo.network()["id"], cidr=f"10.{20 + i}.0.0/24")
        _add(demo, router_id, subnet_id=subnet["id"])
        cidrs.append(subnet)
    return cidrs


def test_static_routes(demo, router):
    subnets = _subnets_on_router(demo, router["id"], 4)
    routes = [{"destination": f"192.168.{i}.0/24",
               "nexthop": str(ipaddress.ip_network(s["cidr"])[2])}
              for i, s in enumerate(subnets)]
    path = f"/v2.0/routers/{router['id']}"
    body = demo.put(path, json={"router": {"routes": routes}}).get_json()["router"]
    assert sorted(body["routes"], key=str) == sorted(routes, key=str)
    assert demo.get(path).get_json()["router"]["routes"] == body["routes"]
    in_use = _remove(demo, router["id"], subnet_id=subnets[0]["id"])
    assert fault(in_use) == (409, "RouterInterfaceInUseByRoute")
    cleared = demo.put(path, json={"router": {"routes": None}}).get_json()["router"]
    assert cleared["routes"] == []
    unreachable = demo.put(path, json={"router": {"routes": [
        {"destination": "0.0.0.0/0", "nexthop": "10.99.0.5"}]}})
    assert fault(unreachable) == (400, "InvalidRoutes")
    own = demo.put(path, json={"router": {"routes": [
        {"destination": "0.0.0.0/0", "nexthop": "10.20.0.1"}]}})
    assert fault(own) == (400, "InvalidRoutes")
    for bad in ([{"destination": "10.0.0.1", "nexthop": "10.20.0.5"}],
                [{"destination": "10.0.0.0/8"}],
                [{"destination": "127.0.0.0/8", "nexthop": "10.20.0.5"}],
                [{"destination": "10.0.0.0/8", "nexthop": "10.20.0.5"}] * 2):
        assert fault(demo.put(path, json={"router": {"routes": bad}})) == \
            (400, "HTTPBadRequest"), bad
    many = [{"destination": f"192.168.{i}.0/24", "nexthop": "10.20.0.5"} for i in range(31)]
    assert fault(demo.put(path, json={"router": {"routes": many}})) == (400, "RoutesExhausted")


def test_ipv6_static_routes(demo, router, net):
    subnet = demo.subnet(net["id"], cidr="2001:db8:7::/64", ip_version=6)
    _add(demo, router["id"], subnet_id=subnet["id"])
    routes = [{"destination": "2001:db8:7::/64", "nexthop": "2001:db8:7::2"}]
    body = demo.put(f"/v2.0/routers/{router['id']}",
                    json={"router": {"routes": routes}}).get_json()["router"]
    assert body["routes"] == routes


def test_extraroutes_atomic(demo, alt, router):
    _subnets_on_router(demo, router["id"], 1)
    path = f"/v2.0/routers/{router['id']}"
    first = {"destination": "192.168.1.0/24", "nexthop": "10.20.0.5"}
    second = {"destination": "192.168.2.0/24", "nexthop": "10.20.0.6"}
    body = demo.put(f"{path}/add_extraroutes", json={"router": {"routes": [first]}})
    assert body.get_json()["router"]["routes"] == [first]
    body = demo.put(f"{path}/add_extraroutes", json={"router": {"routes": [first, second]}})
    assert body.get_json()["router"]["routes"] == [first, second]
    body = demo.put(f"{path}/remove_extraroutes",
                    json={"router": {"routes": [first, {"destination": "1.0.0.0/8",
                                                        "nexthop": "10.20.0.9"}]}})
    assert body.get_json()["router"]["routes"] == [second]
    bad = demo.put(f"{path}/add_extraroutes", json={"router": {"routes": [
        {"destination": "8.0.0.0/8", "nexthop": "10.77.0.1"}]}})
    assert fault(bad) == (400, "InvalidRoutes")
    assert fault(demo.put(f"{path}/add_extraroutes", json={"routes": []})) == \
        (400, "HTTPBadRequest")
    hidden = alt.put(f"{path}/add_extraroutes", json={"router": {"routes": [second]}})
    assert fault(hidden) == (404, "RouterNotFound")
