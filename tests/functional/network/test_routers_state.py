"""The routers' state the network agents are handed (Routers.router_state
and routers_for_host), read by the agent's own model."""
from network.agent import model


def _service(network_app):
    return network_app.extensions["network"]


def test_router_state_matches_the_agent_model(admin, demo, network_app):
    public = admin.network(name="public", **{"router:external": True})
    public_subnet = admin.subnet(public["id"], cidr="172.24.4.0/24")
    net = demo.network()
    subnet = demo.subnet(net["id"], cidr="10.0.0.0/24", dns_nameservers=["9.9.9.9"])
    v6 = demo.subnet(net["id"], cidr="2001:db8::/64", ip_version=6)
    router = demo.make("router", external_gateway_info={"network_id": public["id"]})
    path = f"/v2.0/routers/{router['id']}"
    first = demo.put(f"{path}/add_router_interface", json={"subnet_id": subnet["id"]})
    demo.put(f"{path}/add_router_interface", json={"subnet_id": v6["id"]})
    demo.put(path, json={"router": {"routes": [{"destination": "192.168.0.0/16",
                                                "nexthop": "10.0.0.9"}]}})
    port = demo.port(net["id"])
    fip = demo.make("floatingip", floating_network_id=public["id"], port_id=port["id"])

    state = _service(network_app).routers.router_state(router["id"])
    assert (state["id"], state["enable_snat"], state["admin_state_up"]) == \
        (router["id"], True, True)
    assert state["routes"] == [{"destination": "192.168.0.0/16", "nexthop": "10.0.0.9"}]
    assert state["floating_ips"] == [{"id": fip["id"],
                                      "floating_ip_address": fip["floating_ip_address"],
                                      "fixed_ip_address": fip["fixed_ip_address"]}]
    [v4_interface, v6_interface] = state["interfaces"]
    assert v4_interface["port"]["id"] == first.get_json()["port_id"]
    assert v4_interface["port"]["fixed_ips"] == [{"subnet_id": subnet["id"],
                                                  "ip_address": "10.0.0.1"}]
    assert v4_interface["network"] == {
        "id": net["id"], "provider:network_type": "vxlan",
        "provider:segmentation_id": v4_interface["network"]["provider:segmentation_id"],
        "provider:physical_network": None, "mtu": 1450}
    assert v4_interface["network"]["provider:segmentation_id"] > 0
    [described] = v4_interface["subnets"]
    assert (described["cidr"], described["gateway_ip"], described["dns_nameservers"]) == \
        ("10.0.0.0/24", "10.0.0.1", ["9.9.9.9"])
    assert v6_interface["subnets"][0]["cidr"] == "2001:db8::/64"
    gateway = state["gateway"]
    assert gateway["port"]["device_owner"] == "network:router_gateway"
    assert gateway["subnets"][0]["gateway_ip"] == public_subnet["gateway_ip"]

    built = model.Router.from_dict(state)
    assert built.gateway.network.id == public["id"]
    assert built.interfaces[0].port.mac_address == v4_interface["port"]["mac_address"]
    assert built.interfaces[0].subnets[0].prefixlen == 24
    assert built.floating_ips[0].fixed_ip_address == port["fixed_ips"][0]["ip_address"]
    assert built.routes[0].nexthop == "10.0.0.9"
    assert built.enable_snat is True


def test_routers_for_host_lists_down_routers_as_not_forwarding(demo, network_app):
    """A router administratively down still has its ports plugged (Tempest
    waits for them to be ACTIVE), but the agent stops its forwarding."""
    up = demo.make("router", name="up")
    down = demo.make("router", name="down", admin_state_up=False)
    routers = _service(network_app).routers
    states = routers.routers_for_host("node-1")
    assert [state["id"] for state in states] == [up["id"], down["id"]]
    assert states[0]["gateway"] is None and states[0]["interfaces"] == []
    assert model.Router.from_dict(states[0]).gateway is None
    assert [model.Router.from_dict(s).admin_state_up for s in states] == [True, False]
    assert routers.router_state("6c8f4a7e-4c6b-4a6e-8a9e-1f0f1e2d3c4b") is None


class RecordingDataplane:
    def __init__(self):
        self.calls = []

    def changed(self, networks=(), routers=(), ports=(), security_groups=()):
        self.calls.append({"networks": set(networks), "routers": set(routers),
                           "ports": set(ports)})


def test_changes_are_announced_to_the_dataplane(admin, demo, network_app):
    service = _service(network_app)
    dataplane = RecordingDataplane()
    for manager in (service.routers, service.floatingips, service.ports):
        manager.dataplane = dataplane
    public = admin.network(**{"router:external": True})
    admin.subnet(public["id"], cidr="172.24.4.0/24")
    net = demo.network()
    subnet = demo.subnet(net["id"], cidr="10.0.0.0/24")
    router = demo.make("router", external_gateway_info={"network_id": public["id"]})
    assert dataplane.calls[-1]["routers"] == {router["id"]}
    info = demo.put(f"/v2.0/routers/{router['id']}/add_router_interface",
                    json={"subnet_id": subnet["id"]}).get_json()
    assert dataplane.calls[-1] == {"routers": {router["id"]}, "networks": {net["id"]},
                                   "ports": {info["port_id"]}}
    port = demo.port(net["id"])
    fip = demo.make("floatingip", floating_network_id=public["id"], port_id=port["id"])
    assert dataplane.calls[-1]["routers"] == {router["id"]}
    demo.put(f"/v2.0/floatingips/{fip['id']}", json={"floatingip": {"port_id": None}})
    assert dataplane.calls[-1]["routers"] == {router["id"]}
    demo.put(f"/v2.0/floatingips/{fip['id']}", json={"floatingip": {"port_id": port["id"]}})
    dataplane.calls.clear()
    demo.delete(f"/v2.0/ports/{port['id']}")
    assert {router["id"]} in [call["routers"] for call in dataplane.calls]
    demo.put(f"/v2.0/routers/{router['id']}/remove_router_interface",
             json={"subnet_id": subnet["id"]})
    demo.delete(f"/v2.0/routers/{router['id']}")
    assert dataplane.calls[-1]["routers"] == {router["id"]}
    assert _service(network_app).routers.routers_for_host("any") == []


def test_for_agents_selects_by_id(demo, network_app):
    from network.manager import router_state
    first, second = demo.make("router"), demo.make("router")
    database = _service(network_app).db
    with database.reader() as session:
        assert [r["id"] for r in router_state.for_agents(session, [second["id"]])] == \
            [second["id"]]
        assert router_state.for_agents(session, []) == []
        assert [r["id"] for r in router_state.for_agents(session)] == [first["id"],
                                                                        second["id"]]
