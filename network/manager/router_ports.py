"""The ports a router owns, and the rules about them that several router
operations share.

A router's ports are ``router_port`` rows (port, router, type: its device
owner, ``network:router_interface`` or ``network:router_gateway``); the port
itself carries the router's id as ``device_id``. While its router exists
such a port cannot be deleted through the ports API (409
ServicePortInUse): the router's own operations create and remove it. A
network with gateway ports cannot stop being external (409
ExternalNetworkInUse).

A router reaches the subnets of its interfaces and every subnet of its
gateway's network; a new subnet may not be one of them nor overlap one
(400), and a static route's next hop must be on one of them without being
an address of the router itself (400 InvalidRoutes).
"""
from __future__ import annotations

import ipaddress

import sqlalchemy as sa

from network import exception, models
from network.manager import Caller, networks, ports

INTERFACE = "network:router_interface"
GATEWAY = "network:router_gateway"
OWNERS = (INTERFACE, GATEWAY)


def ports_of(session, router_ids: list[str], port_type: str | None = None
             ) -> list[models.Port]:
    """The ports of the routers ``router_ids`` (of one type if given), oldest first."""
    if not router_ids:
        return []
    stmt = (sa.select(models.Port)
            .join(models.RouterPort, models.RouterPort.port_id == models.Port.id)
            .where(models.RouterPort.router_id.in_(router_ids)))
    if port_type is not None:
        stmt = stmt.where(models.RouterPort.port_type == port_type)
    return list(session.scalars(stmt.order_by(models.Port.created_at, models.Port.id)))


def create(session, port_manager: ports.Ports, router: models.Router, network_id: str,
           owner: str, project_id: str, fixed_ips: list[dict] | None = None
           ) -> models.Port:
    """A new port of ``router`` on ``network_id`` (its addresses as a port
    POST would choose them, or ``fixed_ips``), in no security group."""
    item = {"project_id": project_id, "network_id": network_id, "name": "",
            "admin_state_up": True, "device_id": router.id, "device_owner": owner,
            "security_groups": []}
    if fixed_ips is not None:
        item["fixed_ips"] = fixed_ips
    port = port_manager.insert(session, item)
    session.add(models.RouterPort(port_id=port.id, router_id=router.id, port_type=owner))
    session.flush()
    return port


def remove(session, port_ids: list[str]) -> None:
    """Delete router ports (their ``router_port`` rows first)."""
    if port_ids:
        session.execute(sa.delete(models.RouterPort).where(
            models.RouterPort.port_id.in_(port_ids)))
        ports.delete_rows(session, port_ids)


def allocations(session, port_ids: list[str]) -> list[tuple[str, str, str]]:
    """(port id, subnet id, address) of every address the ports hold."""
    if not port_ids:
        return []
    return list(session.execute(
        sa.select(models.IPAllocation.port_id, models.IPAllocation.subnet_id,
                  models.IPAllocation.ip_address)
        .where(models.IPAllocation.port_id.in_(port_ids))).all())


def reached_subnets(session, router: models.Router) -> list[models.Subnet]:
    """The subnets of the router's interfaces and of its gateway's network."""
    held = allocations(session, [port.id for port in ports_of(session, [router.id])])
    subnet_ids = {subnet_id for _, subnet_id, _ in held}
    condition = models.Subnet.id.in_(sorted(subnet_ids)) if subnet_ids else sa.false()
    if router.gw_port_id:
        gateway = session.get(models.Port, router.gw_port_id)
        condition = sa.or_(condition, models.Subnet.network_id == gateway.network_id)
    return list(session.scalars(sa.select(models.Subnet).where(condition)
                                .order_by(models.Subnet.created_at, models.Subnet.id)))


def check_new_subnets(session, router: models.Router, new: list[models.Subnet]) -> None:
    """400 unless ``new`` subnets are neither on the router already nor
    overlap a subnet it reaches."""
    held = allocations(session, [port.id for port in ports_of(session, [router.id])])
    on_router = {subnet_id for _, subnet_id, _ in held}
    for subnet in new:
        if subnet.id in on_router:
            raise exception.BadRequest(
                resource="router", msg=f"Router already has a port on subnet {subnet.id}")
    for existing in reached_subnets(session, router):
        for subnet in new:
            if existing.id != subnet.id and ipaddress.ip_network(existing.cidr).overlaps(
                    ipaddress.ip_network(subnet.cidr)):
                raise exception.BadRequest(
                    resource="router",
                    msg=f"Cidr {subnet.cidr} of subnet {subnet.id} overlaps with cidr "
                        f"{existing.cidr} of subnet {existing.id}")


def check_routes(session, router: models.Router, routes: list[dict]) -> None:
    """InvalidRoutes (400) unless every next hop is on a subnet the router
    reaches and is not one of the router's own addresses."""
    if not routes:
        return
    networks = [ipaddress.ip_network(subnet.cidr)
                for subnet in reached_subnets(session, router)]
    own = {address for _, _, address in allocations(
        session, [port.id for port in ports_of(session, [router.id])])}
    for route in routes:
        nexthop = ipaddress.ip_address(route["nexthop"])
        if not any(nexthop.version == net.version and nexthop in net for net in networks):
            raise exception.InvalidRoutes(routes=routes,
                                          reason="the nexthop is not connected with router")
        if str(nexthop) in own:
            raise exception.InvalidRoutes(routes=routes, reason="the nexthop is used by router")


def guard_port_delete(session, caller: Caller, port: models.Port):
    """ports.BEFORE_DELETE: a router's port goes only with its router's operations."""
    if port.device_owner not in OWNERS:
        return None
    owned = session.get(models.RouterPort, port.id)
    if owned is not None:
        raise exception.ServicePortInUse(port_id=port.id,
                                         reason=f"has device owner {port.device_owner}")
    return None


def guard_external(session, network: models.Network, changes: dict) -> None:
    """networks.BEFORE_UPDATE: routers' gateways keep their network external."""
    if changes.get("router:external") is False and network.external:
        gateway = session.execute(sa.select(models.Port.id).where(
            models.Port.network_id == network.id,
            models.Port.device_owner == GATEWAY).limit(1)).first()
        if gateway is not None:
            raise exception.ExternalNetworkInUse(net_id=network.id)


ports.BEFORE_DELETE.append(guard_port_delete)
networks.BEFORE_UPDATE.append(guard_external)
