"""An in-memory driver with the same contract, for tests and simulated nodes.

It keeps the state a real host would have (bridges, tap membership, DHCP
servers, routers, port filters) in dicts, applies the same validation, and
reports it through ``observed()``. What compute would do on a real host
(create or remove a guest's tap) and faults (a dead dnsmasq, a vanished
bridge) are simulated with ``add_tap``/``remove_tap`` and ``kill_dhcp``,
``kill_metadata_proxy``, ``lose_network``.
"""
import ipaddress
import threading
from collections.abc import Sequence

from network.agent import driver, model, names
from network.agent.l3 import advertise


class FakeDriver(driver.Driver):
    name = "fake"
    capabilities = frozenset()

    def __init__(self, settings: driver.Settings | None = None):
        super().__init__(settings or driver.Settings())
        self._lock = threading.RLock()
        self.networks: dict[str, model.Network] = {}  # those with devices of their own
        self.taps: dict[str, str | None] = {}
        self.dhcp: dict[str, dict] = {}
        self.routers: dict[str, dict] = {}
        self.port_security: dict[str, model.PortSecurity] = {}

    # -- simulated host events ------------------------------------------------

    def add_tap(self, port_id: str) -> None:
        """Compute made the tap of ``port_id`` (in no bridge yet)."""
        with self._lock:
            self.taps.setdefault(names.tap(port_id), None)

    def remove_tap(self, port_id: str) -> None:
        with self._lock:
            self.taps.pop(names.tap(port_id), None)

    def kill_dhcp(self, network_id: str) -> None:
        with self._lock:
            self.dhcp[network_id]["running"] = False

    def kill_metadata_proxy(self, router_id: str) -> None:
        with self._lock:
            self.routers[router_id]["metadata"] = False

    def lose_network(self, network_id: str) -> None:
        """The network's bridge vanished (an operator deleted it)."""
        with self._lock:
            if self.networks.pop(network_id, None) is not None:
                self._release(names.bridge(network_id))

    # -- the contract -------------------------------------------------------------

    def _bridge(self, network: model.Network) -> str:
        if network.network_type == model.FLAT:
            return self.settings.bridge_mappings[network.physical_network]
        return names.bridge(network.id)

    def _release(self, bridge: str) -> None:
        for tap, master in self.taps.items():
            if master == bridge:
                self.taps[tap] = None

    def ensure_network(self, network: model.Network) -> None:
        self._ensure_network(network)

    def _ensure_network(self, network: model.Network) -> str:
        driver.check_network(network, self.settings)
        with self._lock:
            if network.network_type != model.FLAT:
                self.networks[network.id] = network
        return self._bridge(network)

    def delete_network(self, network_id: str) -> None:
        self.lose_network(network_id)

    def ensure_dhcp(self, network: model.Network, subnets: Sequence[model.Subnet],
                    dhcp_port: model.Port, ports: Sequence[model.Port]) -> None:
        enabled = {subnet.id for subnet in subnets if subnet.enable_dhcp}
        if not enabled:
            self.delete_dhcp(network.id)
            return
        bridge = self._ensure_network(network)
        assigned = {subnet.id for subnet in subnets if subnet.id in enabled
                    and subnet.dhcp_assigns}
        hosts = frozenset((port.mac_address.lower(), fixed.ip_address)
                          for port in ports for fixed in port.fixed_ips
                          if fixed.subnet_id in assigned)
        metadata = any(s.enable_dhcp and s.ip_version == 4 and not s.routed for s in subnets)
        with self._lock:
            old = self.dhcp.get(network.id)
            if old and old["port"] != dhcp_port.id:
                self.taps.pop(names.tap(old["port"]), None)
            self.dhcp[network.id] = {"running": True, "hosts": hosts, "metadata": metadata,
                                     "port": dhcp_port.id}
            self.taps[names.tap(dhcp_port.id)] = bridge

    def delete_dhcp(self, network_id: str) -> None:
        with self._lock:
            server = self.dhcp.pop(network_id, None)
            if server:
                self.taps.pop(names.tap(server["port"]), None)

    def ensure_router(self, router: model.Router) -> None:
        plugged = list(router.interfaces) + ([router.gateway] if router.gateway else [])
        bridges = {rp.port.id: self._ensure_network(rp.network) for rp in plugged}
        gateway = router.gateway
        gateway_ip = gateway and next((ip for s in gateway.subnets if s.ip_version == 4
                                       for ip in gateway.port.ips_on(s.id)), None)
        internal = [s for rp in router.interfaces for s in rp.subnets if s.ip_version == 4]
        state = {
            "interfaces": frozenset(rp.port.id for rp in router.interfaces),
            "gateway": gateway.port.id if gateway else None,
            "floating_ips": {str(ipaddress.ip_address(f.floating_ip_address)): f.fixed_ip_address
                             for f in router.floating_ips} if gateway else {},
            "snat": bool(gateway_ip and router.enable_snat and internal),
            "metadata": True,
            "advertising": bool(advertise.advertised(router)),
        }
        with self._lock:
            self._drop_router_taps(router.id)
            self.routers[router.id] = state
            for port_id, bridge in bridges.items():
                self.taps[names.tap(port_id)] = bridge

    def _drop_router_taps(self, router_id: str) -> None:
        old = self.routers.get(router_id)
        if old:
            for port_id in set(old["interfaces"]) | {old["gateway"]} - {None}:
                self.taps.pop(names.tap(port_id), None)

    def delete_router(self, router_id: str) -> None:
        with self._lock:
            self._drop_router_taps(router_id)
            self.routers.pop(router_id, None)

    def ensure_port_security(self, ports: Sequence[model.PortSecurity]) -> None:
        with self._lock:
            for port in ports:
                self.port_security[port.port_id] = port

    def remove_port_security(self, port_id: str) -> None:
        with self._lock:
            self.port_security.pop(port_id, None)

    def plug_taps(self, network: model.Network,
                  ports: Sequence[model.Port]) -> frozenset[str]:
        bridge = self._ensure_network(network)
        with self._lock:
            wired = {port.id for port in ports if names.tap(port.id) in self.taps}
            for port_id in wired:
                self.taps[names.tap(port_id)] = bridge
        return frozenset(wired)

    def list_taps(self) -> dict[str, str | None]:
        with self._lock:
            return dict(self.taps)

    def observed(self) -> driver.Observed:
        with self._lock:
            return driver.Observed(
                networks=frozenset(self.networks),
                dhcp={net_id: driver.DhcpState(s["running"], s["hosts"], s["metadata"])
                      for net_id, s in self.dhcp.items()},
                routers={router_id: driver.RouterState(
                    r["interfaces"], r["gateway"], dict(r["floating_ips"]), r["snat"],
                    r["metadata"], r["advertising"]) for router_id, r in self.routers.items()},
                port_security=frozenset(self.port_security),
                taps=dict(self.taps))

    def cleanup_all(self) -> None:
        with self._lock:
            for router_id in list(self.routers):
                self.delete_router(router_id)
            for network_id in list(self.dhcp):
                self.delete_dhcp(network_id)
            for network_id in list(self.networks):
                self.delete_network(network_id)
            self.port_security.clear()
