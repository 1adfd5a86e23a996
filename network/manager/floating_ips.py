"""Floating IPs (Neutron's ``router`` floating IPs, ``fip-port-details``
and ``floatingip-pools``).

Visibility: an admin sees every floating IP; anyone else their project's;
any other is FloatingIPNotFound (404).

Creating: ``floating_network_id`` must be a network the caller sees (404),
external (400) with an IPv4 subnet (400). The floating IP's own port
(``network:floatingip``, no project, ``device_id`` the floating IP's id)
takes an IPv4 address of it: ``floating_ip_address`` if asked (409 when
taken), else one of ``subnet_id`` or of any subnet (400
ExternalIpAddressExhausted when it gets none). It goes with the floating IP.

Association (``port_id``, optionally ``fixed_ip_address``; on create or
update): the port must be one the caller sees (404), of the floating IP's
project unless the caller is admin (400), not a DHCP port (400), with that
fixed IPv4 address or exactly one (400); a router must join the address's
subnet to the floating network (404 ExternalGatewayForFloatingIPNotFound),
the one whose interface holds the subnet's gateway IP preferred; that
fixed IP may have no other floating IP on the network (409
FloatingIPPortAlreadyAssociated). ``port_id: null`` disassociates. The
``status`` is ACTIVE while associated and DOWN otherwise, until the network
agent reports what it sees through :meth:`FloatingIPs.set_status`.

The ports API may not delete a floating IP's port (409 ServicePortInUse);
deleting an associated port disassociates its floating IPs (409
FipAssociated for a non-admin when one of them is another project's);
changing an associated port's fixed IPs must keep the associated address
(400). Deleting an external network deletes its unassociated floating IPs.
"""
from __future__ import annotations

import ipaddress

import sqlalchemy as sa
from sqlalchemy import orm

from network import database, exception, models
from network.manager import Caller, fixed_ips, networks, ports, query, router_ports, standard
from network.manager.dataplane import Dataplane

FLOATINGIP = "network:floatingip"
STATUSES = ("ACTIVE", "DOWN", "ERROR")

COLUMNS = {
    "id": models.FloatingIP.id, "project_id": models.FloatingIP.project_id,
    "description": models.FloatingIP.description,
    "floating_ip_address": models.FloatingIP.floating_ip_address,
    "floating_network_id": models.FloatingIP.floating_network_id,
    "router_id": models.FloatingIP.router_id, "port_id": models.FloatingIP.fixed_port_id,
    "fixed_ip_address": models.FloatingIP.fixed_ip_address,
    "status": models.FloatingIP.status, "created_at": models.FloatingIP.created_at,
    "updated_at": models.FloatingIP.updated_at,
    "revision_number": models.FloatingIP.revision_number,
}


def not_found(fip_id: str) -> exception.FloatingIPNotFound:
    return exception.FloatingIPNotFound(floatingip_id=fip_id)


def visible(caller: Caller) -> list:
    return [] if caller.is_admin else [models.FloatingIP.project_id == caller.project_id]


class FloatingIPs:
    listing = query.Listing(models.FloatingIP, COLUMNS, not_found=not_found,
                            resource_type="floatingips")
    not_found = staticmethod(not_found)
    dataplane = Dataplane()  # the service sets the one that tells the agents

    def __init__(self, db, conf, quotas, networks_manager, ports_manager, notifier=None):
        self.db = db
        self.conf = conf
        self.quotas = quotas
        self.networks = networks_manager
        self.ports = ports_manager
        self.notifier = notifier

    # -- reading -----------------------------------------------------------

    def row(self, session, caller: Caller, fip_id: str, lock: bool = False
            ) -> models.FloatingIP:
        stmt = sa.select(models.FloatingIP).where(models.FloatingIP.id == fip_id,
                                                  *visible(caller))
        if lock:
            stmt = stmt.with_for_update()
        fip = session.scalars(stmt).first()
        if fip is None:
            raise not_found(fip_id)
        return fip

    def get(self, caller: Caller, fip_id: str) -> dict:
        with self.db.reader() as session:
            return views(session, [self.row(session, caller, fip_id)])[0]

    def list(self, caller: Caller, list_query: query.ListQuery) -> list[dict]:
        with self.db.reader() as session:
            return views(session, self.listing.rows(session, list_query, visible(caller)))

    def pools(self, caller: Caller) -> list[dict]:
        """``floatingip-pools``: the IPv4 subnets of external networks."""
        with self.db.reader() as session:
            rows = session.scalars(
                sa.select(models.Subnet)
                .join(models.Network, models.Network.id == models.Subnet.network_id)
                .where(models.Network.external, models.Subnet.ip_version == 4)
                .order_by(models.Subnet.created_at, models.Subnet.id))
            return [{"subnet_id": subnet.id, "subnet_name": subnet.name,
                     "network_id": subnet.network_id, "cidr": subnet.cidr,
                     "project_id": caller.project_id} for subnet in rows]

    # -- changing ----------------------------------------------------------

    def create_many(self, caller: Caller, items: list[dict]) -> list[dict]:
        def create(session):
            for project in {item["project_id"] for item in items}:
                count = sum(1 for item in items if item["project_id"] == project)
                self.quotas.check(session, project, "floatingip", count)
            rows = [self._insert(session, caller, item) for item in items]
            session.flush()
            return views(session, rows)
        created = database.write(self.db, create)
        for view in created:
            standard.emit(self.notifier, "floatingip.create.end", {"floatingip": view})
        self.dataplane.changed(routers={view["router_id"] for view in created
                                        if view["router_id"]})
        return created

    def _insert(self, session, caller: Caller, item: dict) -> models.FloatingIP:
        network = self.networks.row(session, caller, item["floating_network_id"])
        if not network.external:
            raise exception.BadRequest(
                resource="floatingip", msg=f"Network {network.id} is not a valid external "
                                           "network")
        if not any(s.ip_version == 4 for s in fixed_ips.network_subnets(session, network.id)):
            raise exception.BadRequest(
                resource="floatingip", msg=f"Network {network.id} does not contain any IPv4 "
                                           "subnet")
        fip_id = standard.new_id()
        address = self._port(session, fip_id, network.id, item)
        fip = standard.create(
            models.FloatingIP, item["project_id"], id=fip_id,
            description=item.get("description", ""), floating_network_id=network.id,
            floating_port_id=address[0], floating_ip_address=address[1], status="DOWN")
        self._associate(session, caller, fip, item)
        session.add(fip)
        session.flush()
        if item.get("tags"):
            standard.set_tags(session, "floatingips", fip.id, item["tags"])
        return fip

    def _port(self, session, fip_id: str, network_id: str, item: dict) -> tuple[str, str]:
        """(port id, IPv4 address) of a new floating IP's own port."""
        entry = {}
        if item.get("subnet_id"):
            entry["subnet_id"] = item["subnet_id"]
        if item.get("floating_ip_address"):
            entry["ip_address"] = item["floating_ip_address"]
        port_item = {"project_id": "", "network_id": network_id, "name": "",
                     "admin_state_up": True, "device_id": fip_id, "device_owner": FLOATINGIP,
                     "security_groups": []}
        if entry:
            port_item["fixed_ips"] = [entry]
        port = self.ports.insert(session, port_item)
        port.status = "N/A"
        held = [address for _, _, address in router_ports.allocations(session, [port.id])
                if ipaddress.ip_address(address).version == 4]
        if not held:
            raise exception.ExternalIpAddressExhausted(net_id=network_id)
        return port.id, held[0]

    def update(self, caller: Caller, fip_id: str, changes: dict,
               revision: int | None = None) -> dict:
        def update(session):
            fip = self.row(session, caller, fip_id, lock=True)
            standard.check_revision(fip, revision)
            before = fip.router_id
            self._associate(session, caller, fip, changes)
            if "description" in changes:
                fip.description = changes["description"]
            standard.touch(fip)
            session.flush()
            return views(session, [fip])[0], before
        view, before = database.write(self.db, update)
        standard.emit(self.notifier, "floatingip.update.end", {"floatingip": view})
        self.dataplane.changed(routers={before, view["router_id"]} - {None})
        return view

    def _associate(self, session, caller: Caller, fip: models.FloatingIP,
                   request: dict) -> None:
        """Apply the association ``request`` asks for (none when it does not
        mention ``port_id``)."""
        if request.get("fixed_ip_address") and not request.get("port_id"):
            raise exception.BadRequest(
                resource="floatingip",
                msg="fixed_ip_address cannot be specified without a port_id")
        if "port_id" not in request:
            return
        port_id, address, router_id = None, None, None
        if request["port_id"]:
            port, subnet_id, address = _internal_address(
                session, caller, fip, request["port_id"], request.get("fixed_ip_address"))
            port_id = port.id
            router_id = _router_for(session, port, subnet_id, fip.floating_network_id)
            _check_unassociated(session, fip, port_id, address)
        if (port_id, address) != (fip.fixed_port_id, fip.fixed_ip_address):
            fip.status = "ACTIVE" if port_id else "DOWN"
        fip.fixed_port_id, fip.fixed_ip_address, fip.router_id = port_id, address, router_id

    def set_status(self, fip_id: str, status: str) -> dict:
        """Record the status the network agent sees (ACTIVE, DOWN, ERROR)."""
        if status not in STATUSES:
            raise exception.InvalidInput(error_message=f"Unsupported floating IP state: "
                                                       f"{status}")

        def change(session):
            fip = session.get(models.FloatingIP, fip_id)
            if fip is None:
                raise not_found(fip_id)
            if fip.status != status:
                fip.status = status
                standard.touch(fip)
            session.flush()
            return views(session, [fip])[0]
        view = self.db.write(change)
        standard.emit(self.notifier, "floatingip.update.end", {"floatingip": view})
        return view

    def delete(self, caller: Caller, fip_id: str, revision: int | None = None) -> None:
        def delete(session):
            fip = self.row(session, caller, fip_id, lock=True)
            standard.check_revision(fip, revision)
            view = views(session, [fip])[0]
            _remove(session, [fip])
            return view
        view = database.write(self.db, delete)
        standard.emit(self.notifier, "floatingip.delete.end",
                      {"floatingip_id": fip_id, "floatingip": view})
        self.dataplane.changed(routers={view["router_id"]} - {None})


def views(session, rows: list[models.FloatingIP]) -> list[dict]:
    tags = standard.load_tags(session, "floatingips", [row.id for row in rows])
    port_ids = [row.fixed_port_id for row in rows if row.fixed_port_id]
    fixed = {port.id: port for port in session.scalars(
        sa.select(models.Port).where(models.Port.id.in_(port_ids)))} if port_ids else {}
    return [_view(row, tags[row.id], fixed.get(row.fixed_port_id)) for row in rows]


def _view(row: models.FloatingIP, tags: list[str], port: models.Port | None) -> dict:
    body = standard.view(row, tags, name=False)
    body.update({
        "floating_ip_address": row.floating_ip_address,
        "floating_network_id": row.floating_network_id, "router_id": row.router_id,
        "port_id": row.fixed_port_id, "fixed_ip_address": row.fixed_ip_address,
        "status": row.status, "port_details": None if port is None else {
            "name": port.name, "network_id": port.network_id,
            "mac_address": port.mac_address, "admin_state_up": port.admin_state_up,
            "status": port.status, "device_id": port.device_id,
            "device_owner": port.device_owner},
    })
    return body


def _internal_address(session, caller: Caller, fip: models.FloatingIP, port_id: str,
                      fixed: str | None) -> tuple[models.Port, str, str]:
    """(port, subnet id, IPv4 address) a floating IP would be associated with."""
    port = session.scalars(sa.select(models.Port).where(
        models.Port.id == port_id, *ports.visible(caller))).first()
    if port is None:
        raise exception.PortNotFound(port_id=port_id)
    if port.project_id != fip.project_id and not caller.is_admin:
        raise _bad(f"Cannot process floating IP association with Port {port_id}, since that "
                   "port is owned by a different project")
    if port.device_owner == "network:dhcp":
        raise _bad(f"Port {port.id} is unable to be assigned a floating IP")
    held = [(subnet_id, address) for _, subnet_id, address in
            router_ports.allocations(session, [port.id])]
    if fixed:
        wanted = ipaddress.ip_address(fixed)
        if wanted.version != 4:
            raise _bad(f"Cannot process floating IP association with {fixed}, since that is "
                       "not an IPv4 address")
        match = [(s, a) for s, a in held if ipaddress.ip_address(a) == wanted]
        if not match:
            raise _bad(f"Port {port.id} does not have fixed ip {fixed}")
        return port, match[0][0], match[0][1]
    ipv4 = [(s, a) for s, a in held if ipaddress.ip_address(a).version == 4]
    if not ipv4:
        raise _bad(f"Cannot add floating IP to port {port.id} that has no fixed IPv4 "
                   "addresses")
    if len(ipv4) > 1:
        raise _bad(f"Port {port.id} has multiple fixed IPv4 addresses.  Must provide a "
                   "specific IPv4 address when assigning a floating IP")
    return port, ipv4[0][0], ipv4[0][1]


def _router_for(session, port: models.Port, subnet_id: str, external_network_id: str) -> str:
    """The router joining ``subnet_id`` to the external network: the one
    whose interface holds the subnet's gateway IP, else the oldest."""
    interface = orm.aliased(models.Port)
    gateway = orm.aliased(models.Port)
    allocation = models.IPAllocation
    rows = session.execute(
        sa.select(models.Router.id, allocation.ip_address)
        .join(models.RouterPort, models.RouterPort.router_id == models.Router.id)
        .join(interface, interface.id == models.RouterPort.port_id)
        .join(allocation, allocation.port_id == interface.id)
        .join(gateway, gateway.id == models.Router.gw_port_id)
        .where(models.RouterPort.port_type == router_ports.INTERFACE,
               interface.network_id == port.network_id, allocation.subnet_id == subnet_id,
               gateway.network_id == external_network_id)
        .order_by(models.Router.created_at, models.Router.id)).all()
    if not rows:
        raise exception.ExternalGatewayForFloatingIPNotFound(
            subnet_id=subnet_id, external_network_id=external_network_id, port_id=port.id)
    gateway_ip = session.get(models.Subnet, subnet_id).gateway_ip
    for router_id, address in rows:
        if address == gateway_ip:
            return router_id
    return rows[0][0]


def _check_unassociated(session, fip: models.FloatingIP, port_id: str, address: str) -> None:
    other = session.scalars(sa.select(models.FloatingIP).where(
        models.FloatingIP.floating_network_id == fip.floating_network_id,
        models.FloatingIP.fixed_port_id == port_id,
        models.FloatingIP.fixed_ip_address == address,
        models.FloatingIP.id != fip.id)).first()
    if other is not None:
        raise exception.FloatingIPPortAlreadyAssociated(
            port_id=port_id, fip_id=other.id, floating_ip_address=other.floating_ip_address,
            fixed_ip=address, net_id=fip.floating_network_id)


def _bad(message: str) -> exception.BadRequest:
    return exception.BadRequest(resource="floatingip", msg=message)


def _remove(session, fips: list[models.FloatingIP]) -> None:
    """Delete floating IPs with their own ports."""
    if not fips:
        return
    ids = [fip.id for fip in fips]
    port_ids = [fip.floating_port_id for fip in fips]
    standard.delete_tags(session, "floatingips", ids)
    session.execute(sa.delete(models.FloatingIP).where(models.FloatingIP.id.in_(ids)))
    ports.delete_rows(session, port_ids)


# -- hooks on ports and networks ---------------------------------------------

def _before_port_delete(session, caller: Caller, port: models.Port):
    if port.device_owner == FLOATINGIP and session.execute(sa.select(models.FloatingIP.id).where(
            models.FloatingIP.floating_port_id == port.id)).first() is not None:
        raise exception.ServicePortInUse(port_id=port.id,
                                         reason=f"has device owner {port.device_owner}")
    fips = list(session.scalars(sa.select(models.FloatingIP).where(
        models.FloatingIP.fixed_port_id == port.id)))
    if not fips:
        return None
    if not caller.is_admin and any(fip.project_id != caller.project_id for fip in fips):
        raise exception.FipAssociated(port_id=port.id)
    routers = sorted({fip.router_id for fip in fips if fip.router_id})
    for fip in fips:
        fip.fixed_port_id, fip.fixed_ip_address, fip.router_id = None, None, None
        fip.status = "DOWN"
        standard.touch(fip)
    session.flush()
    changed = views(session, fips)

    def announce(port_manager) -> None:
        for view in changed:
            standard.emit(port_manager.notifier, "floatingip.update.end", {"floatingip": view})
        port_manager.dataplane.changed(routers=routers)
    return announce


def _before_port_update(session, caller: Caller, port: models.Port, changes: dict) -> None:
    if "fixed_ips" not in changes:
        return
    kept = set()
    for entry in changes["fixed_ips"] or []:
        try:
            kept.add(ipaddress.ip_address(entry.get("ip_address")))
        except ValueError:
            continue
    associated = session.scalars(sa.select(models.FloatingIP.fixed_ip_address).where(
        models.FloatingIP.fixed_port_id == port.id))
    if any(ipaddress.ip_address(address) not in kept for address in associated if address):
        raise exception.BadRequest(
            resource="port", msg=f"Cannot update the fixed_ips of the port {port.id}, because "
                                 "its original fixed_ip has been associated to a floating ip")


def _before_network_delete(session, network: models.Network) -> None:
    _remove(session, list(session.scalars(sa.select(models.FloatingIP).where(
        models.FloatingIP.floating_network_id == network.id,
        models.FloatingIP.fixed_port_id.is_(None)))))


ports.BEFORE_DELETE.append(_before_port_delete)
ports.BEFORE_UPDATE.append(_before_port_update)
networks.BEFORE_DELETE.append(_before_network_delete)
