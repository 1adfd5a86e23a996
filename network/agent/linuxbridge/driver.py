"""The real driver: Linux bridges, VXLAN, namespaces, dnsmasq and iptables.

It composes the parts (``l2``, ``firewall``, ``dhcp.server``,
``l3.router``, ``metadata_proxy.launcher``), each converging one concern,
and reads the host once per call (``ip -j addr`` of the root namespace,
``ip netns``) rather than once per object.
"""
import os
from collections.abc import Sequence

from network.agent import driver, model, names
from network.agent.dhcp import dnsmasq
from network.agent.dhcp.server import DhcpServers
from network.agent.executor import CommandFailed, Executor
from network.agent.l3.advertise import Advertisers
from network.agent.l3.router import Routers
from network.agent.linuxbridge import iproute
from network.agent.linuxbridge.firewall import Firewall
from network.agent.linuxbridge.iproute import Link
from network.agent.linuxbridge.l2 import L2
from network.agent.metadata_proxy.launcher import MetadataProxies

TARGETED_READ_MAX = 16


def _host_errors(method):
    """Report a failed command as HostError (the contract's error)."""
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except CommandFailed as error:
            raise driver.HostError(str(error)) from error
    wrapper.__name__ = method.__name__
    wrapper.__doc__ = method.__doc__
    return wrapper


class LinuxBridgeDriver(driver.Driver):
    name = "linuxbridge"
    capabilities = frozenset({driver.CARRIES_TRAFFIC})

    def __init__(self, settings: driver.Settings, executor: Executor | None = None):
        super().__init__(settings)
        self.executor = executor or Executor()
        self.names = names.Names(settings.scope)
        self.l2 = L2(self.executor, settings, self.names)
        self.firewall = Firewall(self.executor, self.names)
        self.proxies = MetadataProxies(self.executor,
                                       os.path.join(settings.state_path, "metadata"),
                                       settings.metadata_url, settings.metadata_secret)
        self.dhcp = DhcpServers(self.executor, self.l2,
                                dnsmasq.Dnsmasq(self.executor,
                                                os.path.join(settings.state_path, "dhcp")),
                                self.proxies, settings)
        self.routers = Routers(self.executor, self.l2, self.proxies, Advertisers(
            dnsmasq.Dnsmasq(self.executor, os.path.join(settings.state_path, "ra"))))

    # -- networks ----------------------------------------------------------

    def _links(self, devices: Sequence[str]) -> dict[str, Link]:
        """The root namespace's links among ``devices`` (when there are many,
        listing them all is cheaper than asking for each)."""
        if len(devices) > TARGETED_READ_MAX:
            return iproute.links(self.executor)
        return iproute.links(self.executor, devices=devices)

    def _devices(self, networks: Sequence[model.Network], port_ids: Sequence[str]) -> list[str]:
        devices = [device for network in networks for device in self.l2.devices_of(network)]
        return devices + [names.tap(port_id) for port_id in port_ids]

    @_host_errors
    def ensure_network(self, network: model.Network) -> None:
        self._ensure_network(network, self._links(self._devices([network], [])))

    def _ensure_network(self, network: model.Network, links: dict[str, Link]) -> str:
        bridge = self.l2.ensure_network(network, links)
        if network.network_type != model.FLAT:
            self.firewall.ensure_zone(network.id, bridge)
        return bridge

    @_host_errors
    def delete_network(self, network_id: str) -> None:
        self.l2.delete_network(network_id)
        self.firewall.remove_zone(network_id)

    # -- DHCP ----------------------------------------------------------------

    @_host_errors
    def ensure_dhcp(self, network: model.Network, subnets: Sequence[model.Subnet],
                    dhcp_port: model.Port, ports: Sequence[model.Port]) -> None:
        if not dnsmasq.dhcp_subnets(subnets):
            self.delete_dhcp(network.id)
            return
        links = self._links(self._devices([network], [dhcp_port.id]))
        bridge = self._ensure_network(network, links)
        self.dhcp.ensure(network, bridge, subnets, dhcp_port, ports, links,
                         iproute.namespaces())

    @_host_errors
    def delete_dhcp(self, network_id: str) -> None:
        self.dhcp.delete(network_id, iproute.namespaces())

    # -- routers ---------------------------------------------------------------

    @_host_errors
    def ensure_router(self, router: model.Router) -> None:
        plugged = list(router.interfaces) + ([router.gateway] if router.gateway else [])
        links = self._links(self._devices([rp.network for rp in plugged],
                                          [rp.port.id for rp in plugged]))
        bridges = {}
        for router_port in plugged:
            if router_port.network.id not in bridges:
                bridges[router_port.network.id] = self._ensure_network(router_port.network,
                                                                       links)
        self.routers.ensure(router, bridges, links, iproute.namespaces())

    @_host_errors
    def delete_router(self, router_id: str) -> None:
        self.routers.delete(router_id, iproute.namespaces())

    # -- ports -------------------------------------------------------------------

    @_host_errors
    def ensure_port_security(self, ports: Sequence[model.PortSecurity]) -> None:
        self.firewall.ensure_ports(ports)

    @_host_errors
    def remove_port_security(self, port_id: str) -> None:
        self.firewall.remove_port(port_id)

    @_host_errors
    def plug_taps(self, network: model.Network,
                  ports: Sequence[model.Port]) -> frozenset[str]:
        links = self._links(self._devices([network], [port.id for port in ports]))
        self._ensure_network(network, links)
        return self.l2.plug_taps(network, ports, links)

    @_host_errors
    def list_taps(self) -> dict[str, str | None]:
        return self.l2.taps(iproute.links(self.executor))

    # -- the whole host -------------------------------------------------------

    def _owned_namespaces(self, namespaces: set[str]) -> dict[str, list[str]]:
        """{DHCP or ROUTER: ids} of this scope's namespaces."""
        owned: dict[str, list[str]] = {names.DHCP: [], names.ROUTER: []}
        for ns in sorted(namespaces):
            parsed = self.names.parse_namespace(ns)
            if parsed:
                owned[parsed[0]].append(parsed[1])
        return owned

    @_host_errors
    def observed(self) -> driver.Observed:
        links = iproute.links(self.executor)
        owned = self._owned_namespaces(iproute.namespaces())
        self.firewall.load()
        return driver.Observed(
            networks=frozenset(self.l2.networks(links)),
            dhcp={network_id: self.dhcp.state(network_id) for network_id in owned[names.DHCP]},
            routers={router_id: self.routers.state(router_id)
                     for router_id in owned[names.ROUTER]},
            port_security=frozenset(self.firewall.ports),
            taps=self.l2.taps(links))

    @_host_errors
    def cleanup_all(self) -> None:
        namespaces = iproute.namespaces()
        owned = self._owned_namespaces(namespaces)
        for router_id in owned[names.ROUTER]:
            self.routers.delete(router_id, namespaces)
        for network_id in owned[names.DHCP]:
            self.dhcp.delete(network_id, namespaces)
        for key in self.proxies.keys():
            self.proxies.stop(key)
        for servers in (self.dhcp.dnsmasq, self.routers.advertisers.servers):
            if os.path.isdir(servers.root):
                for object_id in os.listdir(servers.root):
                    servers.remove(object_id)
        links = iproute.links(self.executor)
        for network_id in self.l2.networks(links):
            self.l2.delete_network(network_id, links)
        self.firewall.cleanup_all()
