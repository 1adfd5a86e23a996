"""Ports: a MAC and addresses on a network, bound to a host once a
compute node plugs them.

Visibility: an admin sees every port; anyone else their project's ports and
the ports on networks they own.

Creating a port is one write transaction of a few statements (network,
quota, subnets, address candidates, inserts); listing loads fixed IPs,
security groups, tags and networks for a whole page in one query each.
``status`` starts ``DOWN``; the network agent reports ``ACTIVE`` through
:meth:`Ports.set_status`. A port bound to a host (``binding:host_id``) has
``binding:vif_type`` ``bridge``, otherwise ``unbound``.

Resources that own ports (routers, floating IPs) create and remove them
inside their own transactions with :meth:`Ports.insert`,
:meth:`Ports.change_ips` and :func:`delete_rows`, and guard the ports API
through :data:`BEFORE_UPDATE` and :data:`BEFORE_DELETE`.
"""
from __future__ import annotations

import ipaddress
from collections.abc import Callable

import sqlalchemy as sa

from network import database, exception, models, security_groups
from network.ipam import allocator, mac
from network.manager import Caller, fixed_ips, networks, query, standard
from network.manager.dataplane import Dataplane

STATUSES = ("ACTIVE", "DOWN", "BUILD", "ERROR")
BOUND_VIF_TYPE = "bridge"
BOUND_VIF_DETAILS = {"port_filter": True, "connectivity": "l2"}
ADMIN = Caller(None, True)

# Other resources' rules about the ports API, run inside its write
# transaction: ``fn(session, caller, port_row, changes)`` before a PUT
# changes a port, ``fn(session, caller, port_row)`` before a DELETE removes
# one; either may raise to refuse. A BEFORE_DELETE hook may return a
# function, called with the ports manager once the deletion committed, to
# announce its own changes (notifications, dataplane).
BEFORE_UPDATE: list[Callable] = []
BEFORE_DELETE: list[Callable] = []

COLUMNS = {
    "id": models.Port.id, "name": models.Port.name, "project_id": models.Port.project_id,
    "description": models.Port.description, "network_id": models.Port.network_id,
    "mac_address": models.Port.mac_address, "admin_state_up": models.Port.admin_state_up,
    "status": models.Port.status, "device_id": models.Port.device_id,
    "device_owner": models.Port.device_owner,
    "port_security_enabled": models.Port.port_security_enabled,
    "binding:host_id": models.Port.binding_host_id,
    "binding:vnic_type": models.Port.binding_vnic_type,
    "created_at": models.Port.created_at, "updated_at": models.Port.updated_at,
    "revision_number": models.Port.revision_number,
}
SIMPLE = {"name": "name", "description": "description", "admin_state_up": "admin_state_up",
          "device_id": "device_id", "device_owner": "device_owner",
          "binding:vnic_type": "binding_vnic_type", "binding:profile": "binding_profile"}


def not_found(port_id: str) -> exception.PortNotFound:
    return exception.PortNotFound(port_id=port_id)


def visible(caller: Caller) -> list:
    if caller.is_admin:
        return []
    owned = sa.select(models.Network.id).where(models.Network.project_id == caller.project_id)
    return [sa.or_(models.Port.project_id == caller.project_id,
                   models.Port.network_id.in_(owned))]


def _security_group_filter(values: list) -> sa.ColumnElement:
    member = sa.select(models.PortSecurityGroup.port_id).where(
        models.PortSecurityGroup.security_group_id.in_(values))
    return models.Port.id.in_(member)


class Ports:
    listing = query.Listing(models.Port, COLUMNS, not_found=not_found, resource_type="ports",
                            special={"fixed_ips": fixed_ips.port_condition,
                                     "security_groups": _security_group_filter})
    not_found = staticmethod(not_found)
    dataplane = Dataplane()  # the service sets the one that tells the agents

    def __init__(self, db, conf, quotas, networks_manager, notifier=None):
        self.db = db
        self.conf = conf
        self.quotas = quotas
        self.networks = networks_manager
        self.notifier = notifier

    # -- reading -----------------------------------------------------------

    def row(self, session, caller: Caller, port_id: str) -> models.Port:
        port = session.scalars(sa.select(models.Port).where(
            models.Port.id == port_id, *visible(caller))).first()
        if port is None:
            raise not_found(port_id)
        return port

    def get(self, caller: Caller, port_id: str) -> dict:
        with self.db.reader() as session:
            return self.views(session, [self.row(session, caller, port_id)])[0]

    def list(self, caller: Caller, list_query: query.ListQuery) -> list[dict]:
        with self.db.reader() as session:
            return self.views(session, self.listing.rows(session, list_query,
                                                         visible(caller)))

    def views(self, session, rows: list[models.Port], parents: dict | None = None
              ) -> list[dict]:
        ids = [row.id for row in rows]
        ips = fixed_ips.load(session, ids)
        groups = _load_groups(session, ids)
        tags = standard.load_tags(session, "ports", ids)
        if parents is None:
            network_ids = {row.network_id for row in rows}
            parents = {net.id: net for net in session.scalars(
                sa.select(models.Network).where(models.Network.id.in_(network_ids)))} \
                if network_ids else {}
        return [_view(row, ips[row.id], groups[row.id], tags[row.id], parents[row.network_id])
                for row in rows]

    # -- creating ----------------------------------------------------------

    def create_many(self, caller: Caller, items: list[dict]) -> list[dict]:
        def create(session):
            for project in {item["project_id"] for item in items}:
                count = sum(1 for item in items if item["project_id"] == project)
                self.quotas.check(session, project, "port", count)
            created = [self._insert(session, caller, item) for item in items]
            session.flush()
            return [_view(row, ips, groups, sorted(set(item.get("tags") or [])), network)
                    for row, ips, groups, item, network in created]
        views = database.write(self.db, create)
        for view in views:
            standard.emit(self.notifier, "port.create.end", {"port": view})
        self._changed(views)
        return views

    def _insert(self, session, caller: Caller, item: dict):
        network = self.networks.row(session, caller, item["network_id"])
        address = self._mac(session, network.id, item.get("mac_address"))
        port = standard.create(
            models.Port, item["project_id"], name=item.get("name", ""),
            description=item.get("description", ""), network_id=network.id,
            mac_address=address, admin_state_up=item.get("admin_state_up", True),
            status="DOWN", device_id=item.get("device_id", ""),
            device_owner=item.get("device_owner", ""),
            port_security_enabled=item.get("port_security_enabled",
                                           network.port_security_enabled),
            binding_vnic_type=item.get("binding:vnic_type", "normal"),
            binding_profile=item.get("binding:profile") or {},
            extra_dhcp_opts=_dhcp_opts(item.get("extra_dhcp_opts") or []))
        _bind(port, item.get("binding:host_id", ""))
        port.allowed_address_pairs = self._pairs(port, item.get("allowed_address_pairs") or [])
        subnets = fixed_ips.network_subnets(session, network.id)
        if "fixed_ips" in item:
            chosen = fixed_ips.requested(session, network.id, subnets, item["fixed_ips"] or [],
                                         address, port.device_owner)
        else:
            chosen = fixed_ips.default(session, network.id, subnets, address,
                                       port.device_owner)
        groups = security_groups.for_new_port(session, port.project_id,
                                              item.get("security_groups"),
                                              port.port_security_enabled,
                                              port.device_owner, caller.is_admin)
        session.add(port)
        session.flush()
        fixed_ips.record(session, port.id, chosen)
        _store_groups(session, port.id, groups, replace=False)
        if item.get("tags"):
            standard.set_tags(session, "ports", port.id, item["tags"])
        ordered = sorted(chosen, key=lambda pair: (pair[0].created_at, pair[0].id, pair[1]))
        ips = [{"subnet_id": subnet.id, "ip_address": ip} for subnet, ip in ordered]
        return port, ips, groups, item, network

    def _mac(self, session, network_id: str, requested: str | None) -> str:
        if requested is None:
            return mac.generate(self.conf.network.base_mac)
        address = mac.normalize(requested)
        taken = session.execute(sa.select(models.Port.id).where(
            models.Port.network_id == network_id, models.Port.mac_address == address)).first()
        if taken is not None:
            raise exception.MacAddressInUse(net_id=network_id, mac=address)
        return address

    def _pairs(self, port: models.Port, pairs: list[dict]) -> list[dict]:
        limit = self.conf.network.max_allowed_address_pair
        if len(pairs) > limit:
            raise exception.AllowedAddressPairExhausted(quota=limit)
        if pairs and not port.port_security_enabled:
            raise exception.AddressPairAndPortSecurityRequired()
        result = []
        for pair in pairs:
            entry = {"ip_address": _pair_address(pair.get("ip_address")),
                     "mac_address": mac.normalize(pair["mac_address"]) if pair.get(
                         "mac_address") else port.mac_address}
            if entry in result:
                raise exception.DuplicateAddressPairInRequest(**entry)
            result.append(entry)
        return result

    # -- changing ----------------------------------------------------------

    def update(self, caller: Caller, port_id: str, changes: dict,
               revision: int | None = None) -> dict:
        def update(session):
            port = self.row(session, caller, port_id)
            standard.check_revision(port, revision)
            for hook in BEFORE_UPDATE:
                hook(session, caller, port, changes)
            groups_before = _load_groups(session, [port_id])[port_id]
            self._apply(session, port, changes)
            standard.touch(port)
            session.flush()
            return self.views(session, [port])[0], groups_before
        view, groups_before = database.write(self.db, update)
        standard.emit(self.notifier, "port.update.end", {"port": view})
        self._changed([view], groups_before)
        return view

    def _apply(self, session, port: models.Port, changes: dict) -> None:
        if "mac_address" in changes:
            address = mac.normalize(changes["mac_address"])
            if address != port.mac_address:
                if port.binding_vif_type not in ("unbound", ""):
                    raise exception.InUse(
                        f"Unable to complete operation on port {port.id}, port is already "
                        f"bound, port type: {port.binding_vif_type}")
                port.mac_address = self._mac(session, port.network_id, address)
        for name, column in SIMPLE.items():
            if name in changes:
                setattr(port, column, changes[name] if changes[name] is not None else
                        ({} if name == "binding:profile" else ""))
        if "port_security_enabled" in changes:
            port.port_security_enabled = changes["port_security_enabled"]
        if "binding:host_id" in changes:
            _bind(port, changes["binding:host_id"] or "")
        if "extra_dhcp_opts" in changes:
            port.extra_dhcp_opts = _dhcp_opts(changes["extra_dhcp_opts"] or [])
        if "allowed_address_pairs" in changes or "port_security_enabled" in changes:
            pairs = changes.get("allowed_address_pairs", port.allowed_address_pairs)
            port.allowed_address_pairs = self._pairs(port, pairs or [])
        if "fixed_ips" in changes:
            self._change_ips(session, port, changes["fixed_ips"] or [])
        if "security_groups" in changes or "port_security_enabled" in changes:
            groups = changes.get("security_groups")
            if groups is None:
                groups = _load_groups(session, [port.id])[port.id]
            groups = security_groups.check(session, port.project_id, groups,
                                           port.port_security_enabled)
            _store_groups(session, port.id, groups)

    def _change_ips(self, session, port: models.Port, entries: list[dict]) -> None:
        held = dict(session.execute(sa.select(models.IPAllocation.ip_address,
                                              models.IPAllocation.subnet_id).where(
            models.IPAllocation.port_id == port.id)).all())
        subnets = fixed_ips.network_subnets(session, port.network_id)
        chosen = fixed_ips.requested(session, port.network_id, subnets, entries,
                                     port.mac_address, port.device_owner, held)
        keep = {ip for _, ip in chosen}
        released = [ip for ip in held if ip not in keep]
        if released:
            session.execute(sa.delete(models.IPAllocation).where(
                models.IPAllocation.port_id == port.id,
                models.IPAllocation.ip_address.in_(released)))
        fixed_ips.record(session, port.id, chosen, held)

    def set_status(self, port_id: str, status: str) -> dict:
        """Record the status the network agent sees (ACTIVE, DOWN, BUILD, ERROR)."""
        if status not in STATUSES:
            raise exception.InvalidInput(error_message=f"Unsupported port state: {status}")

        def change(session):
            port = session.get(models.Port, port_id)
            if port is None:
                raise not_found(port_id)
            if port.status != status:
                port.status = status
                standard.touch(port)
            session.flush()
            return self.views(session, [port])[0]
        view = self.db.write(change)
        standard.emit(self.notifier, "port.update.end", {"port": view})
        return view

    def delete(self, caller: Caller, port_id: str, revision: int | None = None) -> None:
        def delete(session):
            port = self.row(session, caller, port_id)
            standard.check_revision(port, revision)
            announce = [hook(session, caller, port) for hook in BEFORE_DELETE]
            view = self.views(session, [port])[0]
            delete_rows(session, [port_id])
            return view, announce
        view, announce = self.db.write(delete)
        standard.emit(self.notifier, "port.delete.end", {"port_id": port_id, "port": view})
        for after in announce:
            if after is not None:
                after(self)
        self._changed([view])

    def _changed(self, views: list[dict], more_groups: list[str] = ()) -> None:
        """Tell the agents: the ports, their networks' DHCP servers, and the
        filters that name their groups as remote groups."""
        self.dataplane.changed(
            networks={view["network_id"] for view in views},
            ports=[view["id"] for view in views],
            security_groups={group for view in views for group in view["security_groups"]}
            | set(more_groups))

    # -- for the managers of resources owning ports --------------------------

    def insert(self, session, item: dict) -> models.Port:
        """Create the port ``item`` (shaped like a parsed POST body, with
        ``project_id``) inside the caller's transaction, for a resource that
        owns it: no policy, quota or notification, any network."""
        port = self._insert(session, ADMIN, item)[0]
        session.flush()
        return port

    def change_ips(self, session, port: models.Port, entries: list[dict]) -> None:
        """Give ``port`` the ``fixed_ips`` ``entries`` ask for (as a PUT
        would), inside the caller's transaction."""
        self._change_ips(session, port, entries)
        standard.touch(port)


def delete_rows(session, port_ids: list[str]) -> None:
    """Remove the ports ``port_ids`` with their addresses, security group
    memberships and tags (no hook, no notification)."""
    if not port_ids:
        return
    for model in (models.IPAllocation, models.PortSecurityGroup):
        session.execute(sa.delete(model).where(model.port_id.in_(port_ids)))
    standard.delete_tags(session, "ports", port_ids)
    session.execute(sa.delete(models.Port).where(models.Port.id.in_(port_ids)))


def _view(row: models.Port, ips: list[dict], groups: list[str], tags: list[str],
          network: models.Network) -> dict:
    body = standard.view(row, tags)
    body.update({
        "network_id": row.network_id, "mac_address": row.mac_address,
        "admin_state_up": row.admin_state_up, "status": row.status,
        "device_id": row.device_id, "device_owner": row.device_owner,
        "fixed_ips": ips,
        "allowed_address_pairs": [dict(pair) for pair in row.allowed_address_pairs],
        "extra_dhcp_opts": [dict(opt) for opt in row.extra_dhcp_opts],
        "security_groups": groups, "port_security_enabled": row.port_security_enabled,
        "binding:host_id": row.binding_host_id, "binding:vnic_type": row.binding_vnic_type,
        "binding:profile": dict(row.binding_profile or {}),
        "binding:vif_type": row.binding_vif_type,
        "binding:vif_details": dict(row.binding_vif_details or {}),
        "_policy": {**networks.parent_fields(network), "device_owner": row.device_owner},
    })
    return body


def _bind(port: models.Port, host: str) -> None:
    port.binding_host_id = host
    port.binding_vif_type = BOUND_VIF_TYPE if host else "unbound"
    port.binding_vif_details = dict(BOUND_VIF_DETAILS) if host else {}


def _pair_address(value) -> str:
    """``value`` as given, once it is known to be an address or a CIDR."""
    try:
        if "/" in str(value):
            ipaddress.ip_network(value, strict=False)
        else:
            allocator.parse(value, "allowed_address_pairs")
        return str(value)
    except ValueError:
        raise exception.HTTPBadRequest(
            msg=f"Invalid input for allowed_address_pairs. Reason: '{value}' is not a valid "
                "IP address.")


def _dhcp_opts(opts: list[dict]) -> list[dict]:
    result = []
    for opt in opts:
        version = opt.get("ip_version", 4)
        if version not in (4, 6, "4", "6"):
            raise exception.InvalidInput(error_message=f"Invalid ip_version in {opt}")
        result.append({"opt_name": opt["opt_name"], "opt_value": opt.get("opt_value"),
                       "ip_version": int(version)})
    return result


def _load_groups(session, port_ids: list[str]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {port_id: [] for port_id in port_ids}
    if port_ids:
        for port_id, group in session.execute(
                sa.select(models.PortSecurityGroup.port_id,
                          models.PortSecurityGroup.security_group_id)
                .where(models.PortSecurityGroup.port_id.in_(port_ids))
                .order_by(models.PortSecurityGroup.security_group_id)):
            groups[port_id].append(group)
    return groups


def _store_groups(session, port_id: str, groups: list[str], replace: bool = True) -> None:
    if replace:
        session.execute(sa.delete(models.PortSecurityGroup).where(
            models.PortSecurityGroup.port_id == port_id))
    for group in groups:
        session.add(models.PortSecurityGroup(port_id=port_id, security_group_id=group))
