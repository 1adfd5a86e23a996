"""Subnets: an IP range on a network, from a given CIDR or carved out of a
subnet pool, with its gateway, allocation pools, DNS servers and routes.

Visibility: an admin sees every subnet; anyone else their project's and the
subnets of networks they own, shared networks and external networks.

Guarantees: subnets of one network never overlap (400 naming the overlap,
as Tempest's retry loop expects) and come from one subnet pool per IP
version; two subnets created at once on one network are serialized by the
network's row lock. A subnet is deleted only when no port other than an
auto-deleted one (:data:`network.manager.networks.AUTO_DELETE_OWNERS`) holds
one of its addresses, unless it is a SLAAC subnet (ports lose their
automatic addresses); otherwise 409 SubnetInUse.
"""
from __future__ import annotations

import ipaddress

import sqlalchemy as sa

from network import exception, models
from network.ipam import subnets as subnet_math
from network.manager import Caller, networks, query, standard
from network.manager.dataplane import Dataplane

SERVICE_TYPE_PREFIXES = ("network:", "compute:")
IN_USE = "One or more ports have an IP allocation from this subnet"

COLUMNS = {
    "id": models.Subnet.id, "name": models.Subnet.name,
    "project_id": models.Subnet.project_id, "description": models.Subnet.description,
    "network_id": models.Subnet.network_id, "ip_version": models.Subnet.ip_version,
    "cidr": models.Subnet.cidr, "gateway_ip": models.Subnet.gateway_ip,
    "enable_dhcp": models.Subnet.enable_dhcp, "ipv6_ra_mode": models.Subnet.ipv6_ra_mode,
    "ipv6_address_mode": models.Subnet.ipv6_address_mode,
    "subnetpool_id": models.Subnet.subnetpool_id,
    "created_at": models.Subnet.created_at, "updated_at": models.Subnet.updated_at,
    "revision_number": models.Subnet.revision_number,
}


def not_found(subnet_id: str) -> exception.SubnetNotFound:
    return exception.SubnetNotFound(subnet_id=subnet_id)


def visible(caller: Caller) -> list:
    if caller.is_admin:
        return []
    network = models.Network
    seen = sa.select(network.id).where(sa.or_(
        network.project_id == caller.project_id, network.shared, network.external))
    return [sa.or_(models.Subnet.project_id == caller.project_id,
                   models.Subnet.network_id.in_(seen))]


def _external_filter(values: list) -> sa.ColumnElement:
    external = sa.select(models.Network.id).where(models.Network.external.in_(values))
    return models.Subnet.network_id.in_(external)


def _segment_filter(values: list) -> sa.ColumnElement:
    return sa.true() if None in values or "" in values else sa.false()


class Subnets:
    listing = query.Listing(models.Subnet, COLUMNS, not_found=not_found,
                            resource_type="subnets",
                            special={"router:external": _external_filter,
                                     "segment_id": _segment_filter})
    not_found = staticmethod(not_found)
    dataplane = Dataplane()  # the service sets the one that tells the agents

    def __init__(self, db, conf, quotas, networks_manager, pools, notifier=None):
        self.db = db
        self.conf = conf
        self.quotas = quotas
        self.networks = networks_manager
        self.pools = pools
        self.notifier = notifier

    # -- reading -----------------------------------------------------------

    def row(self, session, caller: Caller, subnet_id: str) -> models.Subnet:
        subnet = session.scalars(sa.select(models.Subnet).where(
            models.Subnet.id == subnet_id, *visible(caller))).first()
        if subnet is None:
            raise not_found(subnet_id)
        return subnet

    def get(self, caller: Caller, subnet_id: str) -> dict:
        with self.db.reader() as session:
            return self.views(session, [self.row(session, caller, subnet_id)])[0]

    def list(self, caller: Caller, list_query: query.ListQuery) -> list[dict]:
        with self.db.reader() as session:
            return self.views(session, self.listing.rows(session, list_query,
                                                         visible(caller)))

    def views(self, session, rows: list[models.Subnet]) -> list[dict]:
        tags = standard.load_tags(session, "subnets", [row.id for row in rows])
        network_ids = {row.network_id for row in rows}
        parents = {}
        if network_ids:
            parents = {net.id: net for net in session.scalars(
                sa.select(models.Network).where(models.Network.id.in_(network_ids)))}
        return [_view(row, parents[row.network_id], tags[row.id]) for row in rows]

    # -- creating ----------------------------------------------------------

    def create_many(self, caller: Caller, items: list[dict]) -> list[dict]:
        def create(session):
            for project in {item["project_id"] for item in items}:
                count = sum(1 for item in items if item["project_id"] == project)
                self.quotas.check(session, project, "subnet", count)
            rows = []
            for item in items:
                rows.append(self._insert(session, caller, item))
                session.flush()
            return self.views(session, rows)
        views = self.db.write(create)
        for view in views:
            standard.emit(self.notifier, "subnet.create.end", {"subnet": view})
        self.dataplane.changed(networks={view["network_id"] for view in views})
        return views

    def _insert(self, session, caller: Caller, item: dict) -> models.Subnet:
        network = self.networks.row(session, caller, item["network_id"], lock=True)
        pool_id, net = self._cidr(session, caller, item)
        version = net.version
        _check_single_pool(session, network.id, version, pool_id)
        _check_overlap(session, network.id, net)
        ra_mode, address_mode = item.get("ipv6_ra_mode"), item.get("ipv6_address_mode")
        subnet_math.check_ipv6_modes(version, ra_mode, address_mode, net)
        gateway = item["gateway_ip"] if "gateway_ip" in item else \
            subnet_math.default_gateway(net)
        gateway = subnet_math.check_gateway(net, gateway)
        pools = item.get("allocation_pools")
        pools = subnet_math.default_pools(net, gateway) if pools is None else \
            subnet_math.check_pools(net, pools, gateway)
        _check_segment(item)
        row = standard.create(
            models.Subnet, item["project_id"], name=item.get("name", ""),
            description=item.get("description", ""), network_id=network.id,
            ip_version=version, cidr=str(net), gateway_ip=gateway,
            enable_dhcp=item.get("enable_dhcp", True), ipv6_ra_mode=ra_mode,
            ipv6_address_mode=address_mode, subnetpool_id=pool_id, allocation_pools=pools,
            dns_nameservers=self._nameservers(item.get("dns_nameservers") or [], "new"),
            host_routes=self._routes(item.get("host_routes") or [], version, "new"),
            service_types=_service_types(item.get("service_types") or []))
        session.add(row)
        if item.get("tags"):
            standard.set_tags(session, "subnets", row.id, item["tags"])
        standard.touch(network)
        return row

    def _cidr(self, session, caller: Caller, item: dict):
        """(subnet pool id or None, network) of a new subnet."""
        version = item.get("ip_version")
        pool_id = item.get("subnetpool_id")
        if item.get("use_default_subnetpool"):
            if pool_id:
                raise exception.BadRequest(
                    resource="subnets", msg="subnetpool_id and use_default_subnetpool "
                                            "cannot both be specified")
            pool_id = self.pools.default_pool(session, caller, version)
        cidr = item.get("cidr")
        if pool_id:
            if cidr is not None:
                cidr = str(subnet_math.parse_cidr(cidr, version))
            net = self.pools.allocate(session, caller, pool_id, item["project_id"], version,
                                      cidr, item.get("prefixlen"))
            return pool_id, net
        if cidr is None:
            raise exception.BadRequest(
                resource="subnets", msg="a subnetpool must be specified in the absence of a "
                                        "cidr")
        return None, subnet_math.parse_cidr(cidr, version)

    # -- changing ----------------------------------------------------------

    def update(self, caller: Caller, subnet_id: str, changes: dict,
               revision: int | None = None) -> dict:
        def update(session):
            row = self.row(session, caller, subnet_id)
            standard.check_revision(row, revision)
            self._apply(session, row, changes)
            standard.touch(row)
            session.flush()
            return self.views(session, [row])[0]
        view = self.db.write(update)
        standard.emit(self.notifier, "subnet.update.end", {"subnet": view})
        self.dataplane.changed(networks=[view["network_id"]])
        return view

    def _apply(self, session, row: models.Subnet, changes: dict) -> None:
        net = ipaddress.ip_network(row.cidr)
        _check_segment(changes)
        gateway = row.gateway_ip
        if "gateway_ip" in changes:
            gateway = subnet_math.check_gateway(net, changes["gateway_ip"])
            if gateway != row.gateway_ip:
                _check_gateway_unused(session, row)
        pools = changes.get("allocation_pools")
        if pools is not None:
            row.allocation_pools = subnet_math.check_pools(net, pools, gateway)
        elif "gateway_ip" in changes:
            subnet_math.check_pools(net, row.allocation_pools, gateway)
        row.gateway_ip = gateway
        if "dns_nameservers" in changes:
            row.dns_nameservers = self._nameservers(changes["dns_nameservers"] or [], row.id)
        if "host_routes" in changes:
            row.host_routes = self._routes(changes["host_routes"] or [], row.ip_version,
                                           row.id)
        if "service_types" in changes:
            row.service_types = _service_types(changes["service_types"] or [])
        for name in ("name", "description", "enable_dhcp"):
            if name in changes:
                setattr(row, name, changes[name])

    def delete(self, caller: Caller, subnet_id: str, revision: int | None = None) -> None:
        def delete(session):
            row = self.row(session, caller, subnet_id)
            standard.check_revision(row, revision)
            if not subnet_math.is_auto_address(row.ipv6_ra_mode, row.ipv6_address_mode):
                busy = session.execute(
                    sa.select(models.IPAllocation.port_id)
                    .join(models.Port, models.Port.id == models.IPAllocation.port_id)
                    .where(models.IPAllocation.subnet_id == subnet_id,
                           models.Port.device_owner.not_in(networks.AUTO_DELETE_OWNERS))
                    .limit(1)).first()
                if busy is not None:
                    raise exception.SubnetInUse(subnet_id=subnet_id, reason=IN_USE)
            view = self.views(session, [row])[0]
            holders = session.scalars(sa.select(models.IPAllocation.port_id).where(
                models.IPAllocation.subnet_id == subnet_id)).all()
            session.execute(sa.delete(models.IPAllocation).where(
                models.IPAllocation.subnet_id == subnet_id))
            if holders:
                session.execute(sa.update(models.Port).where(models.Port.id.in_(holders))
                                .values(revision_number=models.Port.revision_number + 1,
                                        updated_at=models.utcnow()))
            standard.delete_tags(session, "subnets", [subnet_id])
            network = session.get(models.Network, row.network_id)
            standard.touch(network)
            session.delete(row)
            return view, holders
        view, holders = self.db.write(delete)
        standard.emit(self.notifier, "subnet.delete.end",
                      {"subnet_id": subnet_id, "subnet": view})
        self.dataplane.changed(networks=[view["network_id"]], ports=holders)

    # -- checks ------------------------------------------------------------

    def _nameservers(self, servers: list, subnet_id: str) -> list[str]:
        limit = self.conf.network.max_dns_nameservers
        if len(servers) > limit:
            raise exception.DNSNameServersExhausted(subnet_id=subnet_id, quota=limit)
        result = []
        for server in servers:
            try:
                address = str(ipaddress.ip_address(server))
            except ValueError:
                raise exception.InvalidInput(
                    error_message=f"'{server}' is not a valid nameserver. '{server}' is not "
                                  "a valid IP address")
            if address in result:
                raise exception.InvalidInput(error_message=f"Duplicate nameserver '{server}'")
            result.append(address)
        return result

    def _routes(self, routes: list, version: int, subnet_id: str) -> list[dict]:
        limit = self.conf.network.max_subnet_host_routes
        if len(routes) > limit:
            raise exception.HostRoutesExhausted(subnet_id=subnet_id, quota=limit)
        result = []
        for route in routes:
            try:
                destination = ipaddress.ip_network(route["destination"], strict=False)
                nexthop = ipaddress.ip_address(route["nexthop"])
            except (KeyError, TypeError, ValueError):
                raise exception.InvalidInput(error_message=f"Invalid route: {route}")
            if destination.version != version or nexthop.version != version:
                raise exception.InvalidInput(
                    error_message=f"Host route {route} does not match the subnet's IP "
                                  f"version {version}")
            entry = {"destination": str(destination), "nexthop": str(nexthop)}
            if entry in result:
                raise exception.InvalidInput(error_message=f"Duplicate hostroute '{route}'")
            result.append(entry)
        return result


def _view(row: models.Subnet, network: models.Network, tags: list[str]) -> dict:
    body = standard.view(row, tags)
    body.update({
        "network_id": row.network_id, "ip_version": row.ip_version,
        "subnetpool_id": row.subnetpool_id, "enable_dhcp": row.enable_dhcp,
        "ipv6_ra_mode": row.ipv6_ra_mode, "ipv6_address_mode": row.ipv6_address_mode,
        "gateway_ip": row.gateway_ip, "cidr": row.cidr,
        "allocation_pools": [dict(pool) for pool in row.allocation_pools],
        "host_routes": [dict(route) for route in row.host_routes],
        "dns_nameservers": list(row.dns_nameservers),
        "service_types": list(row.service_types), "segment_id": None,
        "router:external": network.external,
        "_policy": networks.parent_fields(network),
    })
    return body


def _check_overlap(session, network_id: str, net) -> None:
    for cidr in session.scalars(sa.select(models.Subnet.cidr).where(
            models.Subnet.network_id == network_id)):
        if ipaddress.ip_network(cidr).overlaps(net):
            raise exception.InvalidInput(
                error_message=f"Requested subnet with cidr: {net} for network: {network_id} "
                              "overlaps with another subnet")


def _check_single_pool(session, network_id: str, version: int, pool_id: str | None) -> None:
    others = session.scalars(sa.select(models.Subnet.subnetpool_id).where(
        models.Subnet.network_id == network_id, models.Subnet.ip_version == version)).all()
    if any(other != pool_id for other in others):
        raise exception.NetworkSubnetPoolAffinityError()


def _check_gateway_unused(session, row: models.Subnet) -> None:
    if row.gateway_ip is None:
        return
    holder = session.get(models.IPAllocation, (row.network_id, row.gateway_ip))
    if holder is not None:
        raise exception.GatewayIpInUse(ip_address=row.gateway_ip, port_id=holder.port_id)


def _check_segment(item: dict) -> None:
    if item.get("segment_id") is not None:
        raise exception.InvalidInput(error_message="network segments are not supported")


def _service_types(values: list[str]) -> list[str]:
    for value in values:
        if not value.startswith(SERVICE_TYPE_PREFIXES):
            raise exception.InvalidInput(error_message=f"Invalid service type: {value}.")
    return list(dict.fromkeys(values))
