"""DHCP servers as ``qdhcp-<network id>`` namespaces.

The DHCP port is a veth pair ``ns-<port>`` (in the namespace, with the
port's MAC and its IPs on DHCP-enabled subnets) / ``tap<port>`` (in the
network's bridge); dnsmasq listens on ``ns-``. While the network has an
isolated IPv4 subnet, ``ns-`` also holds 169.254.169.254/32 and a metadata
proxy listens there on port 80 (guests get a host route to it, see
``dnsmasq.options_file``).
"""
from collections.abc import Sequence

from network.agent import driver, model, names
from network.agent.dhcp import dnsmasq
from network.agent.executor import Executor
from network.agent.linuxbridge import iproute
from network.agent.linuxbridge.iproute import IpBatch, Link
from network.agent.linuxbridge.l2 import L2, addresses_of
from network.agent.metadata_proxy.launcher import MetadataProxies


def proxy_key(network_id: str) -> str:
    return f"dhcp-{network_id}"


class DhcpServers:
    def __init__(self, executor: Executor, l2: L2, servers: dnsmasq.Dnsmasq,
                 proxies: MetadataProxies, settings: driver.Settings):
        self.executor = executor
        self.l2 = l2
        self.dnsmasq = servers
        self.proxies = proxies
        self.settings = settings
        # network id -> (root end ifindex, wiring): what the namespace was last
        # made to match; while both hold, its devices are not read again.
        self._wired: dict[str, tuple[int, tuple]] = {}

    def ensure(self, network: model.Network, bridge: str, subnets: Sequence[model.Subnet],
               dhcp_port: model.Port, ports: Sequence[model.Port],
               root_links: dict[str, Link], namespaces: set[str]) -> None:
        ns = self.l2.names.dhcp_namespace(network.id)
        if ns not in namespaces:
            self.executor.run(["ip", "netns", "add", ns])
        enabled = dnsmasq.dhcp_subnets(subnets)
        metadata = dnsmasq.serves_metadata(subnets)
        addresses = addresses_of(dhcp_port, enabled)
        if metadata:
            addresses.append(f"{dnsmasq.METADATA_IP}/32")
        device = names.namespaced_device(names.DHCP_DEVICE_PREFIX, dhcp_port.id)
        wiring = (bridge, dhcp_port.id, dhcp_port.mac_address, network.mtu, tuple(addresses))
        outer = root_links.get(names.tap(dhcp_port.id))
        if (ns not in namespaces or outer is None or outer.master != bridge or not outer.up
                or self._wired.get(network.id) != (outer.index, wiring)):
            self._plug(ns, bridge, network, dhcp_port, addresses, root_links)
            outer_index = iproute.links(self.executor, devices=[names.tap(dhcp_port.id)])
            self._wired[network.id] = (outer_index[names.tap(dhcp_port.id)].index, wiring)
        argv = dnsmasq.command(self.dnsmasq.folder(network.id), device, enabled,
                               self.settings.lease_duration, network.mtu)
        self.dnsmasq.ensure(network.id, ns, argv, dnsmasq.hosts_file(enabled, ports),
                            dnsmasq.options_file(enabled, dhcp_port,
                                                 self.settings.dns_servers))
        key = proxy_key(network.id)
        if metadata:
            self.proxies.ensure(key, self.proxies.command(
                key, ns, dnsmasq.METADATA_IP, 80, network_id=network.id))
        else:
            self.proxies.stop(key)

    def _plug(self, ns: str, bridge: str, network: model.Network, dhcp_port: model.Port,
              addresses: list[str], root_links: dict[str, Link]) -> None:
        """Converge the namespace's devices: the DHCP port's veth pair only."""
        ns_links = iproute.links(self.executor, ns)
        root, inside = IpBatch(), IpBatch(ns)
        if not ns_links.get("lo") or not ns_links["lo"].up:
            inside.add("link", "set", "lo", "up")
        device = self.l2.plug_namespace_port(root, inside, root_links, ns_links, dhcp_port,
                                             names.DHCP_DEVICE_PREFIX, bridge, network.mtu,
                                             addresses)
        for name, link in ns_links.items():
            if name != device and self.l2.names.parse_alias(link.alias):
                inside.add("link", "del", name)
        root.run(self.executor)
        inside.run(self.executor)

    def delete(self, network_id: str, namespaces: set[str]) -> None:
        self._wired.pop(network_id, None)
        self.proxies.stop(proxy_key(network_id))
        self.dnsmasq.remove(network_id)
        ns = self.l2.names.dhcp_namespace(network_id)
        if ns in namespaces:
            iproute.delete_namespace(self.executor, ns)

    def state(self, network_id: str) -> driver.DhcpState:
        return driver.DhcpState(
            running=self.dnsmasq.running(network_id) is not None,
            hosts=self.dnsmasq.hosts(network_id),
            metadata=self.proxies.running(proxy_key(network_id)) is not None)
