"""Layer 2 on a Linux host: bridges, VXLAN devices, taps and the veth pairs
that plug DHCP and router namespaces into bridges.

A tenant (vxlan/local) network is a ``brq<net[:11]>`` bridge; a vxlan one
also has ``vxlan-<vni>`` (UDP 4789, from ``local_ip``, no learning) with one
all-zeros flood entry per peer agent. A flat network is the operator's
bridge from ``bridge_mappings``. Devices the agent makes carry an alias with
their full id (``names.alias``) and have no IPv6 link-local address, so the
host itself is not reachable from tenant networks.
"""
import json
from collections.abc import Iterable, Sequence

from network.agent import driver, model, names
from network.agent.executor import Executor
from network.agent.linuxbridge import iproute
from network.agent.linuxbridge.iproute import IpBatch, Link

VXLAN_PORT = 4789
FLOOD_MAC = "00:00:00:00:00:00"


class L2:
    def __init__(self, executor: Executor, settings: driver.Settings, naming: names.Names):
        self.executor = executor
        self.settings = settings
        self.names = naming
        self._flood: dict[str, tuple[int, frozenset[str]]] = {}  # device: (index, peers)

    def devices_of(self, network: model.Network) -> list[str]:
        """The root-namespace devices that carry ``network``."""
        if network.network_type == model.FLAT:
            bridge = self.settings.bridge_mappings.get(network.physical_network)
            return [bridge] if bridge else []
        if network.network_type == model.VXLAN and network.segmentation_id:
            return [names.bridge(network.id), names.vxlan(network.segmentation_id)]
        return [names.bridge(network.id)]

    def bridge_for(self, network: model.Network) -> str:
        if network.network_type == model.FLAT:
            return self.settings.bridge_mappings[network.physical_network]
        return names.bridge(network.id)

    # -- networks -------------------------------------------------------

    def ensure_network(self, network: model.Network,
                       links: dict[str, Link] | None = None) -> str:
        """Converge the network's bridge (and VXLAN device); return the
        bridge's name."""
        driver.check_network(network, self.settings)
        if links is None:
            links = iproute.links(self.executor, devices=self.devices_of(network))
        bridge = self.bridge_for(network)
        batch = IpBatch()
        if network.network_type == model.FLAT:
            if links.get(bridge, None) is None or links[bridge].kind != "bridge":
                raise driver.InvalidNetwork(
                    f"network {network.id}: bridge {bridge} of physical network "
                    f"{network.physical_network} does not exist on this host")
            # Port filters need the bridge's packets to traverse iptables.
            info = links[bridge].info
            if info.get("nf_call_iptables") != 1 or info.get("nf_call_ip6tables") != 1:
                batch.add("link", "set", bridge, "type", "bridge", "nf_call_iptables", 1,
                          "nf_call_ip6tables", 1)
                batch.run(self.executor)
            return bridge
        self._ensure_bridge(batch, bridge, network.id, links.get(bridge))
        if network.network_type == model.VXLAN:
            self._ensure_vxlan(batch, network, bridge, links)
        batch.run(self.executor)
        if network.network_type == model.VXLAN:
            self._ensure_flood_list(names.vxlan(network.segmentation_id),
                                    network.vxlan_peers, links)
        return bridge

    def _ensure_bridge(self, batch: IpBatch, bridge: str, network_id: str,
                       link: Link | None) -> None:
        alias = self.names.alias(names.NETWORK, network_id)
        if link is not None and link.kind != "bridge":
            raise driver.HostError(f"{bridge} exists and is not a bridge ({link.kind})")
        if link is None:
            batch.add("link", "add", bridge, "type", "bridge", "nf_call_iptables", 1,
                      "nf_call_ip6tables", 1)
            batch.add("link", "set", bridge, "addrgenmode", "none")
        if link is None or link.alias != alias:
            batch.add("link", "set", bridge, "alias", alias)
        if link is None or not link.up:
            batch.add("link", "set", bridge, "up")

    def _ensure_vxlan(self, batch: IpBatch, network: model.Network, bridge: str,
                      links: dict[str, Link]) -> None:
        vni = network.segmentation_id
        device = names.vxlan(vni)
        link = links.get(device)
        if link is not None and not self._vxlan_matches(link, vni):
            batch.add("link", "del", device)
            link = None
        if link is None:
            batch.add("link", "add", device, "type", "vxlan", "id", vni, "local",
                      self.settings.local_ip, "dstport", VXLAN_PORT, "nolearning")
            batch.add("link", "set", device, "addrgenmode", "none")
        if (link is None or link.master != bridge or link.mtu != network.mtu
                or not link.up or link.alias != self.names.alias(names.NETWORK, network.id)):
            batch.add("link", "set", device, "master", bridge, "mtu", network.mtu, "alias",
                      self.names.alias(names.NETWORK, network.id), "up")

    def _vxlan_matches(self, link: Link, vni: int) -> bool:
        info = link.info
        return (link.kind == "vxlan" and info.get("id") == vni
                and info.get("local") == self.settings.local_ip
                and info.get("port") == VXLAN_PORT and not info.get("learning", False))

    def _ensure_flood_list(self, device: str, peers: Iterable[str],
                           links: dict[str, Link]) -> None:
        """Flood entries to exactly ``peers``. What was applied is remembered
        per device instance (ifindex), so an unchanged list costs nothing."""
        wanted = frozenset(peer for peer in peers if peer != self.settings.local_ip)
        link = links.get(device)
        if link is not None and self._flood.get(device) == (link.index, wanted):
            return
        present = self.flood_list_of(device)
        batch = IpBatch()
        for peer in sorted(wanted - present):
            batch.add("fdb", "append", FLOOD_MAC, "dev", device, "dst", peer)
        for peer in sorted(present - wanted):
            batch.add("fdb", "del", FLOOD_MAC, "dev", device, "dst", peer)
        batch.run(self.executor, program="bridge")
        index = iproute.links(self.executor, devices=[device])[device].index
        self._flood[device] = (index, wanted)

    def flood_list(self, vni: int) -> set[str]:
        return set(self.flood_list_of(names.vxlan(vni)))

    def flood_list_of(self, device: str) -> frozenset[str]:
        out = self.executor.run(["bridge", "-j", "fdb", "show", "dev", device])
        return frozenset(entry["dst"] for entry in json.loads(out or "[]")
                         if entry.get("mac") == FLOOD_MAC and entry.get("dst"))

    def delete_network(self, network_id: str, links: dict[str, Link] | None = None) -> None:
        links = iproute.links(self.executor) if links is None else links
        alias = self.names.alias(names.NETWORK, network_id)
        batch = IpBatch()
        # The tunnel device first: deleting the bridge only releases it.
        for link in sorted(links.values(), key=lambda item: item.kind == "bridge"):
            if link.alias == alias and link.kind in ("vxlan", "bridge"):
                batch.add("link", "del", link.name)
        batch.run(self.executor)

    def networks(self, links: dict[str, Link]) -> set[str]:
        """Ids of networks with a device the agent made."""
        found = set()
        for link in links.values():
            parsed = self.names.parse_alias(link.alias)
            if parsed and parsed[0] == names.NETWORK and link.kind in ("bridge", "vxlan"):
                found.add(parsed[1])
        return found

    # -- taps -----------------------------------------------------------

    def plug_taps(self, network: model.Network, ports: Sequence[model.Port],
                  links: dict[str, Link]) -> frozenset[str]:
        bridge = self.bridge_for(network)
        batch = IpBatch()
        wired = set()
        for port in ports:
            tap = links.get(names.tap(port.id))
            if tap is None:
                continue
            if tap.master != bridge or tap.mtu != network.mtu or not tap.up:
                batch.add("link", "set", tap.name, "master", bridge, "mtu", network.mtu, "up")
            wired.add(port.id)
        batch.run(self.executor)
        return frozenset(wired)

    @staticmethod
    def taps(links: dict[str, Link]) -> dict[str, str | None]:
        return {name: link.master for name, link in links.items()
                if name.startswith(names.TAP_PREFIX)}

    # -- veth pairs into namespaces ------------------------------------

    def plug_namespace_port(self, root: IpBatch, inside: IpBatch, root_links: dict[str, Link],
                            ns_links: dict[str, Link], port: model.Port, prefix: str,
                            bridge: str, mtu: int, addresses: Iterable[str]) -> str:
        """Add to ``root``/``inside`` what makes the veth pair of ``port``
        match: ``tap<port>`` in ``bridge``, ``<prefix><port>`` in the
        namespace with the port's MAC and exactly ``addresses`` ("ip/len").
        Returns the inner device's name. Run ``root`` before ``inside``."""
        inner = names.namespaced_device(prefix, port.id)
        outer = names.tap(port.id)
        alias = self.names.alias(names.PORT, port.id)
        link = ns_links.get(inner)
        if link is None:
            if outer in root_links:
                root.add("link", "del", outer)
            root.add("link", "add", outer, "mtu", mtu, "type", "veth", "peer", "name", inner,
                     "mtu", mtu, "address", port.mac_address, "netns", inside.netns)
            root.add("link", "set", outer, "addrgenmode", "none")
        outer_link = root_links.get(outer) if link is not None else None
        if (outer_link is None or outer_link.master != bridge or not outer_link.up
                or outer_link.mtu != mtu or outer_link.alias != alias):
            root.add("link", "set", outer, "master", bridge, "mtu", mtu, "alias", alias, "up")
        if (link is None or link.mac != port.mac_address.lower() or link.mtu != mtu
                or not link.up or link.alias != alias):
            inside.add("link", "set", inner, "address", port.mac_address, "mtu", mtu,
                       "alias", alias, "up")
        wanted = set(addresses)
        for address in sorted(wanted - (link.addresses if link else set())):
            inside.add("addr", "replace", address, "dev", inner)
        for address in sorted((link.addresses if link else set()) - wanted):
            inside.add("addr", "del", address, "dev", inner)
        return inner

    def namespace_ports(self, ns_links: dict[str, Link], prefix: str) -> dict[str, str]:
        """{port id: device} of the agent's veth ends with ``prefix`` in a
        namespace."""
        found = {}
        for name, link in ns_links.items():
            parsed = self.names.parse_alias(link.alias)
            if name.startswith(prefix) and parsed and parsed[0] == names.PORT:
                found[parsed[1]] = name
        return found


def addresses_of(port: model.Port, subnets: Iterable[model.Subnet]) -> list[str]:
    """The port's fixed IPs on ``subnets`` as "ip/prefixlen"."""
    found = []
    for subnet in subnets:
        found.extend(f"{ip}/{subnet.prefixlen}" for ip in port.ips_on(subnet.id))
    return found
