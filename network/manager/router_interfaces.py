"""Router interfaces: what ``add_router_interface`` and
``remove_router_interface`` do inside the router's write transaction.

Adding a subnet (``subnet_id``): the caller must see it (404) and, unless
admin, own it (400); it needs a gateway IP (400), may not be an IPv6 subnet
taking RAs from an outside router (400), nor be on the router already or
overlap a subnet the router reaches (400). The router gets a port in its
own project on the subnet's network holding the gateway IP (409
IpAddressAlreadyAllocated when another port holds it); an IPv6 subnet of a
network where the router has an IPv6 interface already adds its address to
that port instead (one IPv6 port per network, as in Neutron).

Adding a port (``port_id``): the caller must see it (404); it must be free
(409 PortInUse when it has a ``device_id``), have fixed IPs (400), at most
one IPv4 subnet (400), subnets that pass the same checks, and, for a
non-admin, addresses inside the allocation pools of subnets they do not
own (400). It becomes ``network:router_interface`` of the router.

Removing by port (optionally with a ``subnet_id`` that must be one of the
port's: 400 SubnetMismatchForPort) or by subnet: 404
RouterInterfaceNotFound / RouterInterfaceNotFoundForSubnet; 409 while a
floating IP (RouterInterfaceInUseByFloatingIP) or a static route
(RouterInterfaceInUseByRoute) needs the subnet. The port goes, or only
loses that subnet's address when it has others.

Both answer Neutron's interface info: ``{id (the router), tenant_id,
project_id, port_id, network_id, subnet_id, subnet_ids}``.
"""
from __future__ import annotations

import ipaddress

import sqlalchemy as sa

from network import exception, models
from network.manager import Caller, ports, router_ports, standard
from network.manager import subnets as subnet_rules

INTERFACE = router_ports.INTERFACE


def add(session, caller: Caller, port_manager: ports.Ports, router: models.Router,
        info: dict) -> dict:
    if info.get("port_id"):
        port, subnets = _add_port(session, caller, router, info["port_id"])
    else:
        port, subnets = _add_subnet(session, caller, port_manager, router, info["subnet_id"])
    return _info(router, port, subnets[-1].id, [subnet.id for subnet in subnets])


def remove(session, caller: Caller, port_manager: ports.Ports, router: models.Router,
           info: dict) -> dict:
    if info.get("port_id"):
        port = _interface(session, router, info["port_id"])
        subnets = _port_subnets(session, port)
        if info.get("subnet_id") and info["subnet_id"] not in {s.id for s in subnets}:
            raise exception.SubnetMismatchForPort(port_id=port.id, subnet_id=info["subnet_id"])
        for subnet in subnets:
            _check_unused(session, router, subnet)
        result = _info(router, port, subnets[0].id if subnets else None,
                       [subnet.id for subnet in subnets])
        router_ports.remove(session, [port.id])
        return result
    subnet = _visible_subnet(session, caller, info["subnet_id"])
    for port in router_ports.ports_of(session, [router.id], INTERFACE):
        if port.network_id != subnet.network_id:
            continue
        held = router_ports.allocations(session, [port.id])
        if subnet.id not in {subnet_id for _, subnet_id, _ in held}:
            continue
        _check_unused(session, router, subnet)
        result = _info(router, port, subnet.id, [subnet.id])
        rest = [{"subnet_id": subnet_id, "ip_address": address}
                for _, subnet_id, address in held if subnet_id != subnet.id]
        if rest:
            port_manager.change_ips(session, port, rest)
        else:
            router_ports.remove(session, [port.id])
        return result
    raise exception.RouterInterfaceNotFoundForSubnet(router_id=router.id, subnet_id=subnet.id)


# -- adding ------------------------------------------------------------------

def _add_subnet(session, caller: Caller, port_manager: ports.Ports, router: models.Router,
                subnet_id: str) -> tuple[models.Port, list[models.Subnet]]:
    subnet = _visible_subnet(session, caller, subnet_id)
    if not subnet.gateway_ip:
        raise exception.BadRequest(resource="router",
                                   msg="Subnet for router interface must have a gateway IP")
    if subnet.project_id != caller.project_id and not caller.is_admin:
        raise exception.BadRequest(
            resource="router", msg=f"Cannot add interface to router because subnet "
                                   f"{subnet.id} is not owned by project making the request")
    _check_address_mode(subnet)
    router_ports.check_new_subnets(session, router, [subnet])
    entry = {"subnet_id": subnet.id, "ip_address": subnet.gateway_ip}
    if subnet.ip_version == 6:
        port = _ipv6_interface(session, router, subnet.network_id)
        if port is not None:
            held = [{"subnet_id": subnet_id, "ip_address": address}
                    for _, subnet_id, address in router_ports.allocations(session, [port.id])]
            port_manager.change_ips(session, port, held + [entry])
            return port, [subnet]
    port = router_ports.create(session, port_manager, router, subnet.network_id, INTERFACE,
                               router.project_id, [entry])
    return port, [subnet]


def _add_port(session, caller: Caller, router: models.Router, port_id: str
              ) -> tuple[models.Port, list[models.Subnet]]:
    port = session.scalars(sa.select(models.Port).where(
        models.Port.id == port_id, *ports.visible(caller))).first()
    if port is None:
        raise exception.PortNotFound(port_id=port_id)
    if port.device_id:
        raise exception.PortInUse(port_id=port.id, net_id=port.network_id,
                                  device_id=port.device_id)
    subnets = _port_subnets(session, port)
    if not subnets:
        raise exception.BadRequest(resource="router",
                                   msg="Router port must have at least one fixed IP")
    for subnet in subnets:
        _check_address_mode(subnet)
    if any(subnet.ip_version == 6 for subnet in subnets):
        other = _ipv6_interface(session, router, port.network_id)
        if other is not None:
            raise exception.BadRequest(
                resource="router",
                msg=f"Router already contains IPv6 port {other.id} belonging to network id "
                    f"{other.network_id}. Only one IPv6 port from the same network subnet "
                    "can be connected to a router.")
    router_ports.check_new_subnets(session, router, subnets)
    if sum(1 for subnet in subnets if subnet.ip_version == 4) > 1:
        raise exception.BadRequest(resource="router",
                                   msg="Cannot have multiple IPv4 subnets on router port")
    if not caller.is_admin:
        _check_in_pools(session, caller, port, subnets)
    port.device_id = router.id
    port.device_owner = INTERFACE
    standard.touch(port)
    session.add(models.RouterPort(port_id=port.id, router_id=router.id, port_type=INTERFACE))
    session.flush()
    return port, subnets


def _check_address_mode(subnet: models.Subnet) -> None:
    if subnet.ip_version == 6 and subnet.ipv6_ra_mode is None and \
            subnet.ipv6_address_mode is not None:
        raise exception.BadRequest(
            resource="router", msg=f"IPv6 subnet {subnet.id} configured to receive RAs from "
                                   "an external router cannot be added to Neutron Router.")


def _check_in_pools(session, caller: Caller, port: models.Port,
                    subnets: list[models.Subnet]) -> None:
    by_id = {subnet.id: subnet for subnet in subnets}
    for _, subnet_id, address in router_ports.allocations(session, [port.id]):
        subnet = by_id[subnet_id]
        if subnet.project_id == caller.project_id:
            continue
        ip = ipaddress.ip_address(address)
        if not any(ipaddress.ip_address(pool["start"]) <= ip <= ipaddress.ip_address(pool["end"])
                   for pool in subnet.allocation_pools):
            raise exception.BadRequest(
                resource="router",
                msg=f"Cannot add interface to router because specified port {port.id} has an "
                    f"IP address out of the allocation pool of subnet {subnet.id}, which is "
                    "not owned by the project making the request")


def _ipv6_interface(session, router: models.Router, network_id: str) -> models.Port | None:
    """The router's interface on ``network_id`` holding an IPv6 address, if any."""
    for port in router_ports.ports_of(session, [router.id], INTERFACE):
        if port.network_id != network_id:
            continue
        held = router_ports.allocations(session, [port.id])
        if any(ipaddress.ip_address(address).version == 6 for _, _, address in held):
            return port
    return None


# -- removing ----------------------------------------------------------------

def _interface(session, router: models.Router, port_id: str) -> models.Port:
    for port in router_ports.ports_of(session, [router.id], INTERFACE):
        if port.id == port_id:
            return port
    raise exception.RouterInterfaceNotFound(router_id=router.id, port_id=port_id)


def _check_unused(session, router: models.Router, subnet: models.Subnet) -> None:
    """409 while a floating IP or a static route of the router needs ``subnet``."""
    fip = models.FloatingIP
    allocation = models.IPAllocation
    used = session.execute(
        sa.select(fip.id).join(allocation, sa.and_(
            allocation.port_id == fip.fixed_port_id,
            allocation.ip_address == fip.fixed_ip_address))
        .where(fip.router_id == router.id, allocation.subnet_id == subnet.id)
        .limit(1)).first()
    if used is not None:
        raise exception.RouterInterfaceInUseByFloatingIP(router_id=router.id,
                                                         subnet_id=subnet.id)
    net = ipaddress.ip_network(subnet.cidr)
    for route in router.routes:
        nexthop = ipaddress.ip_address(route["nexthop"])
        if nexthop.version == net.version and nexthop in net:
            raise exception.RouterInterfaceInUseByRoute(router_id=router.id,
                                                         subnet_id=subnet.id)


# -- shared ------------------------------------------------------------------

def _visible_subnet(session, caller: Caller, subnet_id: str) -> models.Subnet:
    subnet = session.scalars(sa.select(models.Subnet).where(
        models.Subnet.id == subnet_id, *subnet_rules.visible(caller))).first()
    if subnet is None:
        raise exception.SubnetNotFound(subnet_id=subnet_id)
    return subnet


def _port_subnets(session, port: models.Port) -> list[models.Subnet]:
    ids = list(dict.fromkeys(subnet_id for _, subnet_id, _ in
                             router_ports.allocations(session, [port.id])))
    if not ids:
        return []
    rows = {subnet.id: subnet for subnet in session.scalars(
        sa.select(models.Subnet).where(models.Subnet.id.in_(ids)))}
    return sorted((rows[i] for i in ids), key=lambda s: (s.created_at, s.id))


def _info(router: models.Router, port: models.Port, subnet_id: str | None,
          subnet_ids: list[str]) -> dict:
    return {"id": router.id, "tenant_id": port.project_id, "project_id": port.project_id,
            "port_id": port.id, "network_id": port.network_id, "subnet_id": subnet_id,
            "subnet_ids": subnet_ids}
