"""Routers as ``qrouter-<id>`` namespaces.

Each internal interface is a veth pair ``qr-<port>`` (in the namespace, with
the port's MAC and IPs) / ``tap<port>`` (in the network's bridge); the
gateway is ``qg-<port>`` on the external network's bridge with the gateway
port's IPs plus every floating IP (/32), and the default route via the
external subnet's gateway. Static routes and the default route carry
``proto static`` so stale ones can be told apart and removed. NAT is
``nat.rules``; the metadata proxy listens on ``launcher.ROUTER_PORT``;
IPv6 router advertisements are ``advertise``'s.
"""
import ipaddress
import json
from collections.abc import Mapping

from network.agent import driver, model, names
from network.agent.executor import Executor
from network.agent.l3 import nat
from network.agent.l3.advertise import Advertisers
from network.agent.linuxbridge import iproute
from network.agent.linuxbridge.iproute import IpBatch, Link
from network.agent.linuxbridge.l2 import L2, addresses_of
from network.agent.metadata_proxy.launcher import ROUTER_PORT, MetadataProxies

FORWARDING = ("net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding")


def proxy_key(router_id: str) -> str:
    return f"router-{router_id}"


class Routers:
    def __init__(self, executor: Executor, l2: L2, proxies: MetadataProxies,
                 advertisers: Advertisers):
        self.executor = executor
        self.l2 = l2
        self.proxies = proxies
        self.advertisers = advertisers

    def ensure(self, router: model.Router, bridges: Mapping[str, str],
               root_links: dict[str, Link], namespaces: set[str]) -> None:
        """Converge the router's namespace; ``bridges`` maps the ids of the
        networks it plugs into to their (already ensured) bridges."""
        ns = self.l2.names.router_namespace(router.id)
        if ns not in namespaces:
            self.executor.run(["ip", "netns", "add", ns])
        # An administratively down router keeps its ports but forwards nothing.
        flag = int(router.admin_state_up)
        self.executor.run(["sysctl", "-q", "-w", *(f"{key}={flag}" for key in FORWARDING)],
                          netns=ns)
        ns_links = iproute.links(self.executor, ns)
        root, inside = IpBatch(), IpBatch(ns)
        if not ns_links.get("lo") or not ns_links["lo"].up:
            inside.add("link", "set", "lo", "up")
        wanted = set()
        for interface in router.interfaces:
            wanted.add(self.l2.plug_namespace_port(
                root, inside, root_links, ns_links, interface.port,
                names.ROUTER_INTERFACE_PREFIX, bridges[interface.network.id],
                interface.network.mtu, addresses_of(interface.port, interface.subnets)))
        gateway_device = gateway_ip = None
        if router.gateway is not None:
            gateway = router.gateway
            addresses = addresses_of(gateway.port, gateway.subnets)
            addresses += [f"{fip.floating_ip_address}/32" for fip in router.floating_ips]
            gateway_device = self.l2.plug_namespace_port(
                root, inside, root_links, ns_links, gateway.port, names.ROUTER_GATEWAY_PREFIX,
                bridges[gateway.network.id], gateway.network.mtu, addresses)
            wanted.add(gateway_device)
            gateway_ip = next((ip for s in gateway.subnets if s.ip_version == 4
                               for ip in gateway.port.ips_on(s.id)), None)
        for name, link in ns_links.items():
            if name not in wanted and self.l2.names.parse_alias(link.alias):
                inside.add("link", "del", name)
        stale_routes = IpBatch(ns)
        self._routes(stale_routes, inside, router, gateway_device)
        stale_routes.run(self.executor)  # before their devices may go
        root.run(self.executor)
        inside.run(self.executor)
        internal = [s.cidr for i in router.interfaces for s in i.subnets if s.ip_version == 4]
        text = nat.rules(router, gateway_device, gateway_ip, sorted(set(internal)),
                         ROUTER_PORT)
        self.executor.run(["iptables-nft-restore"], stdin=text, netns=ns)
        self.proxies.ensure(proxy_key(router.id), self.proxies.command(
            proxy_key(router.id), ns, "0.0.0.0", ROUTER_PORT, router_id=router.id))
        self.advertisers.ensure(router, ns)

    def _routes(self, stale: IpBatch, inside: IpBatch, router: model.Router,
                gateway_device: str | None) -> None:
        """Add to ``stale`` the removal of unwanted static routes and to
        ``inside`` (after the addresses, so next hops are reachable) the
        routes to add or change."""
        wanted: dict[str, tuple[str, str | None]] = {}
        if gateway_device is not None:
            for subnet in router.gateway.subnets:
                if subnet.gateway_ip:
                    default = "0.0.0.0/0" if subnet.ip_version == 4 else "::/0"
                    wanted[default] = (subnet.gateway_ip, gateway_device)
        for route in router.routes:
            destination = str(ipaddress.ip_network(route.destination, strict=False))
            wanted[destination] = (route.nexthop, None)
        present = self.static_routes(inside.netns)
        for destination, (nexthop, device) in sorted(wanted.items()):
            if present.get(destination) != nexthop:
                words = ["route", "replace", destination, "via", nexthop]
                words += ["dev", device] if device else []
                inside.add(*words, "proto", "static")
        for destination in sorted(set(present) - set(wanted)):
            stale.add("route", "del", destination, "proto", "static")

    def static_routes(self, ns: str) -> dict[str, str]:
        """{destination: next hop} of the namespace's ``proto static`` routes."""
        found = {}
        for family, default in (("-4", "0.0.0.0/0"), ("-6", "::/0")):
            out = self.executor.run(["ip", "-n", ns, family, "-j", "route", "show",
                                     "proto", "static"])
            for entry in json.loads(out or "[]"):
                dst = entry.get("dst", "")
                dst = default if dst == "default" else str(ipaddress.ip_network(dst,
                                                                                strict=False))
                if entry.get("gateway"):
                    found[dst] = entry["gateway"]
        return found

    def delete(self, router_id: str, namespaces: set[str]) -> None:
        self.proxies.stop(proxy_key(router_id))
        self.advertisers.remove(router_id)
        ns = self.l2.names.router_namespace(router_id)
        if ns in namespaces:
            iproute.delete_namespace(self.executor, ns)

    def state(self, router_id: str) -> driver.RouterState:
        ns = self.l2.names.router_namespace(router_id)
        ns_links = iproute.links(self.executor, ns)
        interfaces = self.l2.namespace_ports(ns_links, names.ROUTER_INTERFACE_PREFIX)
        gateway = self.l2.namespace_ports(ns_links, names.ROUTER_GATEWAY_PREFIX)
        floating, snat = nat.parse(self.executor.run(["iptables-nft-save"], netns=ns))
        return driver.RouterState(
            interfaces=frozenset(interfaces), gateway=next(iter(gateway), None),
            floating_ips=floating, snat=snat,
            metadata=self.proxies.running(proxy_key(router_id)) is not None,
            advertising=self.advertisers.running(router_id))

