"""Choosing and recording the addresses of a port, inside the caller's write
transaction.

An address is free when no ``ip_allocation`` row of the network holds it.
:func:`allocate_any` tries a few random candidates from the subnet's pools
(one query for all of them), which almost always finds one at once on a
sparse subnet and keeps concurrent writers from all picking the same
address; when every candidate is taken it reads the subnet's allocations and
picks among the first free addresses, or answers None when the pools are
full. Whatever is picked is only *recorded* by the insert: a concurrent
writer who inserted it first makes the transaction fail with IntegrityError,
and :func:`network.database.write` runs it again.
"""
import ipaddress
import random

import sqlalchemy as sa

from network import exception, models
from network.ipam import subnets as subnet_math

CANDIDATES = 8
WINDOW = 64

_random = random.SystemRandom()


def allocate_any(session, subnet: models.Subnet) -> str | None:
    """A free address from ``subnet``'s pools, or None when they are full."""
    ranges = subnet_math.pool_ranges(subnet.allocation_pools)
    size = sum(end - start + 1 for start, end in ranges)
    if not size:
        return None
    cls = ipaddress.IPv4Address if subnet.ip_version == 4 else ipaddress.IPv6Address
    candidates = {_nth(ranges, _random.randrange(size)) for _ in range(min(CANDIDATES, size))}
    texts = {str(cls(value)) for value in candidates}
    taken = set(session.scalars(sa.select(models.IPAllocation.ip_address).where(
        models.IPAllocation.network_id == subnet.network_id,
        models.IPAllocation.ip_address.in_(texts))))
    free = sorted(texts - taken)
    if free:
        return _random.choice(free)
    return _first_free(session, subnet, ranges, cls)


def _first_free(session, subnet, ranges, cls) -> str | None:
    used = {int(ipaddress.ip_address(ip)) for ip in session.scalars(
        sa.select(models.IPAllocation.ip_address).where(
            models.IPAllocation.subnet_id == subnet.id))}
    window = []
    for start, end in ranges:
        value = start
        while value <= end and len(window) < WINDOW:
            if value not in used:
                window.append(value)
            value += 1
        if len(window) >= WINDOW:
            break
    return str(cls(_random.choice(window))) if window else None


def _nth(ranges: list[tuple[int, int]], index: int) -> int:
    for start, end in ranges:
        if index <= end - start:
            return start + index
        index -= end - start + 1
    raise IndexError(index)


def check_specific(session, subnet: models.Subnet, ip_address: str) -> str:
    """``ip_address`` in canonical form if ``subnet`` can give it out now;
    400 when it is not an address of the subnet, 409 when it is taken."""
    address = parse(ip_address, "ip_address")
    net = ipaddress.ip_network(subnet.cidr)
    if not subnet_math.contains(net, address):
        raise exception.InvalidIpForSubnet(ip_address=ip_address)
    text = str(address)
    holder = session.get(models.IPAllocation, (subnet.network_id, text))
    if holder is not None:
        raise exception.IpAddressAlreadyAllocated(ip=text, subnet_id=subnet.id)
    return text


def parse(value, field: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    try:
        return ipaddress.ip_address(value)
    except (TypeError, ValueError):
        raise exception.HTTPBadRequest(
            msg=f"Invalid input for {field}. Reason: '{value}' is not a valid IP address.")


def record(session, subnet: models.Subnet, port_id: str, ip_address: str) -> None:
    session.add(models.IPAllocation(network_id=subnet.network_id, ip_address=ip_address,
                                    subnet_id=subnet.id, port_id=port_id))
