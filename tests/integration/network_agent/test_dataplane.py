"""Packets through the real driver: guests (network namespaces whose veth
host ends are named like compute's taps) get leases from dnsmasq, reach each
other, their router, the outside through SNAT and a floating IP, and the
metadata service through the signed proxy; security groups and
anti-spoofing really drop what they should.

The external network is a test bridge holding 172.24.99.1/24 on the host.
The scenarios hold a file lock, so parallel workers never add that address
twice; only the test's own bridges and namespaces ever carry traffic.
"""
import dataclasses
import fcntl
import http.server
import ipaddress
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from network.agent import model
from network.agent.linuxbridge.sg_rules import link_local
from network.agent.metadata_proxy import signing
from tests.functional.network_agent.contract import (
    PHYSNET,
    new_id,
    new_mac,
    port,
    subnet,
    vxlan_network,
)
from tests.integration.guests import Guest, sh
from tests.integration.network_agent.conftest import leftovers

EXTERNAL_CIDR = "172.24.99.0/24"
HOST_IP = "172.24.99.1"
SECRET = "dataplane-secret"
LOCK = "/tmp/stratus-network-agent-dataplane.lock"
class MetadataService(http.server.ThreadingHTTPServer):
    """Stands in for stratus-compute-metadata on the host's loopback."""

    def __init__(self):
        self.requests: list[dict] = []
        super().__init__(("127.0.0.1", 0), MetadataHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class MetadataHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.requests.append({"path": self.path, **dict(self.headers.items())})
        body = json.dumps({"uuid": "instance-1", "path": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def dataplane_lock() -> Iterator[None]:
    with open(LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


@pytest.fixture
def metadata() -> Iterator[MetadataService]:
    service = MetadataService()
    yield service
    service.shutdown()
    service.server_close()


@pytest.fixture
def agent(dataplane_lock, state_path, mapped_bridge, metadata) -> Iterator:
    from network.agent.linuxbridge.driver import LinuxBridgeDriver
    from tests.integration.network_agent.conftest import make_settings

    sh("ip", "addr", "add", f"{HOST_IP}/24", "dev", mapped_bridge)
    driver = LinuxBridgeDriver(make_settings(state_path, mapped_bridge,
                                             metadata_url=metadata.url,
                                             metadata_secret=SECRET))
    guests: list[Guest] = []
    driver.guests = guests
    try:
        yield driver
    finally:
        for guest in guests:
            guest.delete()
        driver.cleanup_all()
        sh("ip", "addr", "del", f"{HOST_IP}/24", "dev", mapped_bridge, check=False)


def host_ping(address: str) -> bool:
    return subprocess.run(["ping", "-c", "1", "-W", "1", address],
                          capture_output=True).returncode == 0


def rule(direction: str, **values) -> model.SecurityRule:
    return model.SecurityRule(direction, **values)


def port_filter(guest: Guest, *rules: model.SecurityRule) -> model.PortSecurity:
    return model.PortSecurity(port_id=guest.port.id, network_id=guest.port.network_id,
                              mac_address=guest.port.mac_address,
                              ip_addresses=tuple(ip.ip_address for ip in guest.port.fixed_ips),
                              rules=rules)


def test_routed_network_leases_pings_nat_floating_ip_and_metadata(agent, metadata,
                                                                  tmp_path):
    network = vxlan_network()
    sub = subnet(network, "10.77.0.0/24", routed=True)
    dhcp_port = port(network, (sub, "10.77.0.2"))
    guest_ports = [port(network, (sub, "10.77.0.10")), port(network, (sub, "10.77.0.11"))]
    guests = [Guest(p, str(tmp_path)) for p in guest_ports]
    agent.guests.extend(guests)
    external = model.Network(id=new_id(), network_type=model.FLAT, physical_network=PHYSNET,
                             mtu=1500)
    ext_subnet = subnet(external, EXTERNAL_CIDR, gateway_ip=HOST_IP)
    router = model.Router(
        id=new_id(),
        interfaces=(model.RouterPort(port(network, (sub, "10.77.0.1")), network, (sub,)),),
        gateway=model.RouterPort(port(external, (ext_subnet, "172.24.99.50")), external,
                                 (ext_subnet,)),
        floating_ips=(model.FloatingIP(new_id(), "172.24.99.60", "10.77.0.10"),))
    members = tuple(p.fixed_ips[0].ip_address for p in guest_ports)
    group = new_id()
    default_group = (rule(model.EGRESS),
                     rule(model.INGRESS, remote_group_id=group, remote_ips=members))
    icmp = rule(model.INGRESS, protocol="icmp", remote_ip_prefix="0.0.0.0/0")

    assert agent.plug_taps(network, guest_ports) == {p.id for p in guest_ports}
    agent.ensure_port_security([port_filter(g, *default_group, icmp) for g in guests])
    agent.ensure_dhcp(network, [sub], dhcp_port, guest_ports)
    agent.ensure_router(router)

    for guest in guests:
        lease = guest.dhcp()
        assert lease["ip"] == guest.port.fixed_ips[0].ip_address
        assert lease["router"].split()[0] == "10.77.0.1"
        assert lease["mtu"] == "1450"
    a, b = guests
    assert a.ping("10.77.0.11") and b.ping("10.77.0.10")
    assert a.ping("10.77.0.1")
    assert host_ping("172.24.99.60"), "floating IP unreachable from the host"
    assert b.ping(HOST_IP), "SNAT to the outside failed"

    # Anti-spoofing: another source address never leaves the tap.
    a.run("ip", "addr", "add", "10.77.0.99/24", "dev", "eth0")
    assert not a.ping("10.77.0.11", source="10.77.0.99")

    # Ingress without ICMP: the floating IP and the neighbour stop answering.
    ssh_only = rule(model.INGRESS, protocol="tcp", port_range_min=22, port_range_max=22)
    agent.ensure_port_security([port_filter(a, rule(model.EGRESS), ssh_only)])
    assert not host_ping("172.24.99.60")
    assert not b.ping("10.77.0.10")
    agent.ensure_port_security([port_filter(a, rule(model.EGRESS), ssh_only, icmp)])
    assert host_ping("172.24.99.60")
    assert b.ping("10.77.0.10")

    # Without port security nothing is filtered, not even a source it does not own.
    agent.ensure_port_security([port_filter(a, ssh_only)])
    assert not b.ping("10.77.0.10")
    agent.ensure_port_security([dataclasses.replace(port_filter(a, ssh_only),
                                                    port_security_enabled=False)])
    assert b.ping("10.77.0.10")
    assert a.ping("10.77.0.11", source="10.77.0.99")  # spoofing is no longer stopped
    agent.ensure_port_security([port_filter(a, rule(model.EGRESS), icmp)])

    # Metadata through the router's proxy, with signed headers.
    body = json.loads(a.fetch("http://169.254.169.254/openstack/latest/meta_data.json"))
    assert body["path"] == "/openstack/latest/meta_data.json"
    seen = metadata.requests[-1]
    assert seen[signing.FORWARDED_FOR] == "10.77.0.10"
    assert seen[signing.ROUTER_ID] == router.id and signing.NETWORK_ID not in seen
    assert signing.verify(SECRET, "10.77.0.10", None, router.id, seen[signing.SIGNATURE])

    agent.cleanup_all()
    for guest in guests:
        guest.delete()
    assert leftovers(agent) == []
    assert not host_ping("172.24.99.60")


def test_isolated_network_serves_metadata_from_its_dhcp_namespace(agent, metadata, tmp_path):
    network = vxlan_network()
    sub = subnet(network, "10.78.0.0/24", gateway_ip=None)
    dhcp_port = port(network, (sub, "10.78.0.2"))
    guest_port = port(network, (sub, "10.78.0.20"), hostname="vm-one")
    guest = Guest(guest_port, str(tmp_path))
    agent.guests.append(guest)
    agent.plug_taps(network, [guest_port])
    agent.ensure_port_security([port_filter(guest, rule(model.EGRESS))])
    agent.ensure_dhcp(network, [sub], dhcp_port, [guest_port])

    lease = guest.dhcp()
    assert lease["ip"] == "10.78.0.20" and "router" not in lease
    assert lease["hostname"] == "vm-one"
    assert lease["staticroutes"].split() == ["169.254.169.254/32", "10.78.0.2"]
    guest.fetch("http://169.254.169.254/latest/meta-data/")
    seen = metadata.requests[-1]
    assert seen[signing.FORWARDED_FOR] == "10.78.0.20"
    assert seen[signing.NETWORK_ID] == network.id and signing.ROUTER_ID not in seen
    assert signing.verify(SECRET, "10.78.0.20", network.id, None, seen[signing.SIGNATURE])


def test_a_guest_not_in_the_hosts_file_gets_no_lease(agent, tmp_path):
    network = vxlan_network()
    sub = subnet(network, "10.79.0.0/24")
    dhcp_port = port(network, (sub, "10.79.0.2"))
    known = port(network, (sub, "10.79.0.30"))
    stranger = model.Port(id=new_id(), network_id=network.id, mac_address=new_mac())
    guest = Guest(stranger, str(tmp_path))
    agent.guests.append(guest)
    agent.plug_taps(network, [stranger])
    agent.ensure_dhcp(network, [sub], dhcp_port, [known])
    result = guest.run("busybox", "udhcpc", "-i", "eth0", "-f", "-q", "-n", "-t", "2",
                       "-T", "1", "-s", "/bin/true")
    assert result.returncode != 0, "dnsmasq leased to an unknown MAC"


def eui64(cidr: str, mac: str) -> str:
    """The SLAAC address a guest with ``mac`` derives in the /64 ``cidr``."""
    interface_id = int(ipaddress.ip_address(link_local(mac))) & (2 ** 64 - 1)
    return str(ipaddress.ip_network(cidr)[interface_id])


def wait_for_global_address(guest: Guest, address: str, timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = guest.run("ip", "-6", "-j", "addr", "show", "dev", "eth0").stdout
        for info in json.loads(out or "[]")[0].get("addr_info", []):
            if info["local"] == address and not info.get("tentative"):
                return True
        time.sleep(0.5)
    return False


def test_a_slaac_guest_configures_itself_from_the_routers_advertisements(agent, tmp_path):
    network = vxlan_network()
    sub = subnet(network, "fd00:77::/64", ip_version=6, gateway_ip="fd00:77::1", routed=True,
                 ipv6_ra_mode=model.SLAAC, ipv6_address_mode=model.SLAAC)
    mac = new_mac()
    guest_port = port(network, (sub, eui64(sub.cidr, mac)), mac_address=mac)
    guest = Guest(guest_port, str(tmp_path))
    agent.guests.append(guest)
    for key in ("accept_ra", "autoconf"):
        guest.run("sysctl", "-q", "-w", f"net.ipv6.conf.eth0.{key}=1")
    agent.plug_taps(network, [guest_port])
    icmp6 = rule(model.INGRESS, ethertype=model.IPV6, protocol="icmpv6")
    agent.ensure_port_security([port_filter(guest, rule(model.EGRESS, ethertype=model.IPV6),
                                            icmp6)])
    router = model.Router(id=new_id(), interfaces=(
        model.RouterPort(port(network, (sub, "fd00:77::1")), network, (sub,)),))
    agent.ensure_router(router)
    assert agent.observed().routers[router.id].advertising

    address = guest_port.fixed_ips[0].ip_address
    assert wait_for_global_address(guest, address), (
        "no SLAAC address from the RAs: "
        + guest.run("ip", "-6", "addr", "show", "dev", "eth0").stdout)
    mtu = guest.run("sysctl", "-n", "net.ipv6.conf.eth0.mtu").stdout.strip()
    assert mtu == "1450", "the RA carried no MTU"
    assert "default via fe80::" in guest.run("ip", "-6", "route", "show").stdout
    assert guest.ping("fd00:77::1")

    # No RA mode: the router stops advertising.
    plain = dataclasses.replace(sub, ipv6_ra_mode=None, ipv6_address_mode=None)
    agent.ensure_router(dataclasses.replace(router, interfaces=(
        dataclasses.replace(router.interfaces[0], subnets=(plain,)),)))
    assert not agent.observed().routers[router.id].advertising


# A DHCPv6 client (busybox here has no udhcpc6): a Solicit with the MAC as
# DUID-LL and an IA_NA (resent until answered); prints the Advertise's
# addresses and DNS servers.
SOLICIT = r"""
import os, socket, struct, sys, time
mac = bytes.fromhex(sys.argv[1].replace(":", ""))
def opt(code, data):
    return struct.pack("!HH", code, len(data)) + data
def options(data):
    while len(data) >= 4:
        code, size = struct.unpack("!HH", data[:4])
        yield code, data[4:4 + size]
        data = data[4 + size:]
xid = os.urandom(3)
msg = (b"\x01" + xid + opt(1, struct.pack("!HH", 3, 1) + mac)
       + opt(3, struct.pack("!III", 1, 0, 0)) + opt(8, b"\0\0") + opt(6, struct.pack("!H", 23)))
sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
sock.bind(("::", 546))
sock.settimeout(1)
for _ in range(10):
    try:
        sock.sendto(msg, ("ff02::1:2", 547, 0, socket.if_nametoindex("eth0")))
    except OSError:  # no link-local address yet (duplicate address detection)
        time.sleep(1)
        continue
    try:
        data = sock.recv(4096)
    except socket.timeout:
        continue
    if data[:4] != b"\x02" + xid:
        continue
    for code, body in options(data[4:]):
        if code == 3:
            for inner, value in options(body[12:]):
                if inner == 5:
                    print("address=" + socket.inet_ntop(socket.AF_INET6, value[:16]))
        elif code == 23:
            for at in range(0, len(body), 16):
                print("dns=" + socket.inet_ntop(socket.AF_INET6, body[at:at + 16]))
    sys.exit(0)
sys.exit("no DHCPv6 advertise")
"""


def test_a_stateful_dhcpv6_guest_is_offered_its_fixed_address(agent, tmp_path):
    network = vxlan_network()
    sub = subnet(network, "fd00:78::/64", ip_version=6, gateway_ip="fd00:78::1",
                 dns_nameservers=("fd00::53",), ipv6_ra_mode=model.DHCPV6_STATEFUL,
                 ipv6_address_mode=model.DHCPV6_STATEFUL)
    dhcp_port = port(network, (sub, "fd00:78::2"))
    guest_port = port(network, (sub, "fd00:78::10"))
    guest = Guest(guest_port, str(tmp_path))
    agent.guests.append(guest)
    agent.plug_taps(network, [guest_port])
    agent.ensure_port_security([port_filter(guest, rule(model.EGRESS, ethertype=model.IPV6))])
    agent.ensure_dhcp(network, [sub], dhcp_port, [guest_port])
    inside = agent.names.dhcp_namespace(network.id)
    assert "fd00:78::2/64" in sh("ip", "-n", inside, "-6", "addr", "show")

    result = guest.run(sys.executable, "-c", SOLICIT, guest_port.mac_address)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["address=fd00:78::10", "dns=fd00::53"]
