"""IPv6 router advertisements from a router's namespace, as Neutron's radvd.

Every internal interface holding an address on an IPv6 subnet whose
``ipv6_ra_mode`` is set advertises that subnet's prefix on its ``qr-``
device, with the network's MTU. One dnsmasq per router does it (RA only,
no DNS), its files in ``<state_path>/ra/<router id>/``. The flags follow
the mode:

- ``slaac``: the prefix is autonomous; managed and other-config are off;
- ``dhcpv6-stateless``: autonomous, other-config on (options from DHCPv6);
- ``dhcpv6-stateful``: managed (and other-config) on, not autonomous.

dnsmasq sets those flags from the kind of DHCPv6 range (``ra-only``,
``ra-stateless``, ``static``), and would answer DHCPv6 on the latter two;
the network's own DHCP server does that, so the router namespace drops
DHCPv6 requests (``INPUT_FILTER``) and its dnsmasq never sees them.
"""
import ipaddress
from collections.abc import Sequence

from network.agent import model, names
from network.agent.dhcp import dnsmasq

RANGE_KIND = {model.SLAAC: "ra-only", model.DHCPV6_STATELESS: "ra-stateless",
              model.DHCPV6_STATEFUL: "static"}
INTERVAL = 30  # seconds between unsolicited advertisements (Neutron's radvd: 30..100)

# The router namespace's ip6tables filter table: no DHCPv6 server there.
INPUT_FILTER = """*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p udp -m udp --dport 547 -j DROP
COMMIT
"""


def advertised(router: model.Router) -> list[tuple[str, model.Subnet, int]]:
    """(device, subnet, MTU) for each prefix the router advertises: its
    interfaces' IPv6 subnets with an RA mode that the port has an address
    on, in interface order."""
    found = []
    for interface in router.interfaces:
        device = names.namespaced_device(names.ROUTER_INTERFACE_PREFIX, interface.port.id)
        for subnet in interface.subnets:
            if (subnet.ip_version == 6 and subnet.ipv6_ra_mode in RANGE_KIND
                    and interface.port.ips_on(subnet.id)):
                found.append((device, subnet, interface.network.mtu))
    return found


def command(folder: str, prefixes: Sequence[tuple[str, model.Subnet, int]]) -> list[str]:
    """dnsmasq's argv advertising ``prefixes`` (from ``advertised``)."""
    devices = list(dict.fromkeys(device for device, _, _ in prefixes))
    argv = ["dnsmasq", "--no-hosts", "--no-resolv", "--port=0", "--conf-file=/dev/null",
            f"--pid-file={folder}/pid", f"--dhcp-leasefile={folder}/leases",
            f"--log-facility={folder}/dnsmasq.log", "--bind-interfaces",
            *(f"--interface={device}" for device in devices),
            "--except-interface=lo", "--enable-ra"]
    mtus = {}
    for device, subnet, mtu in prefixes:
        network = ipaddress.ip_network(subnet.cidr, strict=False)
        argv.append(f"--dhcp-range=set:subnet-{subnet.id},{network.network_address},"
                    f"{RANGE_KIND[subnet.ipv6_ra_mode]},{network.prefixlen}")
        mtus[device] = mtu
    argv += [f"--ra-param={device},mtu:{mtu},{INTERVAL}" for device, mtu in mtus.items()]
    return argv


class Advertisers:
    """The RA dnsmasq of each router (a ``dnsmasq.Dnsmasq`` keyed by router
    id, with empty hosts and options files)."""

    def __init__(self, servers: dnsmasq.Dnsmasq):
        self.servers = servers

    def ensure(self, router: model.Router, namespace: str) -> None:
        """The router's RA daemon runs as ``router`` needs, or not at all."""
        prefixes = advertised(router)
        if not prefixes:
            self.servers.remove(router.id)
            return
        argv = command(self.servers.folder(router.id), prefixes)
        self.servers.executor.run(["ip6tables-nft-restore"], stdin=INPUT_FILTER,
                                  netns=namespace)
        self.servers.ensure(router.id, namespace, argv, "", "")

    def running(self, router_id: str) -> bool:
        return self.servers.running(router_id) is not None

    def remove(self, router_id: str) -> None:
        self.servers.remove(router_id)
