"""The server side of the agents' RPC API, called directly (no bus): what
``get_host_state`` says a host carries, DHCP ports, port statuses; and the
dataplane hook every API change calls."""
import threading
import uuid

import pytest

from network import api, exception, plugin, rpcapi
from network.manager import host_state
from network.manager.dataplane import Dataplane
from network.service import NetworkService
from stratus import context, db
from stratus.db import migration
from tests.functional.network.conftest import RecordingNotifier, network_conf

ADMIN = context.admin()


class RecordingDataplane(Dataplane):
    def __init__(self):
        self.calls: list[dict] = []

    def changed(self, networks=(), routers=(), ports=(), security_groups=()):
        self.calls.append({"networks": set(networks), "routers": set(routers),
                           "ports": set(ports), "security_groups": set(security_groups)})

    def take(self) -> dict:
        merged = {"networks": set(), "routers": set(), "ports": set(),
                  "security_groups": set()}
        for call in self.calls:
            for kind, ids in call.items():
                merged[kind] |= ids
        self.calls.clear()
        return merged


@pytest.fixture
def network_app(cloud, tmp_path):
    conf = network_conf(cloud, tmp_path)
    database = db.Database.from_conf(conf)
    migration.upgrade(database, "network")
    database.dispose()
    service = NetworkService(conf, RecordingNotifier(), dataplane=RecordingDataplane())
    app = api.create_app(conf, service)
    app.testing = True
    yield app
    service.db.dispose()


@pytest.fixture
def service(network_app) -> NetworkService:
    return network_app.extensions["network"]


@pytest.fixture
def endpoint(service) -> plugin.PluginEndpoint:
    return plugin.PluginEndpoint(service)


def register(endpoint, host: str, *types: str, ip: str = "192.0.2.1") -> None:
    for agent_type in types:
        endpoint.report_state(ADMIN, agent={
            "agent_type": agent_type, "host": host, "binary": "b", "topic": "t",
            "configurations": {"tunneling_ip": ip} if agent_type ==
            rpcapi.LINUX_BRIDGE_AGENT else {}})


def test_a_dhcp_host_serves_every_network_with_a_dhcp_subnet(endpoint, service, demo):
    register(endpoint, "net-node", rpcapi.LINUX_BRIDGE_AGENT, rpcapi.DHCP_AGENT)
    register(endpoint, "compute", rpcapi.LINUX_BRIDGE_AGENT, ip="192.0.2.2")
    network = demo.network()
    subnet = demo.subnet(network["id"], cidr="10.1.0.0/24")
    quiet = demo.network()
    demo.subnet(quiet["id"], cidr="10.2.0.0/24", enable_dhcp=False)
    port = demo.port(network["id"])

    state = endpoint.get_host_state(ADMIN, host="net-node")
    assert [d["network"]["id"] for d in state["dhcp"]] == [network["id"]]
    dhcp = state["dhcp"][0]
    assert dhcp["port"] is None
    assert [s["id"] for s in dhcp["subnets"]] == [subnet["id"]]
    assert dhcp["subnets"][0]["routed"] is False and dhcp["subnets"][0]["cidr"] == "10.1.0.0/24"
    assert [(p["id"], p["mac_address"]) for p in dhcp["ports"]] == \
        [(port["id"], port["mac_address"])]
    assert dhcp["network"]["vxlan_peers"] == ["192.0.2.2"]
    assert [n["id"] for n in state["networks"]] == [network["id"]]
    assert state["ports"] == [] and state["routers"] == []

    assert endpoint.get_host_state(ADMIN, host="compute") == \
        {"networks": [], "dhcp": [], "routers": [], "ports": [], "remote_groups": {}}


def test_a_dhcp_agent_switched_off_serves_nothing(endpoint, admin, demo):
    register(endpoint, "net-node", rpcapi.DHCP_AGENT)
    network = demo.network()
    demo.subnet(network["id"])
    assert endpoint.get_host_state(ADMIN, host="net-node")["dhcp"]
    agent = admin.get("/v2.0/agents?agent_type=DHCP agent").get_json()["agents"][0]
    admin.put(f"/v2.0/agents/{agent['id']}", json={"agent": {"admin_state_up": False}})
    assert endpoint.get_host_state(ADMIN, host="net-node")["dhcp"] == []


def test_dhcp_ports_are_made_once_and_follow_the_subnets(endpoint, service, demo):
    network = demo.network()
    first = demo.subnet(network["id"], cidr="10.3.0.0/24")
    port = endpoint.get_or_create_dhcp_port(ADMIN, network_id=network["id"], host="net-node")
    assert port["device_owner"] == "network:dhcp"
    assert port["device_id"] == host_state.dhcp_device_id("net-node", network["id"])
    assert port["device_id"] == f"dhcp{uuid.uuid5(uuid.NAMESPACE_DNS, 'net-node')}-" \
                                f"{network['id']}"
    assert [ip["subnet_id"] for ip in port["fixed_ips"]] == [first["id"]]
    assert endpoint.get_or_create_dhcp_port(ADMIN, network_id=network["id"],
                                            host="net-node") == port
    view = service.ports.get(host_state.ADMIN, port["id"])
    assert view["binding:host_id"] == "net-node" and view["security_groups"] == []
    assert "port.create.end" in service.notifier.types()

    second = demo.subnet(network["id"], cidr="10.4.0.0/24")
    grown = endpoint.get_or_create_dhcp_port(ADMIN, network_id=network["id"], host="net-node")
    assert grown["id"] == port["id"]
    assert [ip["subnet_id"] for ip in grown["fixed_ips"]] == [first["id"], second["id"]]
    other_host = endpoint.get_or_create_dhcp_port(ADMIN, network_id=network["id"],
                                                  host="net-node-2")
    assert other_host["id"] != port["id"]

    register(endpoint, "net-node", rpcapi.DHCP_AGENT)
    dhcp = endpoint.get_host_state(ADMIN, host="net-node")["dhcp"][0]
    assert dhcp["port"]["id"] == port["id"]


def test_a_released_dhcp_port_is_deleted(endpoint, service, demo):
    network = demo.network()
    demo.subnet(network["id"], cidr="10.8.0.0/24")
    port = endpoint.get_or_create_dhcp_port(ADMIN, network_id=network["id"], host="h1")
    other = endpoint.get_or_create_dhcp_port(ADMIN, network_id=network["id"], host="h2")
    endpoint.release_dhcp_port(ADMIN, network_id=network["id"], host="h1")
    endpoint.release_dhcp_port(ADMIN, network_id=network["id"], host="h1")
    assert demo.get(f"/v2.0/ports/{port['id']}").status_code == 404
    assert demo.get(f"/v2.0/ports/{other['id']}").status_code == 200
    assert service.dataplane.take()["ports"] >= {port["id"]}


def test_no_dhcp_port_without_a_dhcp_subnet(endpoint, demo):
    network = demo.network()
    assert endpoint.get_or_create_dhcp_port(ADMIN, network_id=network["id"], host="h") is None
    demo.subnet(network["id"], enable_dhcp=False)
    assert endpoint.get_or_create_dhcp_port(ADMIN, network_id=network["id"], host="h") is None
    assert endpoint.get_or_create_dhcp_port(ADMIN, network_id=str(uuid.uuid4()),
                                            host="h") is None


def test_bound_ports_come_with_their_filter(endpoint, admin, demo):
    network = demo.network()
    demo.subnet(network["id"], cidr="10.5.0.0/24")
    here = demo.port(network["id"])
    elsewhere = demo.port(network["id"])
    for port, host in ((here, "compute-1"), (elsewhere, "compute-2")):
        admin.put(f"/v2.0/ports/{port['id']}", json={"port": {"binding:host_id": host}})

    state = endpoint.get_host_state(ADMIN, host="compute-1")
    assert [entry["port"]["id"] for entry in state["ports"]] == [here["id"]]
    entry = state["ports"][0]
    assert entry["status"] == "DOWN" and entry["admin_state_up"] is True
    security = entry["security"]
    assert security["port_id"] == here["id"] and security["mac_address"] == here["mac_address"]
    assert security["ip_addresses"] == [here["fixed_ips"][0]["ip_address"]]
    assert security["port_security_enabled"] is True
    assert {rule["direction"] for rule in security["rules"]} == {"egress", "ingress"}
    group = here["security_groups"][0]
    remote = [rule for rule in security["rules"] if rule["remote_group_id"] == group]
    assert remote and all(rule["remote_ips"] == [] for rule in remote)  # sent once, below
    assert sorted(state["remote_groups"][group]["IPv4"]) == sorted(
        port["fixed_ips"][0]["ip_address"] for port in (here, elsewhere))
    assert [n["id"] for n in state["networks"]] == [network["id"]]

    partial = endpoint.get_host_state(ADMIN, host="compute-1", port_ids=[elsewhere["id"]])
    assert partial["ports"] == [] and partial["networks"] == []
    by_network = endpoint.get_host_state(ADMIN, host="compute-1", network_ids=[network["id"]])
    assert [entry["port"]["id"] for entry in by_network["ports"]] == [here["id"]]
    assert by_network["dhcp"] == []  # compute-1 runs no DHCP agent
    by_group = endpoint.get_host_state(ADMIN, host="compute-1", security_group_ids=[group])
    assert [entry["port"]["id"] for entry in by_group["ports"]] == [here["id"]]


def test_port_status_is_set_for_ports_of_the_reporting_host(endpoint, service, admin, demo):
    network = demo.network()
    demo.subnet(network["id"], cidr="10.6.0.0/24")
    here, elsewhere = demo.port(network["id"]), demo.port(network["id"])
    admin.put(f"/v2.0/ports/{here['id']}", json={"port": {"binding:host_id": "compute-1"}})
    admin.put(f"/v2.0/ports/{elsewhere['id']}",
              json={"port": {"binding:host_id": "compute-2"}})
    dhcp = endpoint.get_or_create_dhcp_port(ADMIN, network_id=network["id"], host="net-node")
    changed = endpoint.update_port_status(ADMIN, port_ids=[here["id"], elsewhere["id"],
                                                           dhcp["id"], str(uuid.uuid4())],
                                          status="ACTIVE", host="compute-1")
    assert sorted(changed) == sorted([here["id"], dhcp["id"]])
    assert demo.get(f"/v2.0/ports/{here['id']}").get_json()["port"]["status"] == "ACTIVE"
    assert demo.get(f"/v2.0/ports/{elsewhere['id']}").get_json()["port"]["status"] == "DOWN"
    assert endpoint.update_port_status(ADMIN, port_ids=[here["id"]], status="ACTIVE",
                                       host="compute-1") == []
    updates = [payload["port"]["id"] for event, payload in service.notifier.events
               if event == "port.update.end" and payload["port"]["status"] == "ACTIVE"]
    assert sorted(updates) == sorted([here["id"], dhcp["id"]])
    with pytest.raises(exception.InvalidInput):
        endpoint.update_port_status(ADMIN, port_ids=[here["id"]], status="UP", host="x")


def test_every_dataplane_change_is_announced(service, admin, demo):
    recorder = service.dataplane
    network = demo.network()
    assert recorder.take()["networks"] == set()  # nothing to carry yet
    subnet = demo.subnet(network["id"], cidr="10.7.0.0/24")
    assert recorder.take()["networks"] == {network["id"]}
    demo.put(f"/v2.0/subnets/{subnet['id']}", json={"subnet": {"enable_dhcp": False}})
    assert recorder.take()["networks"] == {network["id"]}
    port = demo.port(network["id"])
    created = recorder.take()
    assert created["networks"] == {network["id"]} and created["ports"] == {port["id"]}
    assert created["security_groups"] == set(port["security_groups"])
    admin.put(f"/v2.0/ports/{port['id']}", json={"port": {"binding:host_id": "h"}})
    assert recorder.take()["ports"] == {port["id"]}
    demo.put(f"/v2.0/ports/{port['id']}", json={"port": {"security_groups": []}})
    assert recorder.take()["security_groups"] == set(port["security_groups"])
    demo.delete(f"/v2.0/ports/{port['id']}")
    assert recorder.take()["ports"] == {port["id"]}
    demo.delete(f"/v2.0/subnets/{subnet['id']}")
    assert recorder.take()["networks"] == {network["id"]}
    demo.put(f"/v2.0/networks/{network['id']}", json={"network": {"mtu": 1400}})
    assert recorder.take()["networks"] == {network["id"]}
    demo.delete(f"/v2.0/networks/{network['id']}")
    assert recorder.take()["networks"] == {network["id"]}


class FlakyAgentAPI:
    """Fails its first cast, then records."""

    def __init__(self):
        self.casts: list[dict] = []
        self.failed = threading.Event()

    def resources_changed(self, ctxt, **kinds):
        if not self.failed.is_set():
            self.failed.set()
            raise ConnectionError("broker away")
        self.casts.append({kind: set(ids) for kind, ids in kinds.items()})


def test_the_agent_notifier_keeps_what_it_could_not_send():
    notifier = plugin.AgentNotifier(retry_interval=0.05)
    notifier.changed(networks=["n1"])  # before the bus is there
    api_stub = FlakyAgentAPI()
    notifier.attach(api_stub)
    assert api_stub.failed.wait(5)
    notifier.changed(ports=["p1"], security_groups=["g1"])
    assert notifier.flush(5)
    notifier.close()
    merged = {kind: set().union(*(cast[kind] for cast in api_stub.casts))
              for kind in plugin.KINDS}
    assert merged == {"networks": {"n1"}, "routers": set(), "ports": {"p1"},
                      "security_groups": {"g1"}}
