"""DHCP for one network: dnsmasq in the network's ``qdhcp-`` namespace.

Static allocation only (``--dhcp-range=…,static``): dnsmasq answers exactly
the MAC addresses of its hosts file (``MAC,hostname,IP``), one line per fixed
IP of each port handed to ``ensure_dhcp``. IPv6 subnets follow their
``ipv6_address_mode`` (``model.Subnet.dhcp_answers``/``dhcp_assigns``):
SLAAC subnets get no range; stateless DHCPv6 ones a range with no hosts
(options only); stateful ones a range and hosts, as IPv4. Per-subnet options (router, DNS
servers, classless static routes) are in the options file, tagged
``subnet-<id>``. Changes to hosts or options rewrite those files and send
SIGHUP (dnsmasq rereads both); dnsmasq is restarted only when its command
line must change (subnets, the interface, lease time, MTU).

Files live in ``<state_path>/dhcp/<network id>/``; dnsmasq drops to its own
user, so the files are world-readable (they hold MACs and addresses only).
"""
import ipaddress
import os
import signal
from collections.abc import Sequence

from network.agent import driver, model, process
from network.agent.executor import Executor

METADATA_IP = "169.254.169.254"
MAX_LEASES = 2 ** 16


def hostname_for(port: model.Port, ip: str) -> str:
    if port.hostname:
        return port.hostname
    return "host-" + ip.replace(".", "-").replace(":", "-")


def dhcp_subnets(subnets: Sequence[model.Subnet]) -> list[model.Subnet]:
    return [subnet for subnet in subnets if subnet.enable_dhcp]


def serves_metadata(subnets: Sequence[model.Subnet]) -> bool:
    """Whether the network has an isolated IPv4 subnet with DHCP: its guests
    then reach the metadata proxy through the DHCP port."""
    return any(s.ip_version == 4 and not s.routed for s in dhcp_subnets(subnets))


def hosts_file(subnets: Sequence[model.Subnet], ports: Sequence[model.Port]) -> str:
    """The --dhcp-hostsfile: one ``MAC,hostname,IP`` line per fixed IP on a
    DHCP-enabled subnet (IPv6 addresses in brackets)."""
    enabled = {subnet.id: subnet for subnet in dhcp_subnets(subnets) if subnet.dhcp_assigns}
    lines = []
    for port in sorted(ports, key=lambda item: item.id):
        for fixed in port.fixed_ips:
            subnet = enabled.get(fixed.subnet_id)
            if subnet is None:
                continue
            address = fixed.ip_address if subnet.ip_version == 4 else f"[{fixed.ip_address}]"
            lines.append(f"{port.mac_address.lower()},"
                         f"{hostname_for(port, fixed.ip_address)},{address}")
    return "".join(line + "\n" for line in lines)


def parse_hosts(text: str) -> frozenset[tuple[str, str]]:
    """(MAC, IP) pairs of a hosts file made by ``hosts_file``."""
    pairs = set()
    for line in text.splitlines():
        parts = line.split(",")
        if len(parts) >= 2:
            pairs.add((parts[0], parts[-1].strip("[]")))
    return frozenset(pairs)


def options_file(subnets: Sequence[model.Subnet], dhcp_port: model.Port,
                 dns_servers: Sequence[str]) -> str:
    """The --dhcp-optsfile: per subnet its router (none when the subnet has no
    gateway), DNS servers (its own, else ``dns_servers``) and classless
    static routes (option 121, and 249 for old Windows guests): its host
    routes, the metadata address via the DHCP port on an isolated subnet,
    and then the default route, since a client given option 121 ignores
    option 3."""
    lines = []
    for subnet in dhcp_subnets(subnets):
        if not subnet.dhcp_answers:
            continue
        tag = f"tag:subnet-{subnet.id}"
        servers = list(subnet.dns_nameservers) or [
            server for server in dns_servers
            if ipaddress.ip_address(server).version == subnet.ip_version]
        if subnet.ip_version == 6:
            if servers:
                lines.append(f"{tag},option6:dns-server,"
                             + ",".join(f"[{server}]" for server in servers))
            continue
        lines.append(f"{tag},option:router" + (f",{subnet.gateway_ip}"
                                               if subnet.gateway_ip else ""))
        if servers:
            lines.append(f"{tag},option:dns-server," + ",".join(servers))
        routes = [(route.destination, route.nexthop) for route in subnet.host_routes]
        dhcp_ips = dhcp_port.ips_on(subnet.id)
        if not subnet.routed and dhcp_ips:
            routes.append((f"{METADATA_IP}/32", dhcp_ips[0]))
        if routes and subnet.gateway_ip:
            routes.append(("0.0.0.0/0", subnet.gateway_ip))
        if routes:
            text = ",".join(f"{dest},{hop}" for dest, hop in routes)
            lines.append(f"{tag},option:classless-static-route,{text}")
            lines.append(f"{tag},249,{text}")
    return "".join(line + "\n" for line in lines)


def command(folder: str, interface: str, subnets: Sequence[model.Subnet],
            lease_duration: int, mtu: int) -> list[str]:
    """dnsmasq's argv: DHCP only (no DNS), bound to ``interface``."""
    argv = ["dnsmasq", "--no-hosts", "--no-resolv", "--port=0", "--conf-file=/dev/null",
            f"--pid-file={folder}/pid", f"--dhcp-hostsfile={folder}/host",
            f"--dhcp-optsfile={folder}/opts", f"--dhcp-leasefile={folder}/leases",
            f"--log-facility={folder}/dnsmasq.log", "--bind-interfaces",
            f"--interface={interface}", "--except-interface=lo", "--dhcp-authoritative"]
    leases = 0
    for subnet in dhcp_subnets(subnets):
        if not subnet.dhcp_answers:
            continue
        network = ipaddress.ip_network(subnet.cidr, strict=False)
        mask = str(network.netmask) if network.version == 4 else str(network.prefixlen)
        argv.append(f"--dhcp-range=set:subnet-{subnet.id},{network.network_address},static,"
                    f"{mask},{lease_duration}s")
        leases += min(network.num_addresses, MAX_LEASES)
    argv += [f"--dhcp-lease-max={min(leases, MAX_LEASES)}",
             f"--dhcp-option-force=option:mtu,{mtu}"]
    return argv


class Dnsmasq:
    """The dnsmasq of each network, files under ``<root>/<network id>/``."""

    def __init__(self, executor: Executor, root: str):
        self.executor = executor
        self.root = root

    def folder(self, network_id: str) -> str:
        return os.path.join(self.root, network_id)

    def ensure(self, network_id: str, namespace: str, argv: list[str], hosts: str,
               options: str) -> None:
        """dnsmasq runs in ``namespace`` with ``argv`` and these files."""
        folder = self.folder(network_id)
        process.make_dirs(folder)
        check_readable_by_others(folder)
        changed = process.write_file(os.path.join(folder, "host"), hosts)
        changed = process.write_file(os.path.join(folder, "opts"), options) or changed
        running = self.running(network_id)
        if running is not None and not process.same_command(argv, running[1]):
            process.stop(running[0])
            running = None
        if running is None:
            self.executor.run(argv, netns=namespace)
        elif changed:
            process.signal_process(running[0], signal.SIGHUP)

    def running(self, network_id: str) -> tuple[int, list[str]] | None:
        folder = self.folder(network_id)
        return process.find(os.path.join(folder, "pid"), f"--pid-file={folder}/pid")

    def hosts(self, network_id: str) -> frozenset[tuple[str, str]]:
        try:
            with open(os.path.join(self.folder(network_id), "host")) as source:
                return parse_hosts(source.read())
        except OSError:
            return frozenset()

    def stop(self, network_id: str) -> None:
        folder = self.folder(network_id)
        process.stop_pid_file(os.path.join(folder, "pid"), f"--pid-file={folder}/pid")

    def remove(self, network_id: str) -> None:
        self.stop(network_id)
        folder = self.folder(network_id)
        if os.path.isdir(folder):
            for name in os.listdir(folder):
                os.unlink(os.path.join(folder, name))
            os.rmdir(folder)


def check_readable_by_others(folder: str) -> None:
    """HostError unless every directory down to ``folder`` lets others in:
    dnsmasq rereads its files as its own user on SIGHUP."""
    path = os.path.abspath(folder)
    while True:
        if not os.stat(path).st_mode & 0o001:
            raise driver.HostError(f"dnsmasq runs as its own user and cannot reach {folder}: "
                                   f"{path} is not searchable by others (chmod o+x it, or "
                                   f"set agent_state_path elsewhere)")
        parent = os.path.dirname(path)
        if parent == path:
            return
        path = parent
