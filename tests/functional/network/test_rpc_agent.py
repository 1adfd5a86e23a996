"""The network API and its agents over the bus, in one process: the real
API app and PluginAPI server, and agent managers with the in-memory driver,
on ``kombu+memory:////`` (oslo.messaging's rabbit driver over kombu's
in-process broker).

One API and one agent (host ``node-a``, a network node: DHCP and L3) serve
the whole module; tests use resources of their own and wait for the agent
to converge. Agents of other hosts come and go where a test needs them.
"""
import dataclasses
import subprocess
import sys
import time
import uuid

import pytest

from network import api, plugin, rpcapi
from network.agent import driver as base
from network.agent import fake, model, names
from network.agent.manager import AgentManager
from network.manage import make_conf
from network.service import NetworkService
from stratus import config, db
from stratus.db import migration
from tests.functional.network.conftest import RecordingNotifier, client_for, network_conf

MEMORY_URL = "kombu+memory:////"
WAIT = 10.0
PHYSNET = "public"
FAKE_BRIDGE = "br-fake"


def wait_for(predicate, timeout: float = WAIT, what: str = "condition"):
    """``predicate()``'s first truthy value, polled (a LookupError counts as
    not yet); fails after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = predicate()
        except LookupError:
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


@dataclasses.dataclass
class Stack:
    app: object
    service: NetworkService
    transport: object
    agents: list

    def agent(self, host: str, driver: fake.FakeDriver | None = None,
              **options) -> tuple[AgentManager, fake.FakeDriver]:
        """Start an agent of ``host`` (fast intervals, ``options`` overriding
        ``[agent]``) on ``driver`` (a new fake one by default)."""
        conf = config.load(make_conf(), [], [])
        conf.set_override("host", host)
        values = {"report_interval": 0.2, "tap_scan_interval": 0.05, "retry_interval": 0.2,
                  "resync_interval": 300.0, "local_ip": "192.0.2.1"}
        values.update(options)
        for name, value in values.items():
            conf.set_override(name, value, group="agent")
        driver = driver or fake.FakeDriver(base.Settings(
            bridge_mappings={PHYSNET: FAKE_BRIDGE}, local_ip=values["local_ip"]))
        manager = AgentManager(conf, driver, rpcapi.PluginAPI(self.transport), self.transport)
        manager.start()
        self.agents.append(manager)
        return manager, driver

    def stop(self, manager: AgentManager) -> None:
        manager.stop()
        self.agents.remove(manager)


@pytest.fixture(scope="module")
def stack(cloud, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("rpc-agent")
    conf = network_conf(cloud, tmp_path)
    conf.set_override("transport_url", MEMORY_URL)
    database = db.Database.from_conf(conf)
    migration.upgrade(database, "network")
    database.dispose()
    service = NetworkService(conf, RecordingNotifier(),
                             dataplane=plugin.AgentNotifier(retry_interval=0.1))
    app = api.create_app(conf, service)
    app.testing = True
    transport = rpcapi.get_transport(conf)
    connection = plugin.connect(conf, service, transport)
    stack = Stack(app, service, transport, [])
    yield stack
    for manager in list(stack.agents):
        stack.stop(manager)
    connection.stop()
    transport.cleanup()
    service.db.dispose()


@pytest.fixture(scope="module")
def node_a(stack):
    """The module's network node: (agent, fake driver)."""
    manager, driver = stack.agent("node-a")
    wait_for(lambda: manager.synced, what="the first full sync")
    return manager, driver


@pytest.fixture(scope="module")
def demo(cloud, stack):
    return client_for(cloud, stack.app, "demo")


@pytest.fixture(scope="module")
def admin(cloud, stack):
    return client_for(cloud, stack.app, "admin")


def dhcp_hosts(driver: fake.FakeDriver, network_id: str) -> frozenset:
    server = driver.observed().dhcp.get(network_id)
    return server.hosts if server and server.running else frozenset()


def network_with_subnet(client, cidr: str = "10.50.0.0/24", **subnet):
    network = client.network(name=f"net-{uuid.uuid4().hex[:6]}")
    return network, client.subnet(network["id"], cidr=cidr, **subnet)


def port_status(client, port_id: str) -> str:
    return client.get(f"/v2.0/ports/{port_id}").get_json()["port"]["status"]


def bind(admin, port_id: str, host: str) -> dict:
    response = admin.put(f"/v2.0/ports/{port_id}", json={"port": {"binding:host_id": host}})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["port"]


def test_a_new_port_is_handed_out_by_the_dhcp_server(node_a, demo, admin):
    _, driver = node_a
    network, subnet = network_with_subnet(demo)
    wait_for(lambda: network["id"] in driver.observed().dhcp, what="the DHCP server")
    port = demo.port(network["id"])
    address = port["fixed_ips"][0]["ip_address"]
    wait_for(lambda: (port["mac_address"], address) in dhcp_hosts(driver, network["id"]),
             what="the port's DHCP host entry")

    listed = admin.get(f"/v2.0/ports?network_id={network['id']}&device_owner=network:dhcp")
    dhcp_ports = listed.get_json()["ports"]
    assert len(dhcp_ports) == 1
    dhcp_port = dhcp_ports[0]
    assert dhcp_port["binding:host_id"] == "node-a"
    assert [ip["subnet_id"] for ip in dhcp_port["fixed_ips"]] == [subnet["id"]]
    assert dhcp_port["device_id"].startswith("dhcp") and \
        dhcp_port["device_id"].endswith(network["id"])
    wait_for(lambda: port_status(admin, dhcp_port["id"]) == "ACTIVE",
             what="the DHCP port going ACTIVE")
    assert driver.list_taps()[names.tap(dhcp_port["id"])] == names.bridge(network["id"])
    assert driver.observed().dhcp[network["id"]].metadata  # isolated: metadata proxy


def test_a_bound_port_goes_active_once_its_tap_is_wired(node_a, demo, admin):
    manager, driver = node_a
    network, _ = network_with_subnet(demo, "10.51.0.0/24")
    port = demo.port(network["id"])
    assert bind(admin, port["id"], "node-a")["status"] == "DOWN"
    wait_for(lambda: port["id"] in driver.port_security, what="the port's filter")
    time.sleep(0.1)
    assert port_status(admin, port["id"]) == "DOWN"  # no tap yet

    driver.add_tap(port["id"])
    wait_for(lambda: port_status(admin, port["id"]) == "ACTIVE", what="the port ACTIVE")
    assert driver.list_taps()[names.tap(port["id"])] == names.bridge(network["id"])
    security = driver.port_security[port["id"]]
    assert security.mac_address == port["mac_address"]
    assert security.ip_addresses == (port["fixed_ips"][0]["ip_address"],)
    assert network["id"] in driver.observed().networks

    driver.remove_tap(port["id"])
    wait_for(lambda: port_status(admin, port["id"]) == "DOWN", what="the port DOWN")


def test_a_port_bound_elsewhere_is_not_filtered_here(node_a, demo, admin):
    _, driver = node_a
    network, _ = network_with_subnet(demo, "10.52.0.0/24")
    port = demo.port(network["id"])
    bind(admin, port["id"], "node-a")
    wait_for(lambda: port["id"] in driver.port_security, what="the port's filter")
    bind(admin, port["id"], "somewhere-else")
    wait_for(lambda: port["id"] not in driver.port_security, what="the filter removed")


def test_deleting_a_port_and_its_network_leaves_nothing_behind(node_a, demo, admin):
    _, driver = node_a
    network, _ = network_with_subnet(demo, "10.53.0.0/24")
    port = demo.port(network["id"])
    bind(admin, port["id"], "node-a")
    driver.add_tap(port["id"])
    wait_for(lambda: port_status(admin, port["id"]) == "ACTIVE", what="the port ACTIVE")
    entry = (port["mac_address"], port["fixed_ips"][0]["ip_address"])
    assert entry in dhcp_hosts(driver, network["id"])

    assert demo.delete(f"/v2.0/ports/{port['id']}").status_code == 204
    wait_for(lambda: entry not in dhcp_hosts(driver, network["id"]), what="the host entry gone")
    wait_for(lambda: port["id"] not in driver.port_security, what="the filter gone")
    assert driver.list_taps()[names.tap(port["id"])] == names.bridge(network["id"])  # compute's

    assert demo.delete(f"/v2.0/networks/{network['id']}").status_code == 204
    wait_for(lambda: network["id"] not in driver.observed().dhcp, what="the DHCP server gone")
    wait_for(lambda: network["id"] not in driver.observed().networks, what="the bridge gone")
    assert driver.list_taps()[names.tap(port["id"])] is None  # released, not deleted


def test_dhcp_follows_the_subnet_setting(node_a, demo):
    _, driver = node_a
    network, subnet = network_with_subnet(demo, "10.54.0.0/24", enable_dhcp=False)
    time.sleep(0.2)
    assert network["id"] not in driver.observed().dhcp
    demo.put(f"/v2.0/subnets/{subnet['id']}", json={"subnet": {"enable_dhcp": True}})
    wait_for(lambda: network["id"] in driver.observed().dhcp, what="DHCP switched on")
    second = demo.subnet(network["id"], cidr="10.55.0.0/24")
    port = demo.port(network["id"], fixed_ips=[{"subnet_id": subnet["id"]},
                                               {"subnet_id": second["id"]}])
    addresses = {(port["mac_address"], ip["ip_address"]) for ip in port["fixed_ips"]}
    wait_for(lambda: addresses <= dhcp_hosts(driver, network["id"]), what="both addresses")
    dhcp_port = driver.dhcp[network["id"]]["port"]
    wait_for(lambda: {ip["subnet_id"] for ip in demo.get(f"/v2.0/ports/{dhcp_port}").get_json()[
        "port"]["fixed_ips"]} == {subnet["id"], second["id"]},
        what="the DHCP port on both subnets")
    demo.put(f"/v2.0/subnets/{subnet['id']}", json={"subnet": {"enable_dhcp": False}})
    demo.put(f"/v2.0/subnets/{second['id']}", json={"subnet": {"enable_dhcp": False}})
    wait_for(lambda: network["id"] not in driver.observed().dhcp, what="DHCP switched off")
    wait_for(lambda: demo.get(f"/v2.0/ports/{dhcp_port}").status_code == 404,
             what="the DHCP port released")


def test_an_agent_restart_repairs_drift_and_removes_stale_objects(stack, node_a, demo):
    manager, driver = node_a
    network, subnet = network_with_subnet(demo, "10.56.0.0/24")
    wait_for(lambda: network["id"] in driver.observed().dhcp, what="the DHCP server")
    stack.stop(manager)

    driver.kill_dhcp(network["id"])
    driver.lose_network(network["id"])
    stale_id = str(uuid.uuid4())  # a network the API never had
    stale_network = model.Network(id=stale_id, network_type=model.LOCAL)
    driver.ensure_dhcp(stale_network,
                       [model.Subnet(id="s", network_id=stale_id, cidr="10.99.0.0/24")],
                       model.Port(id=str(uuid.uuid4()), network_id=stale_id,
                                  mac_address="fa:16:3e:00:00:01"), [])
    driver.ensure_port_security([model.PortSecurity(port_id="gone", network_id=stale_id,
                                                    mac_address="fa:16:3e:00:00:02")])
    assert not driver.observed().dhcp[network["id"]].running

    restarted, _ = stack.agent("node-a", driver)
    wait_for(lambda: restarted.synced, what="the full sync after restart")
    observed = driver.observed()
    assert observed.dhcp[network["id"]].running
    assert network["id"] in observed.networks
    assert stale_id not in observed.dhcp and stale_id not in observed.networks
    assert "gone" not in observed.port_security


def test_a_periodic_resync_restarts_a_killed_dhcp_server(stack, demo):
    manager, driver = stack.agent("node-p", resync_interval=0.3, l3=False, local_ip="192.0.2.9")
    try:
        network, _ = network_with_subnet(demo, "10.57.0.0/24")
        wait_for(lambda: network["id"] in driver.observed().dhcp, what="the DHCP server")
        driver.kill_dhcp(network["id"])
        wait_for(lambda: driver.observed().dhcp[network["id"]].running,
                 what="the DHCP server restarted")
    finally:
        stack.stop(manager)


def test_ports_are_wired_on_the_host_they_are_bound_to(stack, node_a, demo, admin):
    _, driver_a = node_a
    manager_b, driver_b = stack.agent("node-b", dhcp=False, l3=False, local_ip="192.0.2.2")
    try:
        wait_for(lambda: manager_b.synced, what="node-b's first sync")
        network, _ = network_with_subnet(demo, "10.58.0.0/24")
        port = demo.port(network["id"])
        bind(admin, port["id"], "node-b")
        driver_b.add_tap(port["id"])
        wait_for(lambda: port_status(admin, port["id"]) == "ACTIVE", what="the port ACTIVE")
        assert port["id"] in driver_b.port_security
        assert port["id"] not in driver_a.port_security
        assert network["id"] not in driver_b.observed().dhcp
        carried_b = driver_b.networks[network["id"]]
        assert "192.0.2.1" in carried_b.vxlan_peers  # and the other agents' ever seen
        assert "192.0.2.2" not in carried_b.vxlan_peers
        wait_for(lambda: "192.0.2.2" in driver_a.networks[network["id"]].vxlan_peers,
                 what="node-a (its DHCP server) flooding to node-b")
    finally:
        stack.stop(manager_b)


def test_a_dhcp_agent_switched_off_stops_serving(node_a, demo, admin):
    _, driver = node_a
    network, _ = network_with_subnet(demo, "10.59.0.0/24")
    wait_for(lambda: network["id"] in driver.observed().dhcp, what="the DHCP server")
    agents = admin.get("/v2.0/agents?host=node-a&agent_type=DHCP agent").get_json()["agents"]
    assert len(agents) == 1
    path = f"/v2.0/agents/{agents[0]['id']}"
    admin.put(path, json={"agent": {"admin_state_up": False}})
    try:
        wait_for(lambda: network["id"] not in driver.observed().dhcp, what="DHCP off")
    finally:
        admin.put(path, json={"agent": {"admin_state_up": True}})
    wait_for(lambda: network["id"] in driver.observed().dhcp, what="DHCP back")


def test_agents_are_listed_alive_then_down(stack, node_a, admin):
    listed = admin.get("/v2.0/agents?host=node-a").get_json()["agents"]
    assert {agent["agent_type"] for agent in listed} == set(rpcapi.AGENT_TYPES)
    assert all(agent["alive"] for agent in listed)
    bridge = next(a for a in listed if a["agent_type"] == rpcapi.LINUX_BRIDGE_AGENT)
    assert bridge["configurations"]["tunneling_ip"] == "192.0.2.1"
    assert bridge["binary"] == "stratus-network-agent"
    assert bridge["resources_synced"] is True

    manager, _ = stack.agent("node-gone", dhcp=False, l3=False, local_ip="192.0.2.7")
    wait_for(lambda: admin.get("/v2.0/agents?host=node-gone").get_json()["agents"],
             what="node-gone registered")
    stack.stop(manager)
    stack.service.conf.set_override("agent_down_time", 1, group="agent")
    try:
        wait_for(lambda: not admin.get("/v2.0/agents?host=node-gone").get_json()[
            "agents"][0]["alive"], timeout=5, what="node-gone down")
        down = admin.get("/v2.0/agents?alive=false").get_json()["agents"]
        assert {agent["host"] for agent in down} >= {"node-gone"}
        assert "node-a" not in {agent["host"] for agent in down}
    finally:
        stack.service.conf.clear_override("agent_down_time", group="agent")


def hosting(stack, router_id: str) -> list[AgentManager]:
    """The running agents whose driver has the router."""
    return [manager for manager in stack.agents
            if router_id in manager.driver.observed().routers]


def l3_agent_path(admin, host: str) -> str:
    agents = admin.get(f"/v2.0/agents?host={host}&agent_type=L3 agent").get_json()["agents"]
    return f"/v2.0/agents/{agents[0]['id']}"


def test_routers_interfaces_and_floating_ips_reach_one_l3_agent(stack, node_a, demo, admin):
    external = admin.network(name="public", **{
        "router:external": True, "provider:network_type": "flat",
        "provider:physical_network": PHYSNET})
    admin.subnet(external["id"], cidr="172.24.60.0/24", enable_dhcp=False)
    manager_r, _ = stack.agent("node-r", local_ip="192.0.2.5")
    try:
        wait_for(lambda: manager_r.synced, what="node-r's first sync")
        network, subnet = network_with_subnet(demo, "10.60.0.0/24")
        router = demo.make("router", name="r1",
                           external_gateway_info={"network_id": external["id"]})
        added = demo.put(f"/v2.0/routers/{router['id']}/add_router_interface",
                         json={"subnet_id": subnet["id"]})
        assert added.status_code == 200, added.get_json()
        interface_port = added.get_json()["port_id"]
        host = wait_for(lambda: hosting(stack, router["id"]), what="the router")
        assert len(host) == 1, "a router runs on one L3 agent"
        driver = host[0].driver
        wait_for(lambda: driver.observed().routers[router["id"]].interfaces ==
                 {interface_port}, what="the router's interface")
        state = driver.observed().routers[router["id"]]
        assert state.gateway is not None and state.snat and state.metadata
        wait_for(lambda: port_status(admin, interface_port) == "ACTIVE",
                 what="the interface port ACTIVE")
        wait_for(lambda: not driver.observed().dhcp[network["id"]].metadata,
                 what="the routed subnet's DHCP server without metadata proxy")

        guest = demo.port(network["id"])
        fip = demo.make("floatingip", floating_network_id=external["id"], port_id=guest["id"])
        wait_for(lambda: driver.observed().routers[router["id"]].floating_ips ==
                 {fip["floating_ip_address"]: guest["fixed_ips"][0]["ip_address"]},
                 what="the floating IP's NAT")

        admin.put(l3_agent_path(admin, host[0].host),
                  json={"agent": {"admin_state_up": False}})
        try:
            other = ({"node-a", "node-r"} - {host[0].host}).pop()
            wait_for(lambda: [m.host for m in hosting(stack, router["id"])] == [other],
                     what="the router moved to the other L3 agent")
        finally:
            admin.put(l3_agent_path(admin, host[0].host),
                      json={"agent": {"admin_state_up": True}})
        wait_for(lambda: hosting(stack, router["id"]) == host, what="the router back")

        demo.put(f"/v2.0/floatingips/{fip['id']}", json={"floatingip": {"port_id": None}})
        wait_for(lambda: driver.observed().routers[router["id"]].floating_ips == {},
                 what="the floating IP's NAT removed")
        demo.put(f"/v2.0/routers/{router['id']}/remove_router_interface",
                 json={"subnet_id": subnet["id"]})
        wait_for(lambda: driver.observed().routers[router["id"]].interfaces == frozenset(),
                 what="the interface removed")
        wait_for(lambda: driver.observed().dhcp[network["id"]].metadata,
                 what="the isolated subnet's metadata proxy back")
        demo.delete(f"/v2.0/floatingips/{fip['id']}")
        assert demo.delete(f"/v2.0/routers/{router['id']}").status_code == 204
        wait_for(lambda: not hosting(stack, router["id"]), what="the router gone")
    finally:
        stack.stop(manager_r)


def make(client, collection: str, member: str, **body) -> dict:
    response = client.post(f"/v2.0/{collection}", json={member: body})
    assert response.status_code == 201, response.get_json()
    return response.get_json()[member]


def rules_of(driver: fake.FakeDriver, port_id: str) -> tuple:
    security = driver.port_security.get(port_id)
    return security.rules if security else ()


def test_security_group_changes_reach_the_filters(node_a, demo, admin):
    _, driver = node_a
    network, _ = network_with_subnet(demo, "10.61.0.0/24")
    web = make(demo, "security-groups", "security_group", name="web")
    server = demo.port(network["id"], security_groups=[web["id"]])
    bind(admin, server["id"], "node-a")
    wait_for(lambda: server["id"] in driver.port_security, what="the server's filter")

    rule = make(demo, "security-group-rules", "security_group_rule",
                security_group_id=web["id"], direction="ingress", protocol="tcp",
                port_range_min=22, port_range_max=22)
    wait_for(lambda: any(r.port_range_min == 22 for r in rules_of(driver, server["id"])),
             what="the new rule in the filter")

    clients = make(demo, "security-groups", "security_group", name="clients")
    make(demo, "security-group-rules", "security_group_rule", security_group_id=web["id"],
         direction="ingress", protocol="tcp", port_range_min=80, port_range_max=80,
         remote_group_id=clients["id"])
    client = demo.port(network["id"], security_groups=[clients["id"]])  # bound nowhere
    address = client["fixed_ips"][0]["ip_address"]
    wait_for(lambda: any(r.remote_group_id == clients["id"] and address in r.remote_ips
                         for r in rules_of(driver, server["id"])),
             what="the client's address in the remote-group rule")
    demo.delete(f"/v2.0/ports/{client['id']}")
    wait_for(lambda: not any(address in r.remote_ips for r in rules_of(driver, server["id"])),
             what="the client's address gone from the rule")

    demo.delete(f"/v2.0/security-group-rules/{rule['id']}")
    wait_for(lambda: not any(r.port_range_min == 22 for r in rules_of(driver, server["id"])),
             what="the deleted rule gone")


def test_the_agent_command_is_installed_and_waits_for_the_broker(tmp_path):
    from importlib import metadata

    scripts = {ep.name: ep.value for ep in metadata.entry_points(group="console_scripts")}
    assert scripts["stratus-network-agent"] == "network.cmd.agent:main"
    conf_file = tmp_path / "network.conf"
    conf_file.write_text(f"""[DEFAULT]
transport_url = rabbit://guest:guest@127.0.0.1:9/
broker_wait_timeout = 0
state_path = {tmp_path}
[agent]
driver = fake
""")
    # In a process of its own: the command sets up logging for the whole process.
    done = subprocess.run([sys.executable, "-m", "network.cmd.agent", "--config-file",
                           str(conf_file)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "Message broker at 127.0.0.1:9 unavailable" in done.stderr + done.stdout


def test_the_api_starts_while_the_broker_is_away(cloud, tmp_path):
    conf = network_conf(cloud, tmp_path)
    conf.set_override("transport_url", "rabbit://guest:guest@127.0.0.1:9/")
    conf.set_override("broker_wait_timeout", 0.1)
    started = time.monotonic()
    app = api.create_app(conf)
    connection, service = app.extensions["network_agents"], app.extensions["network"]
    try:
        assert time.monotonic() - started < 5
        service.dataplane.changed(networks=["n1"])  # kept for later, never blocks
        assert service.dataplane.pending()["networks"] == {"n1"}
        assert not connection.ready.wait(0.5)
    finally:
        connection.stop()
        service.db.dispose()
