"""Networks: creation with a segment and MTU, visibility, changes, deletion.

Visibility: an admin sees every network; anyone else sees their project's,
shared and external ones; any other is :class:`NetworkNotFound` (404).

Deletion refuses (409 NetworkInUse) while ports other than those whose
``device_owner`` is in :data:`AUTO_DELETE_OWNERS` (the DHCP port) remain;
those, the subnets and their addresses go with the network. A later resource
that must clean up first (unassociated floating IPs on an external network)
adds a function to :data:`BEFORE_DELETE`, called as ``fn(session,
network_row)`` inside the deleting transaction before the check for ports
in use (so the ports it removes do not count), or adds its owner to
:data:`AUTO_DELETE_OWNERS`. One that constrains changes (no longer external
while routers use it) adds ``fn(session, network_row, changes)`` to
:data:`BEFORE_UPDATE`, called before a change applies.
"""
from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from network import database, exception, models
from network.manager import Caller, query, segments, standard
from network.manager.dataplane import Dataplane

AUTO_DELETE_OWNERS = {"network:dhcp"}
BEFORE_DELETE: list[Callable] = []
BEFORE_UPDATE: list[Callable] = []
IN_USE = "There are one or more ports still in use on the network"

COLUMNS = {
    "id": models.Network.id, "name": models.Network.name,
    "project_id": models.Network.project_id, "description": models.Network.description,
    "admin_state_up": models.Network.admin_state_up, "status": models.Network.status,
    "shared": models.Network.shared, "router:external": models.Network.external,
    "is_default": models.Network.is_default, "mtu": models.Network.mtu,
    "port_security_enabled": models.Network.port_security_enabled,
    "provider:network_type": models.Network.network_type,
    "provider:physical_network": models.Network.physical_network,
    "provider:segmentation_id": models.Network.segmentation_id,
    "created_at": models.Network.created_at, "updated_at": models.Network.updated_at,
    "revision_number": models.Network.revision_number,
}

UPDATABLE = {"name": "name", "description": "description",
             "admin_state_up": "admin_state_up", "shared": "shared",
             "router:external": "external", "is_default": "is_default",
             "port_security_enabled": "port_security_enabled"}
PROVIDER = {"provider:network_type": "network_type",
            "provider:physical_network": "physical_network",
            "provider:segmentation_id": "segmentation_id"}


def not_found(network_id: str) -> exception.NetworkNotFound:
    return exception.NetworkNotFound(net_id=network_id)


def visible(caller: Caller) -> list:
    """SQL conditions selecting the networks ``caller`` sees."""
    if caller.is_admin:
        return []
    network = models.Network
    return [sa.or_(network.project_id == caller.project_id, network.shared,
                   network.external)]


class Networks:
    listing = query.Listing(models.Network, COLUMNS, not_found=not_found,
                            resource_type="networks")
    dataplane = Dataplane()  # the service sets the one that tells the agents

    def __init__(self, db, conf, quotas, notifier=None):
        self.db = db
        self.conf = conf
        self.quotas = quotas
        self.notifier = notifier

    not_found = staticmethod(not_found)

    # -- reading -----------------------------------------------------------

    def row(self, session, caller: Caller, network_id: str, lock: bool = False
            ) -> models.Network:
        """The network if ``caller`` sees it (locked for the transaction when
        ``lock``); NetworkNotFound otherwise."""
        stmt = sa.select(models.Network).where(models.Network.id == network_id,
                                               *visible(caller))
        if lock:
            stmt = stmt.with_for_update()
        network = session.scalars(stmt).first()
        if network is None:
            raise not_found(network_id)
        return network

    def get(self, caller: Caller, network_id: str) -> dict:
        with self.db.reader() as session:
            return self.views(session, [self.row(session, caller, network_id)])[0]

    def policy_target(self, caller: Caller, network_id: str) -> dict:
        """The ``network:*`` fields a child resource's policy target needs."""
        with self.db.reader() as session:
            return parent_fields(self.row(session, caller, network_id))

    def list(self, caller: Caller, list_query: query.ListQuery) -> list[dict]:
        with self.db.reader() as session:
            rows = self.listing.rows(session, list_query, visible(caller))
            return self.views(session, rows)

    def views(self, session, rows: list[models.Network]) -> list[dict]:
        ids = [row.id for row in rows]
        tags = standard.load_tags(session, "networks", ids)
        subnets: dict[str, list[str]] = {network_id: [] for network_id in ids}
        if ids:
            for network_id, subnet_id in session.execute(
                    sa.select(models.Subnet.network_id, models.Subnet.id)
                    .where(models.Subnet.network_id.in_(ids))
                    .order_by(models.Subnet.created_at, models.Subnet.id)):
                subnets[network_id].append(subnet_id)
        return [self._view(row, subnets[row.id], tags[row.id]) for row in rows]

    def _view(self, row: models.Network, subnets: list[str], tags: list[str]) -> dict:
        body = standard.view(row, tags)
        body.update({
            "admin_state_up": row.admin_state_up, "mtu": row.mtu, "status": row.status,
            "subnets": subnets, "shared": row.shared,
            "availability_zone_hints": list(row.availability_zone_hints or []),
            "availability_zones": [self.conf.network.availability_zone],
            "ipv4_address_scope": None, "ipv6_address_scope": None,
            "router:external": row.external, "port_security_enabled":
                row.port_security_enabled,
            "is_default": row.is_default, "l2_adjacency": True,
            "provider:network_type": row.network_type,
            "provider:physical_network": row.physical_network,
            "provider:segmentation_id": row.segmentation_id,
            "_policy": {"shared": row.shared, "router:external": row.external},
        })
        return body

    # -- changing ----------------------------------------------------------

    def create_many(self, caller: Caller, items: list[dict]) -> list[dict]:
        """Create ``items`` (parsed POST bodies) in one transaction."""
        wanted = [segments.requested(item) for item in items]
        for item in items:
            self._check_zones(item.get("availability_zone_hints") or [])

        def create(session):
            for project in {item["project_id"] for item in items}:
                count = sum(1 for item in items if item["project_id"] == project)
                self.quotas.check(session, project, "network", count)
            rows = [self._insert(session, item, segment)
                    for item, segment in zip(items, wanted, strict=True)]
            session.flush()
            return self.views(session, rows)
        views = database.write(self.db, create)
        for view in views:
            standard.emit(self.notifier, "network.create.end", {"network": view})
        return views

    def _insert(self, session, item: dict, wanted) -> models.Network:
        segment = segments.allocate(session, self.conf, wanted)
        if item.get("is_default"):
            self._check_single_default(session, None)
        row = standard.create(
            models.Network, item["project_id"], name=item.get("name", ""),
            description=item.get("description", ""),
            admin_state_up=item.get("admin_state_up", True), status="ACTIVE",
            shared=item.get("shared", False), external=item.get("router:external", False),
            is_default=item.get("is_default", False),
            port_security_enabled=item.get("port_security_enabled", True),
            mtu=segments.choose_mtu(self.conf, segment.network_type, item.get("mtu")),
            network_type=segment.network_type, physical_network=segment.physical_network,
            segmentation_id=segment.segmentation_id, segment_key=segment.key,
            availability_zone_hints=item.get("availability_zone_hints") or [])
        session.add(row)
        if item.get("tags"):
            standard.set_tags(session, "networks", row.id, item["tags"])
        return row

    def update(self, caller: Caller, network_id: str, changes: dict,
               revision: int | None = None) -> dict:
        def update(session):
            row = self.row(session, caller, network_id, lock=True)
            standard.check_revision(row, revision)
            self._check_provider_unchanged(row, changes)
            for hook in BEFORE_UPDATE:
                hook(session, row, changes)
            if changes.get("shared") is False and row.shared:
                self._check_unshare(session, row)
            if changes.get("is_default") and not row.is_default:
                self._check_single_default(session, row.id)
            for name, column in UPDATABLE.items():
                if name in changes:
                    setattr(row, column, changes[name])
            if "mtu" in changes:
                row.mtu = segments.choose_mtu(self.conf, row.network_type, changes["mtu"])
            standard.touch(row)
            session.flush()
            return self.views(session, [row])[0]
        view = self.db.write(update)
        standard.emit(self.notifier, "network.update.end", {"network": view})
        self.dataplane.changed(networks=[network_id])
        return view

    def delete(self, caller: Caller, network_id: str, revision: int | None = None) -> None:
        def delete(session):
            row = self.row(session, caller, network_id, lock=True)
            standard.check_revision(row, revision)
            view = self.views(session, [row])[0]
            for hook in BEFORE_DELETE:
                hook(session, row)
            busy = session.execute(sa.select(models.Port.id).where(
                models.Port.network_id == network_id,
                models.Port.device_owner.not_in(AUTO_DELETE_OWNERS)).limit(1)).first()
            if busy is not None:
                raise exception.NetworkInUse(net_id=network_id, reason=IN_USE)
            self._delete_children(session, network_id)
            session.delete(row)
            return view
        view = self.db.write(delete)
        standard.emit(self.notifier, "network.delete.end",
                      {"network_id": network_id, "network": view})
        self.dataplane.changed(networks=[network_id])

    def _delete_children(self, session, network_id: str) -> None:
        ports = session.scalars(sa.select(models.Port.id).where(
            models.Port.network_id == network_id)).all()
        subnets = session.scalars(sa.select(models.Subnet.id).where(
            models.Subnet.network_id == network_id)).all()
        standard.delete_tags(session, "ports", ports)
        standard.delete_tags(session, "subnets", subnets)
        standard.delete_tags(session, "networks", [network_id])
        for model in (models.IPAllocation, models.Port, models.Subnet):
            session.execute(sa.delete(model).where(model.network_id == network_id))

    # -- checks ------------------------------------------------------------

    def _check_zones(self, hints: list[str]) -> None:
        for zone in hints:
            if zone != self.conf.network.availability_zone:
                raise exception.AvailabilityZoneNotFound(availability_zone=zone)

    @staticmethod
    def _check_provider_unchanged(row: models.Network, changes: dict) -> None:
        for name, column in PROVIDER.items():
            if name in changes and changes[name] != getattr(row, column):
                raise exception.InvalidInput(
                    error_message="Plugin does not support updating provider attributes")

    @staticmethod
    def _check_unshare(session, row: models.Network) -> None:
        for model in (models.Port, models.Subnet):
            stmt = sa.select(model.id).where(model.network_id == row.id,
                                             model.project_id != row.project_id)
            if model is models.Port:
                stmt = stmt.where(sa.not_(models.Port.device_owner.startswith("network:")))
            if session.execute(stmt.limit(1)).first() is not None:
                raise exception.InvalidSharedSetting(network=row.id)

    @staticmethod
    def _check_single_default(session, network_id: str | None) -> None:
        other = session.scalars(sa.select(models.Network.id).where(
            models.Network.is_default, models.Network.id != (network_id or ""))).first()
        if other is not None:
            raise exception.Conflict(
                msg=f"Unable to set this network as the default: default external network "
                    f"{other} already exists")


def parent_fields(network: models.Network) -> dict:
    """The network's fields a subnet's or port's policy target carries."""
    return {"network:project_id": network.project_id, "network:tenant_id": network.project_id,
            "network_id": network.id, "shared": network.shared,
            "router:external": network.external}
