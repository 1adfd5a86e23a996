"""Subnet pools: prefixes subnets are carved from.

Visibility: an admin sees every pool, anyone else their project's and shared
ones (others are 404 SubnetPoolNotFound). Prefix bounds default to /8../32
(IPv4) and /64../128 (IPv6), with ``default_prefixlen`` = ``min_prefixlen``;
at most one pool per IP version is ``is_default``. A pool's prefixes may grow
(PUT, ``add_prefixes``) but lose only unallocated space
(``remove_prefixes``); a pool with subnets is not deleted (409).

:meth:`SubnetPools.allocate` gives a subnet its CIDR inside the subnet's
creating transaction, holding the pool's row lock so concurrent allocations
from one pool are serialized and never overlap.
"""
from __future__ import annotations

import ipaddress

import sqlalchemy as sa

from network import exception, models
from network.ipam import prefixes as prefix_math
from network.manager import Caller, query, standard

BOUNDS = {4: (8, 32), 6: (64, 128)}

COLUMNS = {
    "id": models.SubnetPool.id, "name": models.SubnetPool.name,
    "project_id": models.SubnetPool.project_id,
    "description": models.SubnetPool.description,
    "ip_version": models.SubnetPool.ip_version,
    "default_prefixlen": models.SubnetPool.default_prefixlen,
    "min_prefixlen": models.SubnetPool.min_prefixlen,
    "max_prefixlen": models.SubnetPool.max_prefixlen,
    "shared": models.SubnetPool.shared, "is_default": models.SubnetPool.is_default,
    "default_quota": models.SubnetPool.default_quota,
    "created_at": models.SubnetPool.created_at, "updated_at": models.SubnetPool.updated_at,
    "revision_number": models.SubnetPool.revision_number,
}


def not_found(pool_id: str) -> exception.SubnetPoolNotFound:
    return exception.SubnetPoolNotFound(subnetpool_id=pool_id)


def visible(caller: Caller) -> list:
    if caller.is_admin:
        return []
    pool = models.SubnetPool
    return [sa.or_(pool.project_id == caller.project_id, pool.shared)]


def _no_scope_filter(values: list) -> sa.ColumnElement:
    return sa.true() if None in values or "" in values else sa.false()


class SubnetPools:
    listing = query.Listing(models.SubnetPool, COLUMNS, not_found=not_found,
                            resource_type="subnetpools",
                            special={"address_scope_id": _no_scope_filter})
    not_found = staticmethod(not_found)

    def __init__(self, db, conf, quotas, notifier=None):
        self.db = db
        self.conf = conf
        self.quotas = quotas
        self.notifier = notifier

    def row(self, session, caller: Caller, pool_id: str, lock: bool = False):
        stmt = sa.select(models.SubnetPool).where(models.SubnetPool.id == pool_id,
                                                  *visible(caller))
        if lock:
            stmt = stmt.with_for_update()
        pool = session.scalars(stmt).first()
        if pool is None:
            raise not_found(pool_id)
        return pool

    def get(self, caller: Caller, pool_id: str) -> dict:
        with self.db.reader() as session:
            return self.views(session, [self.row(session, caller, pool_id)])[0]

    def list(self, caller: Caller, list_query: query.ListQuery) -> list[dict]:
        with self.db.reader() as session:
            return self.views(session, self.listing.rows(session, list_query,
                                                         visible(caller)))

    def views(self, session, rows) -> list[dict]:
        tags = standard.load_tags(session, "subnetpools", [row.id for row in rows])
        return [_view(row, tags[row.id]) for row in rows]

    def create_many(self, caller: Caller, items: list[dict]) -> list[dict]:
        def create(session):
            for project in {item["project_id"] for item in items}:
                count = sum(1 for item in items if item["project_id"] == project)
                self.quotas.check(session, project, "subnetpool", count)
            rows = [self._insert(session, item) for item in items]
            session.flush()
            return self.views(session, rows)
        views = self.db.write(create)
        for view in views:
            standard.emit(self.notifier, "subnetpool.create.end", {"subnetpool": view})
        return views

    def _insert(self, session, item: dict):
        nets = prefix_math.collapse(item["prefixes"])
        version = nets[0].version
        bounds = _bounds(version, item.get("min_prefixlen"), item.get("max_prefixlen"),
                         item.get("default_prefixlen"))
        _check_no_scope(item)
        if item.get("is_default"):
            _check_single_default(session, version, None)
        row = standard.create(
            models.SubnetPool, item["project_id"], name=item.get("name", ""),
            description=item.get("description", ""), ip_version=version,
            prefixes=[str(net) for net in nets], min_prefixlen=bounds[0],
            max_prefixlen=bounds[1], default_prefixlen=bounds[2],
            shared=item.get("shared", False), is_default=item.get("is_default", False),
            default_quota=item.get("default_quota"))
        session.add(row)
        if item.get("tags"):
            standard.set_tags(session, "subnetpools", row.id, item["tags"])
        return row

    def update(self, caller: Caller, pool_id: str, changes: dict,
               revision: int | None = None) -> dict:
        def update(session):
            row = self.row(session, caller, pool_id, lock=True)
            standard.check_revision(row, revision)
            _check_no_scope(changes)
            if "prefixes" in changes:
                nets = prefix_math.collapse(changes["prefixes"])
                old = [ipaddress.ip_network(p) for p in row.prefixes]
                if nets[0].version != row.ip_version:
                    raise exception.PrefixVersionMismatch()
                if not prefix_math.covers(nets, old):
                    raise exception.IllegalSubnetPoolPrefixUpdate(
                        msg="Existing prefixes must be a subset of the new prefixes")
                row.prefixes = [str(net) for net in nets]
            bounds = _bounds(row.ip_version,
                             changes.get("min_prefixlen", row.min_prefixlen),
                             changes.get("max_prefixlen", row.max_prefixlen),
                             changes.get("default_prefixlen", row.default_prefixlen))
            row.min_prefixlen, row.max_prefixlen, row.default_prefixlen = bounds
            if changes.get("is_default") and not row.is_default:
                _check_single_default(session, row.ip_version, row.id)
            for name in ("name", "description", "is_default", "default_quota"):
                if name in changes:
                    setattr(row, name, changes[name])
            standard.touch(row)
            session.flush()
            return self.views(session, [row])[0]
        view = self.db.write(update)
        standard.emit(self.notifier, "subnetpool.update.end", {"subnetpool": view})
        return view

    def change_prefixes(self, caller: Caller, pool_id: str, given: list[str], add: bool
                        ) -> list[str]:
        """Add ``given`` to the pool's prefixes, or remove them (only space no
        subnet uses); the pool's prefixes afterwards."""
        def change(session):
            row = self.row(session, caller, pool_id, lock=True)
            current = [ipaddress.ip_network(p) for p in row.prefixes]
            nets = prefix_math.collapse(given)
            if nets[0].version != row.ip_version:
                raise exception.PrefixVersionMismatch()
            if add:
                result = list(ipaddress.collapse_addresses(current + nets))
            else:
                result = prefix_math.free_blocks(current, nets)
                used = _used(session, row.id)
                if not prefix_math.covers(result, used):
                    raise exception.IllegalSubnetPoolPrefixUpdate(
                        msg="Prefixes in use by subnets cannot be removed")
                result = list(ipaddress.collapse_addresses(result))
            if not result:
                raise exception.EmptySubnetPoolPrefixList()
            row.prefixes = [str(net) for net in result]
            standard.touch(row)
            session.flush()
            return self.views(session, [row])[0]
        view = self.db.write(change)
        standard.emit(self.notifier, "subnetpool.update.end", {"subnetpool": view})
        return view["prefixes"]

    def delete(self, caller: Caller, pool_id: str, revision: int | None = None) -> None:
        def delete(session):
            row = self.row(session, caller, pool_id, lock=True)
            standard.check_revision(row, revision)
            if _used(session, row.id):
                raise exception.SubnetPoolInUse(subnet_pool_id=pool_id,
                                                reason="Subnet pool has existing allocations")
            view = self.views(session, [row])[0]
            standard.delete_tags(session, "subnetpools", [row.id])
            session.delete(row)
            return view
        view = self.db.write(delete)
        standard.emit(self.notifier, "subnetpool.delete.end",
                      {"subnetpool_id": pool_id, "subnetpool": view})

    # -- carving subnets ---------------------------------------------------

    def default_pool(self, session, caller: Caller, ip_version: int) -> str:
        """The id of the default pool of ``ip_version``; 400 when there is none."""
        pool = session.scalars(sa.select(models.SubnetPool.id).where(
            models.SubnetPool.is_default, models.SubnetPool.ip_version == ip_version,
            *visible(caller))).first()
        if pool is None:
            raise exception.BadRequest(
                resource="subnets", msg=f"No default subnetpool found for IPv{ip_version}")
        return pool

    def allocate(self, session, caller: Caller, pool_id: str, project_id: str,
                 ip_version: int | None, cidr: str | None, prefixlen: int | None):
        """The CIDR of a new subnet from pool ``pool_id`` (locked until the
        transaction ends): ``cidr`` if free, else the first free block of
        ``prefixlen`` (default: the pool's default)."""
        pool = self.row(session, caller, pool_id, lock=True)
        if ip_version is not None and ip_version != pool.ip_version:
            raise exception.InvalidInput(
                error_message=f"ip_version {ip_version} does not match the IP version of "
                              f"subnet pool {pool_id}")
        used = _used(session, pool.id)
        prefixes = [ipaddress.ip_network(p) for p in pool.prefixes]
        if cidr is not None:
            net = ipaddress.ip_network(cidr)
            _check_prefixlen(pool, net.prefixlen)
            prefix_math.check_requested(prefixes, used, net)
        else:
            length = prefixlen if prefixlen is not None else pool.default_prefixlen
            _check_prefixlen(pool, length)
            net = prefix_math.allocate(prefixes, used, length)
        self._check_pool_quota(session, pool, project_id, net)
        return net

    @staticmethod
    def _check_pool_quota(session, pool, project_id: str, net) -> None:
        if pool.default_quota is None:
            return
        unit = 32 if pool.ip_version == 4 else 64
        mine = session.scalars(sa.select(models.Subnet.cidr).where(
            models.Subnet.subnetpool_id == pool.id, models.Subnet.project_id == project_id))
        total = sum(2 ** max(unit - ipaddress.ip_network(c).prefixlen, 0) for c in mine)
        if total + 2 ** max(unit - net.prefixlen, 0) > pool.default_quota:
            raise exception.SubnetPoolQuotaExceeded()


def _view(row, tags: list[str]) -> dict:
    body = standard.view(row, tags)
    body.update({
        "prefixes": list(row.prefixes), "ip_version": row.ip_version,
        "default_prefixlen": row.default_prefixlen, "min_prefixlen": row.min_prefixlen,
        "max_prefixlen": row.max_prefixlen, "shared": row.shared,
        "is_default": row.is_default, "default_quota": row.default_quota,
        "address_scope_id": None, "_policy": {"shared": row.shared},
    })
    return body


def _used(session, pool_id: str) -> list:
    return [ipaddress.ip_network(cidr) for cidr in session.scalars(
        sa.select(models.Subnet.cidr).where(models.Subnet.subnetpool_id == pool_id))]


def _bounds(version: int, min_len, max_len, default_len) -> tuple[int, int, int]:
    low, high = BOUNDS[version]
    min_len = low if min_len is None else min_len
    max_len = high if max_len is None else max_len
    default_len = min_len if default_len is None else default_len
    if not 0 <= max_len <= high:
        raise exception.IllegalSubnetPoolPrefixBounds(
            prefix_type="max_prefixlen", prefixlen=max_len,
            base_prefix_type="ip_version_max", base_prefixlen=high)
    if min_len > max_len or min_len < 0:
        raise exception.IllegalSubnetPoolPrefixBounds(
            prefix_type="min_prefixlen", prefixlen=min_len,
            base_prefix_type="max_prefixlen", base_prefixlen=max_len)
    if not min_len <= default_len <= max_len:
        raise exception.IllegalSubnetPoolPrefixBounds(
            prefix_type="default_prefixlen", prefixlen=default_len,
            base_prefix_type="max_prefixlen" if default_len > max_len else "min_prefixlen",
            base_prefixlen=max_len if default_len > max_len else min_len)
    return min_len, max_len, default_len


def _check_prefixlen(pool, length: int) -> None:
    if length < pool.min_prefixlen:
        raise exception.MinPrefixSubnetAllocationError(prefixlen=length,
                                                       min_prefixlen=pool.min_prefixlen)
    if length > pool.max_prefixlen:
        raise exception.MaxPrefixSubnetAllocationError(prefixlen=length,
                                                       max_prefixlen=pool.max_prefixlen)


def _check_no_scope(item: dict) -> None:
    if item.get("address_scope_id") is not None:
        raise exception.InvalidInput(error_message="address scopes are not supported")


def _check_single_default(session, version: int, pool_id: str | None) -> None:
    other = session.scalars(sa.select(models.SubnetPool.id).where(
        models.SubnetPool.is_default, models.SubnetPool.ip_version == version,
        models.SubnetPool.id != (pool_id or ""))).first()
    if other is not None:
        raise exception.InvalidInput(
            error_message="A default subnetpool for this IP family has already been set. "
                          "Only one default may exist per IP family")
