"""Subnet arithmetic and the checks Neutron makes on a subnet's addresses.

Pure functions over :mod:`ipaddress` objects; errors are the network
service's 400/409 exceptions.

Rules (Neutron's): the CIDR must be an address/prefix of the subnet's IP
version (host bits are dropped); the default gateway is the first address after the network address;
a gateway may lie outside the CIDR but never be an IPv4 CIDR's network or
broadcast address; default allocation pools are the CIDR minus the network
address, the IPv4 broadcast address and the gateway; explicit pools must lie
within the CIDR's first and last host address, not overlap, and not contain
the gateway.
"""
import ipaddress

from network import exception

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

AUTO_ADDRESS_MODES = ("slaac", "dhcpv6-stateless")
IPV6_MODES = ("slaac", "dhcpv6-stateless", "dhcpv6-stateful")


def parse_cidr(cidr: str, ip_version: int | None = None) -> IPNetwork:
    """The network ``cidr`` names (host bits dropped, as Neutron does); 400
    unless it is an address/prefix of ``ip_version``."""
    try:
        net = ipaddress.ip_network(cidr, strict=False)
    except (TypeError, ValueError):
        raise exception.HTTPBadRequest(
            msg=f"Invalid input for cidr. Reason: '{cidr}' is not a valid IP subnet.")
    if "/" not in cidr:
        raise exception.HTTPBadRequest(
            msg=f"Invalid input for cidr. Reason: '{cidr}' isn't a recommended CIDR, use "
                f"'{net}' instead.")
    if ip_version is not None and net.version != ip_version:
        raise exception.InvalidInput(
            error_message=f"Invalid CIDR {cidr} for IP version {ip_version}")
    return net


def parse_ip(value, version: int, field: str) -> IPAddress:
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        raise exception.HTTPBadRequest(
            msg=f"Invalid input for {field}. Reason: '{value}' is not a valid IP address.")
    if address.version != version:
        raise exception.InvalidInput(
            error_message=f"{field} '{value}' does not match the ip_version '{version}'")
    return address


def default_gateway(net: IPNetwork) -> str | None:
    hosts = host_bounds(net)
    return str(net.network_address + 1) if hosts else None


def host_bounds(net: IPNetwork) -> tuple[int, int] | None:
    """First and last address a port may get (as integers), or None if none."""
    first = int(net.network_address) + 1
    last = int(net.broadcast_address) - (1 if net.version == 4 else 0)
    return (first, last) if first <= last else None


def check_gateway(net: IPNetwork, gateway: str | None) -> str | None:
    """The gateway in canonical form; 400 if it is the network or broadcast address."""
    if gateway is None:
        return None
    address = parse_ip(gateway, net.version, "gateway_ip")
    invalid = (net.network_address, net.broadcast_address)
    if net.version == 4 and net.prefixlen < 31 and address in invalid:
        raise exception.InvalidInput(error_message="Gateway is not valid on subnet")
    return str(address)


def default_pools(net: IPNetwork, gateway: str | None) -> list[dict]:
    """The CIDR's host addresses minus the gateway, as pools."""
    bounds = host_bounds(net)
    if bounds is None:
        return []
    first, last = bounds
    ranges = [(first, last)]
    if gateway is not None:
        gw = int(ipaddress.ip_address(gateway))
        if first <= gw <= last:
            ranges = [(first, gw - 1), (gw + 1, last)]
    return [_pool(net, start, end) for start, end in ranges if start <= end]


def check_pools(net: IPNetwork, pools: list[dict], gateway: str | None) -> list[dict]:
    """Explicit pools, canonical and sorted; 400/409 as Neutron answers."""
    cidr = str(net)
    low = int(net.network_address) + 1
    high = int(net.broadcast_address) - 1
    ranges = []
    for pool in pools:
        try:
            start = ipaddress.ip_address(pool["start"])
            end = ipaddress.ip_address(pool["end"])
        except (KeyError, TypeError, ValueError):
            raise exception.InvalidAllocationPool(pool=pool)
        if start.version != net.version or end.version != net.version:
            raise exception.InvalidAllocationPool(pool=pool)
        if int(start) < low or int(end) > high:
            raise exception.OutOfBoundsAllocationPool(pool=_text(pool), subnet_cidr=cidr)
        if end < start:
            raise exception.InvalidAllocationPool(pool=_text(pool))
        ranges.append((int(start), int(end)))
    ranges.sort()
    for (s1, e1), (s2, e2) in zip(ranges, ranges[1:], strict=False):
        if s2 <= e1:
            raise exception.OverlappingAllocationPools(
                pool_1=_range_text(net, s1, e1), pool_2=_range_text(net, s2, e2),
                subnet_cidr=cidr)
    if gateway is not None:
        gw = int(ipaddress.ip_address(gateway))
        for start, end in ranges:
            if start <= gw <= end:
                raise exception.GatewayConflictWithAllocationPools(
                    ip_address=gateway, pool=_range_text(net, start, end))
    return [_pool(net, start, end) for start, end in ranges]


def pool_ranges(pools: list[dict]) -> list[tuple[int, int]]:
    return [(int(ipaddress.ip_address(p["start"])), int(ipaddress.ip_address(p["end"])))
            for p in pools]


def contains(net: IPNetwork, address: IPAddress) -> bool:
    """Whether a port may hold ``address`` on a subnet of ``net``."""
    bounds = host_bounds(net)
    if address.version != net.version or address not in net:
        return False
    if bounds is None:
        return True
    return bounds[0] <= int(address) <= bounds[1]


def check_ipv6_modes(ip_version: int, ra_mode: str | None, address_mode: str | None,
                     net: IPNetwork) -> None:
    """400 for IPv6 modes on IPv4, mismatched modes, or SLAAC off a /64."""
    if ip_version == 4 and (ra_mode or address_mode):
        name = "ipv6_ra_mode" if ra_mode else "ipv6_address_mode"
        raise exception.InvalidInput(
            error_message=f"{name} is not valid when ip_version is 4")
    if ra_mode and address_mode and ra_mode != address_mode:
        raise exception.InvalidInput(
            error_message=f"ipv6_ra_mode set to '{ra_mode}' with ipv6_address_mode set to "
                          f"'{address_mode}' is not valid. If both attributes are set, "
                          "they must be the same value")
    if (address_mode in AUTO_ADDRESS_MODES or ra_mode in AUTO_ADDRESS_MODES) \
            and net.prefixlen != 64:
        raise exception.InvalidInput(
            error_message=f"Invalid CIDR {net} for IPv6 address mode. OpenStack uses the "
                          "EUI-64 address format, which requires the prefix to be /64")


def is_auto_address(ra_mode: str | None, address_mode: str | None) -> bool:
    """Whether ports get their address from the prefix and MAC (SLAAC)."""
    return address_mode in AUTO_ADDRESS_MODES or (
        address_mode is None and ra_mode in AUTO_ADDRESS_MODES)


def eui64(cidr: str, mac: str) -> str:
    """The SLAAC address of ``mac`` in the /64 ``cidr`` (RFC 4291 appendix A)."""
    octets = [int(part, 16) for part in mac.split(":")]
    octets[0] ^= 0x02
    interface = octets[:3] + [0xFF, 0xFE] + octets[3:]
    net = ipaddress.ip_network(cidr)
    return str(net.network_address + int.from_bytes(bytes(interface), "big"))


def _pool(net: IPNetwork, start: int, end: int) -> dict:
    cls = type(net.network_address)
    return {"start": str(cls(start)), "end": str(cls(end))}


def _range_text(net: IPNetwork, start: int, end: int) -> str:
    pool = _pool(net, start, end)
    return f"{pool['start']}-{pool['end']}"


def _text(pool: dict) -> str:
    return f"{pool.get('start')}-{pool.get('end')}"
