"""Subnet pool arithmetic: normalizing a pool's prefixes and carving subnets
out of them.

A pool's prefixes are kept collapsed (adjacent and nested prefixes merged).
A subnet from a pool either asks for a prefix length (the first free block
of that size, in address order, is taken) or for a CIDR (which must lie in
the pool and overlap nothing allocated from it). Callers serialize
allocations from one pool by locking its row, so two concurrent requests
never get the same block.
"""
import ipaddress

from network import exception
from network.ipam.subnets import IPNetwork


def collapse(prefixes: list[str]) -> list[IPNetwork]:
    """The prefixes as collapsed networks of one IP version; 400 otherwise."""
    if not prefixes:
        raise exception.EmptySubnetPoolPrefixList()
    nets = []
    for prefix in prefixes:
        try:
            nets.append(ipaddress.ip_network(prefix, strict=False))
        except (TypeError, ValueError):
            raise exception.HTTPBadRequest(
                msg=f"Invalid input for prefixes. Reason: '{prefix}' is not a valid IP "
                    "subnet.")
    if len({net.version for net in nets}) > 1:
        raise exception.PrefixVersionMismatch()
    return list(ipaddress.collapse_addresses(nets))


def covers(outer: list[IPNetwork], inner: list[IPNetwork]) -> bool:
    """Whether every network of ``inner`` lies within one of ``outer``."""
    return all(any(net.subnet_of(big) for big in outer) for net in inner)


def free_blocks(pool: list[IPNetwork], used: list[IPNetwork]) -> list[IPNetwork]:
    """The pool's address space minus ``used``, as sorted networks."""
    blocks = list(pool)
    for taken in used:
        remaining = []
        for block in blocks:
            if taken.version != block.version or not block.overlaps(taken):
                remaining.append(block)
            elif taken.supernet_of(block):
                continue
            else:
                remaining.extend(block.address_exclude(taken))
        blocks = remaining
    return sorted(blocks)


def allocate(pool: list[IPNetwork], used: list[IPNetwork], prefixlen: int) -> IPNetwork:
    """The first free /``prefixlen`` block; 409 when the pool has none."""
    for block in free_blocks(pool, used):
        if block.prefixlen <= prefixlen:
            return next(block.subnets(new_prefix=prefixlen))
    raise exception.SubnetAllocationError(
        reason=f"Insufficient prefix space to allocate subnet size /{prefixlen}")


def check_requested(pool: list[IPNetwork], used: list[IPNetwork], cidr: IPNetwork) -> None:
    """409 unless ``cidr`` lies in the pool and overlaps no allocation."""
    if not covers(pool, [cidr]) or any(cidr.overlaps(net) for net in used):
        raise exception.SubnetAllocationError(
            reason="Cannot allocate requested subnet from the available set of prefixes")
