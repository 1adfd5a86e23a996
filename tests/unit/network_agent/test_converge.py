"""The agent's desired state (patching with partial answers) and the
converger (only what differs reaches the driver; failures are isolated and
retried later), with the in-memory driver and a stand-in for the API."""
import logging

from network.agent import driver as base
from network.agent import fake, model, names
from network.agent.converge import Converger
from network.agent.state import Desired

HOST = "node-1"


def network(number: int, **values) -> dict:
    return {"id": f"net-{number}", "network_type": "vxlan", "segmentation_id": number,
            "mtu": 1450, "vxlan_peers": [], **values}


def bound(number: int, network_number: int, status: str = "DOWN") -> dict:
    port = {"id": f"port-{number}", "network_id": f"net-{network_number}",
            "mac_address": f"fa:16:3e:00:00:{number:02x}",
            "fixed_ips": [{"subnet_id": "s", "ip_address": f"10.0.0.{number}"}]}
    security = {"port_id": port["id"], "network_id": port["network_id"],
                "mac_address": port["mac_address"], "ip_addresses": [f"10.0.0.{number}"],
                "rules": [{"direction": "egress"}]}
    return {"port": port, "security": security, "status": status, "admin_state_up": True}


def dhcp(number: int, with_port: bool = True) -> dict:
    subnet = {"id": f"sub-{number}", "network_id": f"net-{number}",
              "cidr": f"10.{number}.0.0/24"}
    port = {"id": f"dhcp-{number}", "network_id": f"net-{number}",
            "mac_address": "fa:16:3e:00:01:00",
            "fixed_ips": [{"subnet_id": subnet["id"], "ip_address": f"10.{number}.0.2"}]}
    return {"network": network(number), "subnets": [subnet],
            "port": port if with_port else None, "ports": []}


class StubPlugin:
    """The API: records status reports, makes DHCP ports on request."""

    def __init__(self):
        self.reports: list[tuple[list[str], str]] = []
        self.dhcp_asks = 0
        self.released: list[str] = []

    def update_port_status(self, ctxt, port_ids, status, host):
        self.reports.append((list(port_ids), status))
        return list(port_ids)

    def get_or_create_dhcp_port(self, ctxt, network_id, host):
        self.dhcp_asks += 1
        number = int(network_id.split("-")[1])
        return {**dhcp(number)["port"], "status": "DOWN"}

    def update_floatingip_statuses(self, ctxt, router_id, statuses):
        pass

    def release_dhcp_port(self, ctxt, network_id, host):
        self.released.append(network_id)


class CountingDriver(fake.FakeDriver):
    """Counts calls; refuses the networks in ``refused``."""

    def __init__(self):
        super().__init__(base.Settings())
        self.calls: list[str] = []
        self.refused: set[str] = set()

    def ensure_network(self, network):
        self.calls.append(f"ensure_network {network.id}")
        if network.id in self.refused:
            raise base.InvalidNetwork(f"cannot carry {network.id}")
        super().ensure_network(network)

    def ensure_port_security(self, ports):
        self.calls.append(f"ensure_port_security {len(ports)}")
        super().ensure_port_security(ports)

    def ensure_dhcp(self, network, subnets, dhcp_port, ports):
        self.calls.append(f"ensure_dhcp {network.id}")
        super().ensure_dhcp(network, subnets, dhcp_port, ports)


def converger(driver, plugin=None, retry_interval=60.0) -> Converger:
    return Converger(driver, plugin or StubPlugin(), HOST, lambda: None, retry_interval)


def test_a_partial_answer_replaces_only_what_it_names():
    desired = Desired.from_state({"networks": [network(1), network(2)],
                                  "dhcp": [dhcp(1)],
                                  "ports": [bound(1, 1), bound(2, 2)]})
    assert set(desired.network_specs()) == {"net-1", "net-2"}
    desired.patch({"networks": [network(1, mtu=1400)], "dhcp": [], "ports": []},
                  network_ids=["net-1"], port_ids=["port-2"])
    assert "net-1" not in desired.dhcp  # no DHCP server any more
    assert set(desired.ports) == set()  # port-1 was on net-1, port-2 named: both gone
    assert desired.network_specs() == {}
    assert desired.networks == {}  # nothing uses a network: forgotten


def test_remote_group_members_are_filled_into_the_rules():
    entry = bound(1, 1)
    entry["security"]["rules"] = [
        {"direction": "ingress", "ethertype": "IPv4", "remote_group_id": "g", "remote_ips": []},
        {"direction": "ingress", "ethertype": "IPv6", "remote_group_id": "g", "remote_ips": []},
        {"direction": "egress"}]
    desired = Desired.from_state({"networks": [network(1)], "ports": [entry],
                                  "remote_groups": {"g": {"IPv4": ["10.0.0.7"]}}})
    rules = desired.ports["port-1"].security.rules
    assert [rule.remote_ips for rule in rules] == [("10.0.0.7",), (), ()]


def test_a_network_change_reaches_its_dhcp_server():
    desired = Desired.from_state({"networks": [network(1)], "dhcp": [dhcp(1)]})
    desired.patch({"networks": [network(1, vxlan_peers=["192.0.2.2"])],
                   "dhcp": [dhcp(1)]}, network_ids=["net-1"])
    assert desired.dhcp["net-1"].network.vxlan_peers == ("192.0.2.2",)
    desired.patch({"networks": [network(1, vxlan_peers=["192.0.2.3"])]}, port_ids=["x"])
    assert desired.dhcp["net-1"].network.vxlan_peers == ("192.0.2.3",)


def test_only_what_changed_reaches_the_driver():
    driver = CountingDriver()
    plugin = StubPlugin()
    work = converger(driver, plugin)
    desired = Desired.from_state({"networks": [network(1)], "dhcp": [dhcp(1)],
                                  "ports": [bound(1, 1), bound(2, 1)]})
    work.learn_statuses(desired)
    assert work.converge(desired)
    assert driver.calls == ["ensure_dhcp net-1", "ensure_port_security 2"]
    assert plugin.reports == [(["dhcp-1"], "ACTIVE")]
    driver.calls.clear()
    assert work.converge(desired)
    assert driver.calls == []

    driver.add_tap("port-1")
    assert work.converge(desired)
    assert driver.list_taps()[names.tap("port-1")] == names.bridge("net-1")
    assert plugin.reports[-1] == (["port-1"], "ACTIVE")
    driver.remove_tap("port-1")
    assert work.converge(desired)
    assert plugin.reports[-1] == (["port-1"], "DOWN")


def test_a_missing_dhcp_port_is_asked_for_once():
    driver = CountingDriver()
    plugin = StubPlugin()
    work = converger(driver, plugin)
    desired = Desired.from_state({"networks": [network(1)], "dhcp": [dhcp(1, False)]})
    assert work.converge(desired)
    assert work.converge(desired)
    assert plugin.dhcp_asks == 1
    assert driver.observed().dhcp["net-1"].running
    desired.patch({}, network_ids=["net-1"])
    assert work.converge(desired)
    assert "net-1" not in driver.observed().dhcp
    assert plugin.released == ["net-1"]


def test_a_refused_network_does_not_hold_back_the_others(caplog):
    driver = CountingDriver()
    driver.refused.add("net-2")
    work = converger(driver, retry_interval=3600)
    desired = Desired.from_state({"networks": [network(1), network(2)],
                                  "ports": [bound(1, 1), bound(2, 2)]})
    with caplog.at_level(logging.WARNING):
        assert not work.converge(desired)
        assert not work.converge(desired)
    assert "net-1" in driver.observed().networks
    assert driver.calls.count("ensure_network net-2") == 1  # retried later, not each pass
    assert len([r for r in caplog.records if "net-2" in r.getMessage()]) == 1
    assert work.failing == 1
    driver.refused.clear()
    work.forget()
    assert work.converge(desired)
    assert {"net-1", "net-2"} <= driver.observed().networks


def test_stale_objects_are_removed_and_drift_repaired():
    driver = CountingDriver()
    work = converger(driver)
    stale = model.Network(id="stale", network_type=model.LOCAL)
    driver.ensure_network(stale)
    driver.ensure_port_security([model.PortSecurity(port_id="old", network_id="stale",
                                                    mac_address="fa:16:3e:00:00:99")])
    desired = Desired.from_state({"networks": [network(1)], "dhcp": [dhcp(1)]})
    work.converge(desired)
    driver.kill_dhcp("net-1")
    work.forget()
    work.remove_stale(desired, driver.observed())
    work.converge(desired)
    observed = driver.observed()
    assert observed.networks == {"net-1"} and observed.port_security == frozenset()
    assert observed.dhcp["net-1"].running
