"""Routers (Neutron's ``router``, ``ext-gw-mode``, ``extraroute``,
``extraroute-atomic`` and ``router_availability_zone``).

Visibility: an admin sees every router; anyone else their project's; any
other is RouterNotFound (404). ``status`` is ACTIVE.

Gateway: ``external_gateway_info`` ``{network_id, enable_snat,
external_fixed_ips}`` names an external network (400 otherwise; 404 if the
caller cannot see it). Setting it gives the router a gateway port there
(``network:router_gateway``, no project, as in Neutron) holding an address
of each IP version, or the ``external_fixed_ips`` asked for; ``enable_snat``
is true unless given. Moving or clearing the gateway (``{}`` or null)
removes that port, refused (409 RouterExternalGatewayInUseByFloatingIp)
while floating IPs go through it; the same network with other
``external_fixed_ips`` changes the port's addresses.

``routes`` (set by PUT, or added and removed with ``add_extraroutes`` and
``remove_extraroutes``) are checked against the router's subnets after any
gateway change in the same request; at most :data:`MAX_ROUTES`.

A router with interfaces cannot be deleted (409 RouterInUse); its gateway
port goes with it. Interfaces are :mod:`network.manager.router_interfaces`.
Every change is one write transaction with the router row locked, announced
(``router.create.end``, ``router.update.end``, ``router.delete.end``,
``router.interface.create``, ``router.interface.delete``) once committed.
"""
from __future__ import annotations

import sqlalchemy as sa

from network import database, exception, models
from network.manager import (
    Caller,
    fixed_ips,
    query,
    router_interfaces,
    router_ports,
    router_state,
    standard,
)
from network.manager.dataplane import Dataplane

MAX_ROUTES = 30

COLUMNS = {
    "id": models.Router.id, "name": models.Router.name,
    "project_id": models.Router.project_id, "description": models.Router.description,
    "admin_state_up": models.Router.admin_state_up, "status": models.Router.status,
    "created_at": models.Router.created_at, "updated_at": models.Router.updated_at,
    "revision_number": models.Router.revision_number,
}
SIMPLE = ("name", "description", "admin_state_up")


def not_found(router_id: str) -> exception.RouterNotFound:
    return exception.RouterNotFound(router_id=router_id)


def visible(caller: Caller) -> list:
    return [] if caller.is_admin else [models.Router.project_id == caller.project_id]


class Routers:
    listing = query.Listing(models.Router, COLUMNS, not_found=not_found,
                            resource_type="routers")
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

    def row(self, session, caller: Caller, router_id: str, lock: bool = False
            ) -> models.Router:
        stmt = sa.select(models.Router).where(models.Router.id == router_id,
                                              *visible(caller))
        if lock:
            stmt = stmt.with_for_update()
        router = session.scalars(stmt).first()
        if router is None:
            raise not_found(router_id)
        return router

    def get(self, caller: Caller, router_id: str) -> dict:
        with self.db.reader() as session:
            return self.views(session, [self.row(session, caller, router_id)])[0]

    def list(self, caller: Caller, list_query: query.ListQuery) -> list[dict]:
        with self.db.reader() as session:
            return self.views(session, self.listing.rows(session, list_query,
                                                         visible(caller)))

    def views(self, session, rows: list[models.Router]) -> list[dict]:
        tags = standard.load_tags(session, "routers", [row.id for row in rows])
        gateway_ids = [row.gw_port_id for row in rows if row.gw_port_id]
        networks = dict(session.execute(sa.select(models.Port.id, models.Port.network_id)
                                        .where(models.Port.id.in_(gateway_ids))).all()) \
            if gateway_ids else {}
        ips = fixed_ips.load(session, gateway_ids)
        zone = self.conf.network.availability_zone
        views = []
        for row in rows:
            gateway = None
            if row.gw_port_id:
                gateway = {"network_id": networks[row.gw_port_id],
                           "external_fixed_ips": ips[row.gw_port_id],
                           "enable_snat": row.enable_snat}
            views.append(_view(row, gateway, tags[row.id], zone))
        return views

    # -- creating ----------------------------------------------------------

    def create_many(self, caller: Caller, items: list[dict]) -> list[dict]:
        for item in items:
            self._check_zones(item.get("availability_zone_hints") or [])

        def create(session):
            for project in {item["project_id"] for item in items}:
                count = sum(1 for item in items if item["project_id"] == project)
                self.quotas.check(session, project, "router", count)
            rows = [self._insert(session, caller, item) for item in items]
            session.flush()
            return self.views(session, rows)
        views = database.write(self.db, create)
        for view in views:
            standard.emit(self.notifier, "router.create.end", {"router": view})
        self.dataplane.changed(routers=[view["id"] for view in views])
        return views

    def _insert(self, session, caller: Caller, item: dict) -> models.Router:
        row = standard.create(
            models.Router, item["project_id"], name=item.get("name", ""),
            description=item.get("description", ""),
            admin_state_up=item.get("admin_state_up", True), status="ACTIVE",
            enable_snat=True, routes=[],
            availability_zone_hints=item.get("availability_zone_hints") or [])
        session.add(row)
        session.flush()
        if item.get("tags"):
            standard.set_tags(session, "routers", row.id, item["tags"])
        if item.get("external_gateway_info"):
            self._set_gateway(session, caller, row, item["external_gateway_info"])
        return row

    # -- changing ----------------------------------------------------------

    def update(self, caller: Caller, router_id: str, changes: dict,
               revision: int | None = None) -> dict:
        def update(session):
            return self._change(session, caller, router_id, changes, revision)
        view = database.write(self.db, update)
        standard.emit(self.notifier, "router.update.end", {"router": view})
        self.dataplane.changed(routers=[router_id])
        return view

    def add_routes(self, caller: Caller, router_id: str, routes: list[dict]) -> dict:
        """Add ``routes`` to the router's (``add_extraroutes``); routes it
        has already are kept once."""
        return self._edit_routes(caller, router_id, lambda old: _merge(old, routes))

    def remove_routes(self, caller: Caller, router_id: str, routes: list[dict]) -> dict:
        """Remove ``routes`` from the router's (``remove_extraroutes``);
        routes it does not have are ignored."""
        return self._edit_routes(caller, router_id,
                                 lambda old: [r for r in old if r not in routes])

    def _edit_routes(self, caller: Caller, router_id: str, edit) -> dict:
        def change(session):
            router = self.row(session, caller, router_id, lock=True)
            return self._change(session, caller, router_id,
                                {"routes": edit([dict(r) for r in router.routes])}, None)
        view = database.write(self.db, change)
        standard.emit(self.notifier, "router.update.end", {"router": view})
        self.dataplane.changed(routers=[router_id])
        return view

    def _change(self, session, caller: Caller, router_id: str, changes: dict,
                revision: int | None) -> dict:
        router = self.row(session, caller, router_id, lock=True)
        standard.check_revision(router, revision)
        if "external_gateway_info" in changes:
            self._set_gateway(session, caller, router, changes["external_gateway_info"])
        if "routes" in changes:
            routes = changes["routes"] or []
            if len(routes) > MAX_ROUTES:
                raise exception.RoutesExhausted(router_id=router.id, quota=MAX_ROUTES)
            router.routes = routes
        for name in SIMPLE:
            if name in changes:
                setattr(router, name, changes[name])
        router_ports.check_routes(session, router, router.routes)
        standard.touch(router)
        session.flush()
        return self.views(session, [router])[0]

    def _set_gateway(self, session, caller: Caller, router: models.Router,
                     info: dict | None) -> None:
        info = info or {}
        network_id = info.get("network_id")
        wanted = info.get("external_fixed_ips") or []
        current = session.get(models.Port, router.gw_port_id) if router.gw_port_id else None
        network = None
        if network_id:
            network = self.networks.row(session, caller, network_id)
            _check_external(session, network, wanted)
        router.enable_snat = info.get("enable_snat", True)
        if current is not None and network is not None and current.network_id == network.id:
            if wanted and _addresses_change(session, current, wanted):
                self.ports.change_ips(session, current, wanted)
            return
        if current is not None:
            _check_no_floating_ips(session, router, current.network_id)
            router.gw_port_id = None
            router_ports.remove(session, [current.id])
        if network is not None:
            router_ports.check_new_subnets(session, router,
                                           fixed_ips.network_subnets(session, network.id))
            port = router_ports.create(session, self.ports, router, network.id,
                                       router_ports.GATEWAY, "", wanted or None)
            router.gw_port_id = port.id

    def delete(self, caller: Caller, router_id: str, revision: int | None = None) -> None:
        def delete(session):
            router = self.row(session, caller, router_id, lock=True)
            standard.check_revision(router, revision)
            attached = router_ports.ports_of(session, [router.id], router_ports.INTERFACE)
            if attached:
                raise exception.RouterInUse(
                    router_id=router.id, reason="has ports still attached: " +
                    ", ".join(port.id for port in attached))
            view = self.views(session, [router])[0]
            if router.gw_port_id:
                gateway = session.get(models.Port, router.gw_port_id)
                _check_no_floating_ips(session, router, gateway.network_id)
                router.gw_port_id = None
            router_ports.remove(session, [p.id for p in router_ports.ports_of(session,
                                                                              [router.id])])
            standard.delete_tags(session, "routers", [router.id])
            session.delete(router)
            return view
        view = database.write(self.db, delete)
        standard.emit(self.notifier, "router.delete.end", {"router_id": router_id,
                                                           "router": view})
        self.dataplane.changed(routers=[router_id])

    # -- interfaces ----------------------------------------------------------

    def add_interface(self, caller: Caller, router_id: str, info: dict) -> dict:
        """Attach a subnet or a port (``info``: ``subnet_id`` or ``port_id``);
        the interface info Neutron answers with."""
        def add(session):
            router = self.row(session, caller, router_id, lock=True)
            result = router_interfaces.add(session, caller, self.ports, router, info)
            standard.touch(router)
            return result
        result = database.write(self.db, add)
        standard.emit(self.notifier, "router.interface.create", {"router_interface": result})
        self._interface_changed(result)
        return result

    def remove_interface(self, caller: Caller, router_id: str, info: dict) -> dict:
        """Detach a subnet or a port; the interface info Neutron answers with."""
        def remove(session):
            router = self.row(session, caller, router_id, lock=True)
            result = router_interfaces.remove(session, caller, self.ports, router, info)
            standard.touch(router)
            return result
        result = database.write(self.db, remove)
        standard.emit(self.notifier, "router.interface.delete", {"router_interface": result})
        self._interface_changed(result)
        return result

    def _interface_changed(self, info: dict) -> None:
        """The router, and the network whose DHCP server stops or starts
        serving the metadata proxy as the subnet becomes routed or isolated."""
        self.dataplane.changed(routers=[info["id"]], networks=[info["network_id"]],
                               ports=[info["port_id"]])

    # -- for the network agents (through the RPC layer) ---------------------

    def router_state(self, router_id: str) -> dict | None:
        """One router as an agent builds it (see :mod:`.router_state`);
        None when it does not exist."""
        with self.db.reader() as session:
            router = session.get(models.Router, router_id)
            return router_state.states(session, [router])[0] if router else None

    def routers_for_host(self, host: str | None = None) -> list[dict]:
        """The routers an agent runs, as :meth:`router_state` gives them:
        every router that is administratively up. There is no L3 scheduler:
        ``host`` is for the RPC contract, which decides which hosts run
        routers."""
        with self.db.reader() as session:
            return router_state.for_agents(session)

    # -- checks ------------------------------------------------------------

    def _check_zones(self, hints: list[str]) -> None:
        for zone in hints:
            if zone != self.conf.network.availability_zone:
                raise exception.AvailabilityZoneNotFound(availability_zone=zone)


def _view(row: models.Router, gateway: dict | None, tags: list[str], zone: str) -> dict:
    body = standard.view(row, tags)
    body.update({
        "admin_state_up": row.admin_state_up, "status": row.status,
        "external_gateway_info": gateway,
        "routes": [dict(route) for route in row.routes],
        "availability_zone_hints": list(row.availability_zone_hints or []),
        "availability_zones": [zone],
    })
    return body


def _check_external(session, network: models.Network, wanted: list[dict]) -> None:
    if not network.external:
        raise exception.BadRequest(resource="router",
                                   msg=f"Network {network.id} is not an external network")
    gateways = {subnet.gateway_ip for subnet in fixed_ips.network_subnets(session, network.id)
                if subnet.gateway_ip}
    for entry in wanted:
        if entry.get("ip_address") in gateways:
            raise exception.BadRequest(
                resource="router",
                msg=f"External IP {entry['ip_address']} is the same as the gateway IP")


def _addresses_change(session, port: models.Port, wanted: list[dict]) -> bool:
    """Whether ``wanted`` asks for other subnets or addresses than the
    port's (entries without a subnet or an address say nothing of it)."""
    held = router_ports.allocations(session, [port.id])
    subnets = {entry["subnet_id"] for entry in wanted if entry.get("subnet_id")}
    if subnets != {subnet_id for _, subnet_id, _ in held}:
        return True
    addresses = {entry["ip_address"] for entry in wanted if entry.get("ip_address")}
    return addresses != {address for _, _, address in held}


def _check_no_floating_ips(session, router: models.Router, network_id: str) -> None:
    used = session.execute(sa.select(models.FloatingIP.id).where(
        models.FloatingIP.router_id == router.id).limit(1)).first()
    if used is not None:
        raise exception.RouterExternalGatewayInUseByFloatingIp(router_id=router.id,
                                                               net_id=network_id)


def _merge(old: list[dict], added: list[dict]) -> list[dict]:
    result = list(old)
    for route in added:
        if route not in result:
            result.append(route)
    return result
