"""What a network agent needs to build routers: each router as a plain dict
in the shape of ``network/agent/model.py``'s ``Router``::

    {"id", "project_id", "admin_state_up", "enable_snat",
     "routes": [{"destination", "nexthop"}],
     "interfaces": [router port], "gateway": router port or None,
     "floating_ips": [{"id", "floating_ip_address", "fixed_ip_address"}]}

    router port = {"port": {"id", "network_id", "mac_address", "device_owner",
                            "fixed_ips": [{"subnet_id", "ip_address"}]},
                   "network": {"id", "provider:network_type",
                               "provider:segmentation_id",
                               "provider:physical_network", "mtu"},
                   "subnets": [{"id", "network_id", "cidr", "ip_version",
                                "gateway_ip", "enable_dhcp", "dns_nameservers",
                                "host_routes", "routed", "ipv6_ra_mode",
                                "ipv6_address_mode"}]}

Interfaces and subnets come oldest first; only interfaces holding an
address are listed; floating IPs are the router's associated ones. The
agent's model ignores the keys it does not know (``project_id``,
``admin_state_up``), and ``vxlan_peers`` is the RPC layer's to add.
Everything is read in one transaction with a fixed number of queries,
however many routers. :func:`for_agents` is the ``routers`` builder
:class:`network.manager.host_state.HostState` takes.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from network import models
from network.manager import fixed_ips, router_ports


def for_agents(session, router_ids: Sequence[str] | None = None) -> list[dict]:
    """The routers agents run, among ``router_ids`` (all when None), oldest
    first; a router administratively down is run without forwarding. A
    router named but not returned is gone: its agent removes it."""
    stmt = sa.select(models.Router)
    if router_ids is not None:
        if not router_ids:
            return []
        stmt = stmt.where(models.Router.id.in_(list(router_ids)))
    rows = session.scalars(stmt.order_by(models.Router.created_at, models.Router.id))
    return states(session, list(rows))


def states(session, routers: list[models.Router]) -> list[dict]:
    """The agent's view of ``routers``, in their order."""
    ids = [router.id for router in routers]
    owned = router_ports.ports_of(session, ids)
    owner = dict(session.execute(sa.select(models.RouterPort.port_id,
                                           models.RouterPort.router_id)
                                 .where(models.RouterPort.router_id.in_(ids))).all()) \
        if ids else {}
    ips = fixed_ips.load(session, [port.id for port in owned])
    subnets = _subnets(session, {ip["subnet_id"] for held in ips.values() for ip in held})
    networks = _networks(session, {port.network_id for port in owned})
    fips = _floating_ips(session, ids)
    interfaces: dict[str, list[dict]] = {router_id: [] for router_id in ids}
    gateways: dict[str, dict] = {}
    for port in owned:
        if not ips[port.id]:
            continue
        entry = _router_port(port, ips[port.id], networks[port.network_id], subnets)
        if port.device_owner == router_ports.GATEWAY:
            gateways[owner[port.id]] = entry
        else:
            interfaces[owner[port.id]].append(entry)
    return [{"id": router.id, "project_id": router.project_id,
             "admin_state_up": router.admin_state_up,
             "enable_snat": router.enable_snat,
             "routes": [dict(route) for route in router.routes],
             "interfaces": interfaces[router.id],
             "gateway": gateways.get(router.id) if router.gw_port_id else None,
             "floating_ips": fips.get(router.id, [])} for router in routers]


def _router_port(port: models.Port, ips: list[dict], network: models.Network,
                 subnets: dict[str, models.Subnet]) -> dict:
    held = list(dict.fromkeys(ip["subnet_id"] for ip in ips))
    return {
        "port": {"id": port.id, "network_id": port.network_id,
                 "mac_address": port.mac_address, "device_owner": port.device_owner,
                 "fixed_ips": [dict(ip) for ip in ips]},
        "network": {"id": network.id, "provider:network_type": network.network_type,
                    "provider:segmentation_id": network.segmentation_id,
                    "provider:physical_network": network.physical_network,
                    "mtu": network.mtu},
        "subnets": [_subnet(subnets[subnet_id]) for subnet_id in held],
    }


def _subnet(subnet: models.Subnet) -> dict:
    return {"id": subnet.id, "network_id": subnet.network_id, "cidr": subnet.cidr,
            "ip_version": subnet.ip_version, "gateway_ip": subnet.gateway_ip,
            "enable_dhcp": subnet.enable_dhcp,
            "dns_nameservers": list(subnet.dns_nameservers),
            "host_routes": [dict(route) for route in subnet.host_routes], "routed": True,
            "ipv6_ra_mode": subnet.ipv6_ra_mode,
            "ipv6_address_mode": subnet.ipv6_address_mode}


def _subnets(session, subnet_ids: set[str]) -> dict[str, models.Subnet]:
    if not subnet_ids:
        return {}
    return {subnet.id: subnet for subnet in session.scalars(
        sa.select(models.Subnet).where(models.Subnet.id.in_(sorted(subnet_ids))))}


def _networks(session, network_ids: set[str]) -> dict[str, models.Network]:
    if not network_ids:
        return {}
    return {network.id: network for network in session.scalars(
        sa.select(models.Network).where(models.Network.id.in_(sorted(network_ids))))}


def _floating_ips(session, router_ids: list[str]) -> dict[str, list[dict]]:
    result: dict[str, list[dict]] = {}
    if not router_ids:
        return result
    fip = models.FloatingIP
    rows = session.execute(
        sa.select(fip.router_id, fip.id, fip.floating_ip_address, fip.fixed_ip_address)
        .where(fip.router_id.in_(router_ids), fip.fixed_ip_address.is_not(None))
        .order_by(fip.created_at, fip.id))
    for router_id, fip_id, floating, fixed in rows:
        result.setdefault(router_id, []).append(
            {"id": fip_id, "floating_ip_address": floating, "fixed_ip_address": fixed})
    return result
