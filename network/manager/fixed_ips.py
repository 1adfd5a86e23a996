"""A port's ``fixed_ips``: what a request asks for and what the port gets,
inside the port's write transaction.

Without ``fixed_ips`` a port gets, like in Neutron, one IPv4 address (from
the first IPv4 subnet with a free one), one DHCPv6-stateful/plain IPv6
address likewise, and its EUI-64 address on every SLAAC/DHCPv6-stateless
subnet. Subnets with ``service_types`` serve only ports whose
``device_owner`` is listed, and such ports only from them when any matches.
An entry with ``subnet_id`` asks for any address of that subnet, one with
``ip_address`` for that address (on the subnet holding it, or the given one).

Errors: a subnet of another network 400 InvalidInput; an address in no
subnet 400 InvalidIpForNetwork; an address outside its subnet 400
InvalidIpForSubnet; a taken address 409 IpAddressAlreadyAllocated; a full
subnet 409 IpAddressGenerationFailure.
"""
import ipaddress

import sqlalchemy as sa

from network import exception, models
from network.ipam import allocator
from network.ipam import subnets as subnet_math

ROUTER_OWNERS = ("network:router_interface", "network:ha_router_replicated_interface",
                 "network:router_interface_distributed", "network:router_gateway")


def network_subnets(session, network_id: str) -> list[models.Subnet]:
    return list(session.scalars(sa.select(models.Subnet).where(
        models.Subnet.network_id == network_id).order_by(models.Subnet.created_at,
                                                         models.Subnet.id)))


def is_auto(subnet: models.Subnet) -> bool:
    return subnet_math.is_auto_address(subnet.ipv6_ra_mode, subnet.ipv6_address_mode)


def _serving(subnets: list[models.Subnet], device_owner: str) -> list[models.Subnet]:
    matching = [s for s in subnets if device_owner and device_owner in s.service_types]
    return matching or [s for s in subnets if not s.service_types]


def default(session, network_id: str, subnets: list[models.Subnet], mac: str,
            device_owner: str) -> list[tuple[models.Subnet, str]]:
    """The (subnet, address) pairs of a port that did not ask for any."""
    chosen = []
    serving = _serving(subnets, device_owner)
    families = ([s for s in serving if s.ip_version == 4],
                [s for s in serving if s.ip_version == 6 and not is_auto(s)])
    for family in families:
        if not family:
            continue
        for subnet in family:
            address = allocator.allocate_any(session, subnet)
            if address is not None:
                chosen.append((subnet, address))
                break
        else:
            raise exception.IpAddressGenerationFailure(net_id=network_id)
    for subnet in serving:
        if subnet.ip_version == 6 and is_auto(subnet):
            chosen.append((subnet, subnet_math.eui64(subnet.cidr, mac)))
    return chosen


def requested(session, network_id: str, subnets: list[models.Subnet], entries: list[dict],
              mac: str, device_owner: str, held: dict[str, str] | None = None
              ) -> list[tuple[models.Subnet, str]]:
    """The (subnet, address) pairs ``entries`` ask for. ``held`` (address ->
    subnet id) are the port's current addresses, which it keeps when asked
    for again (by address, or by subnet)."""
    by_id = {subnet.id: subnet for subnet in subnets}
    held = dict(held or {})
    chosen: list[tuple[models.Subnet, str]] = []
    for entry in entries:
        subnet = _subnet_of(network_id, by_id, subnets, entry)
        address = entry.get("ip_address")
        if address is not None:
            text = _specific(session, subnet, address, held, device_owner)
        else:
            text = _any(session, network_id, subnet, mac, held)
        if any(text == other for _, other in chosen):
            raise exception.IpAddressAlreadyAllocated(ip=text, subnet_id=subnet.id)
        held.pop(text, None)
        chosen.append((subnet, text))
    return chosen


def _subnet_of(network_id, by_id, subnets, entry: dict) -> models.Subnet:
    subnet_id = entry.get("subnet_id")
    if subnet_id is not None:
        if subnet_id not in by_id:
            raise exception.InvalidInput(
                error_message=f"Failed to create port on network {network_id}, because "
                              f"fixed_ips included invalid subnet {subnet_id}")
        return by_id[subnet_id]
    address = allocator.parse(entry.get("ip_address"), "ip_address")
    for subnet in subnets:
        if subnet_math.contains(ipaddress.ip_network(subnet.cidr), address):
            return subnet
    raise exception.InvalidIpForNetwork(ip_address=entry.get("ip_address"))


def _specific(session, subnet, address, held: dict, device_owner: str) -> str:
    text = str(allocator.parse(address, "ip_address"))
    if held.get(text) == subnet.id:
        return text
    if is_auto(subnet) and device_owner not in ROUTER_OWNERS:
        raise exception.AllocationOnAutoAddressSubnet(ip=address, subnet_id=subnet.id)
    return allocator.check_specific(session, subnet, text)


def _any(session, network_id: str, subnet, mac: str, held: dict) -> str:
    kept = next((ip for ip, subnet_id in held.items() if subnet_id == subnet.id), None)
    if kept is not None:
        return kept
    if is_auto(subnet):
        return subnet_math.eui64(subnet.cidr, mac)
    address = allocator.allocate_any(session, subnet)
    if address is None:
        raise exception.IpAddressGenerationFailure(net_id=network_id)
    return address


def record(session, port_id: str, chosen: list[tuple[models.Subnet, str]],
           held: dict[str, str] | None = None) -> None:
    """Insert the allocations of ``chosen`` the port does not hold yet."""
    for subnet, address in chosen:
        if (held or {}).get(address) != subnet.id:
            allocator.record(session, subnet, port_id, address)


def load(session, port_ids: list[str]) -> dict[str, list[dict]]:
    """Each port's fixed_ips (subnets in creation order), in one query."""
    result: dict[str, list[dict]] = {port_id: [] for port_id in port_ids}
    if not port_ids:
        return result
    rows = session.execute(
        sa.select(models.IPAllocation.port_id, models.IPAllocation.subnet_id,
                  models.IPAllocation.ip_address)
        .join(models.Subnet, models.Subnet.id == models.IPAllocation.subnet_id)
        .where(models.IPAllocation.port_id.in_(port_ids))
        .order_by(models.Subnet.created_at, models.Subnet.id, models.IPAllocation.ip_address))
    for port_id, subnet_id, address in rows:
        result[port_id].append({"subnet_id": subnet_id, "ip_address": address})
    return result


def port_condition(values: list[str]) -> sa.ColumnElement:
    """The ports matching ``fixed_ips`` filters (``ip_address=…``,
    ``subnet_id=…``, ``ip_address_substr=…``): one allocation must match all
    kinds given, any value of each."""
    wanted: dict[str, list[str]] = {}
    for value in values:
        key, sep, text = str(value).partition("=")
        if not sep or key not in ("ip_address", "subnet_id", "ip_address_substr"):
            raise exception.InvalidInput(
                error_message=f"Invalid fixed_ips filter '{value}', expected ip_address=, "
                              "subnet_id= or ip_address_substr=")
        wanted.setdefault(key, []).append(text)
    allocation = models.IPAllocation
    stmt = sa.select(allocation.port_id)
    if "ip_address" in wanted:
        stmt = stmt.where(allocation.ip_address.in_(wanted["ip_address"]))
    if "subnet_id" in wanted:
        stmt = stmt.where(allocation.subnet_id.in_(wanted["subnet_id"]))
    if "ip_address_substr" in wanted:
        stmt = stmt.where(sa.or_(*(allocation.ip_address.contains(text, autoescape=True)
                                   for text in wanted["ip_address_substr"])))
    return models.Port.id.in_(stmt)
