"""What each host's dataplane must carry, for the network agents (the server
side of :class:`network.rpcapi.PluginAPI`; read by RPC, never by the API).

A host carries:

* the ports bound to it (``binding:host_id``) that are not network devices
  (``device_owner`` ``network:…``): their networks, taps and filters;
* on a host whose ``DHCP agent`` is registered and enabled, a DHCP server
  for every network that is up and has a DHCP-enabled subnet, on a DHCP
  port of its own (``device_id`` ``dhcp<uuid5(host)>-<network id>``, as
  Neutron names it), handing out the addresses of every port there;
* on a host whose ``L3 agent`` is registered and enabled, the routers that
  are up and that :func:`router_host` places there: each router runs on one
  of the enabled L3 agents, chosen by hashing, and moves only when an
  administrator disables or deletes that agent (as in Neutron, a router on
  an agent that died stays there until then) or when an L3 agent joins.

Each answer is built with a fixed number of queries, whatever the number of
objects. Shapes are :mod:`network.agent.model`'s (see
:meth:`network.rpcapi.PluginAPI.get_host_state`).
"""
from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from oslo_log import log

from network import database, exception, models, rpcapi
from network.manager import Caller, fixed_ips, port_filters, standard
from network.manager.agents import Agents

LOG = log.getLogger(__name__)

NETWORK_DEVICE = "network:"
DHCP_OWNER = "network:dhcp"
ROUTER_INTERFACE_OWNERS = ("network:router_interface", "network:router_interface_distributed",
                           "network:ha_router_replicated_interface")
ROUTER_GATEWAY_OWNER = "network:router_gateway"
ADMIN = Caller(None, True)


def dhcp_device_id(host: str, network_id: str) -> str:
    """The ``device_id`` of ``host``'s DHCP port on a network."""
    return f"dhcp{uuid.uuid5(uuid.NAMESPACE_DNS, host)}-{network_id}"


def router_host(router_id: str, hosts: Sequence[str]) -> str | None:
    """The host of ``hosts`` (those of the enabled L3 agents) that runs the
    router: the highest of hash(router, host) (rendezvous hashing), so a
    router moves only when its own host comes or goes."""
    def weight(host: str) -> bytes:
        return hashlib.sha256(f"{router_id}/{host}".encode()).digest()
    return max(hosts, key=weight, default=None)


class HostState:
    """Answers the agents' questions. ``ports`` is the ports manager (views,
    port creation inside a transaction); ``routers(session, router_ids)``
    builds the routers' agent view (all routers that are up when
    ``router_ids`` is None; None: no routers); ``floatingips`` is the
    floating IPs manager."""

    def __init__(self, db, ports, notifier=None, routers=None, floatingips=None):
        self.db = db
        self.ports = ports
        self.notifier = notifier
        self.routers = routers
        self.floatingips = floatingips

    # -- get_host_state ------------------------------------------------------

    def get(self, host: str, network_ids: Sequence[str] | None = None,
            router_ids: Sequence[str] | None = None, port_ids: Sequence[str] | None = None,
            security_group_ids: Sequence[str] | None = None) -> dict:
        """The state of ``host``: all of it when every id list is None, else
        what concerns it among the objects named."""
        full = network_ids is None and router_ids is None and port_ids is None and \
            security_group_ids is None
        with self.db.reader() as session:
            roles = Agents.enabled_types(session, host)
            peers = Agents.tunnel_peers(session, host)
            if full:
                bound = _bound_ports(session, host)
                dhcp_ids = _dhcp_networks(session, None) \
                    if rpcapi.DHCP_AGENT in roles else []
            else:
                affected = port_filters.ports_affected_by(session, list(security_group_ids or []))
                bound = _bound_ports(session, host, list(network_ids or []),
                                     list(port_ids or []) + affected)
                dhcp_ids = _dhcp_networks(session, list(network_ids or [])) \
                    if network_ids and rpcapi.DHCP_AGENT in roles else []
            routers = self._routers(session, host, roles, None if full else router_ids or [])
            carried = {port.network_id for port in bound} | set(dhcp_ids) | {
                rp["network"]["id"] for router in routers for rp in _router_ports(router)}
            if network_ids and rpcapi.L3_AGENT in roles:
                carried |= _routed_networks(session, list(network_ids))
            networks = _networks(session, carried, peers)
            for router in routers:
                for router_port in _router_ports(router):
                    router_port["network"] = networks.get(router_port["network"]["id"],
                                                          router_port["network"])
            return {"networks": list(networks.values()),
                    "dhcp": _dhcp(session, host, [networks[i] for i in dhcp_ids]),
                    "routers": routers,
                    **_port_entries(session, bound)}

    def _routers(self, session, host: str, roles: set[str],
                 router_ids: Sequence[str] | None) -> list[dict]:
        if self.routers is None or rpcapi.L3_AGENT not in roles:
            return []
        hosts = Agents.hosts_of(session, rpcapi.L3_AGENT)
        return [router for router in self.routers(session, router_ids)
                if router_host(router["id"], hosts) == host]

    # -- get_or_create_dhcp_port -----------------------------------------------

    def dhcp_port(self, network_id: str, host: str) -> dict | None:
        """``host``'s DHCP port on the network, made if missing and given an
        address on every DHCP-enabled subnet it lacks one on; None when the
        network is gone or has no such subnet."""
        device_id = dhcp_device_id(host, network_id)

        def ensure(session):
            network = session.get(models.Network, network_id)
            subnets = [s for s in fixed_ips.network_subnets(session, network_id)
                       if s.enable_dhcp] if network is not None else []
            if not subnets:
                return None, None
            port = session.scalars(sa.select(models.Port).where(
                models.Port.network_id == network_id, models.Port.device_id == device_id,
                models.Port.device_owner == DHCP_OWNER)
                .order_by(models.Port.created_at, models.Port.id)).first()
            if port is None:
                port = self.ports.insert(session, {
                    "project_id": network.project_id, "network_id": network_id, "name": "",
                    "admin_state_up": True, "device_id": device_id,
                    "device_owner": DHCP_OWNER, "binding:host_id": host,
                    "security_groups": [],
                    "fixed_ips": [{"subnet_id": subnet.id} for subnet in subnets]})
                event = "port.create.end"
            else:
                held = fixed_ips.load(session, [port.id])[port.id]
                missing = [{"subnet_id": s.id} for s in subnets
                           if s.id not in {ip["subnet_id"] for ip in held}]
                if not missing:
                    return self.ports.views(session, [port])[0], None
                self.ports.change_ips(session, port, held + missing)
                event = "port.update.end"
            session.flush()
            return self.ports.views(session, [port])[0], event
        view, event = database.write(self.db, ensure)
        if event:
            standard.emit(self.notifier, event, {"port": view})
        return _port_dict(view) if view else None

    def release_dhcp_port(self, network_id: str, host: str) -> None:
        """Delete ``host``'s DHCP ports on the network, if any."""
        device_id = dhcp_device_id(host, network_id)
        with self.db.reader() as session:
            port_ids = session.scalars(sa.select(models.Port.id).where(
                models.Port.network_id == network_id, models.Port.device_id == device_id,
                models.Port.device_owner == DHCP_OWNER)).all()
        for port_id in port_ids:
            try:
                self.ports.delete(ADMIN, port_id)
            except exception.NotFound:
                pass

    # -- update_port_status ----------------------------------------------------

    def set_port_status(self, port_ids: Sequence[str], status: str, host: str) -> list[str]:
        """Set the status of the ports of ``port_ids`` bound to ``host`` (or
        network devices, wherever bound); returns the ids that changed."""
        if status not in (rpcapi.ACTIVE, rpcapi.DOWN, rpcapi.BUILD, rpcapi.ERROR):
            raise exception.InvalidInput(error_message=f"Unsupported port state: {status}")
        if not port_ids:
            return []

        def change(session):
            rows = list(session.scalars(sa.select(models.Port).where(
                models.Port.id.in_(list(port_ids)), models.Port.status != status,
                sa.or_(models.Port.binding_host_id == host,
                       models.Port.device_owner.startswith(NETWORK_DEVICE)))))
            for row in rows:
                row.status = status
                standard.touch(row)
            session.flush()
            return self.ports.views(session, rows)
        views = self.db.write(change)
        for view in views:
            standard.emit(self.notifier, "port.update.end", {"port": view})
        return [view["id"] for view in views]

    # -- update_floatingip_statuses ----------------------------------------------

    def set_floatingip_statuses(self, router_id: str, statuses: dict[str, str]) -> None:
        """Set the status of the router's floating IPs of ``statuses``; those
        gone or moved to another router meanwhile are left alone."""
        if not statuses or self.floatingips is None:
            return
        with self.db.reader() as session:
            mine = set(session.scalars(sa.select(models.FloatingIP.id).where(
                models.FloatingIP.id.in_(list(statuses)),
                models.FloatingIP.router_id == router_id)))
        for fip_id in sorted(mine):
            try:
                self.floatingips.set_status(fip_id, statuses[fip_id])
            except exception.NotFound:
                LOG.debug("Floating IP %s vanished before its status was set", fip_id)


def _bound_ports(session, host: str, network_ids: list[str] | None = None,
                 port_ids: list[str] | None = None) -> list[models.Port]:
    """Ports bound to ``host`` that are not network devices: all of them, or
    those of ``port_ids`` and those on ``network_ids``."""
    stmt = sa.select(models.Port).where(
        models.Port.binding_host_id == host,
        sa.not_(models.Port.device_owner.startswith(NETWORK_DEVICE)))
    if network_ids is not None or port_ids is not None:
        stmt = stmt.where(sa.or_(models.Port.id.in_(port_ids or []),
                                 models.Port.network_id.in_(network_ids or [])))
    return list(session.scalars(stmt.order_by(models.Port.id)))


def _dhcp_networks(session, network_ids: list[str] | None) -> list[str]:
    """Ids of the networks (of ``network_ids`` if given) that are up and have
    a DHCP-enabled subnet."""
    stmt = (sa.select(models.Network.id).distinct()
            .join(models.Subnet, models.Subnet.network_id == models.Network.id)
            .where(models.Subnet.enable_dhcp, models.Network.admin_state_up))
    if network_ids is not None:
        stmt = stmt.where(models.Network.id.in_(network_ids))
    return sorted(session.scalars(stmt))


def _networks(session, ids: set[str], peers: tuple[str, ...]) -> dict[str, dict]:
    if not ids:
        return {}
    rows = session.scalars(sa.select(models.Network).where(models.Network.id.in_(sorted(ids))))
    return {row.id: _network_dict(row, peers) for row in rows}


def _routed_networks(session, network_ids: list[str]) -> set[str]:
    """The networks of ``network_ids`` a router plugs into."""
    return set(session.scalars(sa.select(models.Port.network_id).distinct().where(
        models.Port.network_id.in_(network_ids),
        models.Port.device_owner.in_(ROUTER_INTERFACE_OWNERS + (ROUTER_GATEWAY_OWNER,)))))


def _network_dict(row: models.Network, peers: tuple[str, ...]) -> dict:
    return {"id": row.id, "network_type": row.network_type,
            "segmentation_id": row.segmentation_id,
            "physical_network": row.physical_network, "mtu": row.mtu,
            "vxlan_peers": list(peers) if row.network_type == "vxlan" else []}


def _dhcp(session, host: str, networks: list[dict]) -> list[dict]:
    """The DHCP servers of ``networks`` on ``host``: subnets, this host's
    DHCP port (None until made) and every port with addresses there."""
    ids = [network["id"] for network in networks]
    if not ids:
        return []
    subnets: dict[str, list[models.Subnet]] = {i: [] for i in ids}
    for subnet in session.scalars(sa.select(models.Subnet).where(
            models.Subnet.network_id.in_(ids)).order_by(models.Subnet.created_at,
                                                         models.Subnet.id)):
        subnets[subnet.network_id].append(subnet)
    rows = list(session.scalars(sa.select(models.Port).where(
        models.Port.network_id.in_(ids)).order_by(models.Port.id)))
    addresses = fixed_ips.load(session, [row.id for row in rows])
    ports: dict[str, list[dict]] = {i: [] for i in ids}
    for row in rows:
        ports[row.network_id].append(_port_dict(_port_view(row, addresses[row.id])))
    result = []
    for network in networks:
        mine = ports[network["id"]]
        routed = {ip["subnet_id"] for port in mine
                  if port["device_owner"] in ROUTER_INTERFACE_OWNERS
                  for ip in port["fixed_ips"]}
        device_id = dhcp_device_id(host, network["id"])
        own = next((port for port in mine if port["device_owner"] == DHCP_OWNER
                    and port["device_id"] == device_id), None)
        result.append({"network": network,
                       "subnets": [_subnet_dict(s, s.id in routed)
                                   for s in subnets[network["id"]]],
                       "port": own, "ports": [port for port in mine if port["fixed_ips"]]})
    return result


def _subnet_dict(row: models.Subnet, routed: bool) -> dict:
    return {"id": row.id, "network_id": row.network_id, "cidr": row.cidr,
            "ip_version": row.ip_version, "gateway_ip": row.gateway_ip,
            "enable_dhcp": row.enable_dhcp, "dns_nameservers": list(row.dns_nameservers),
            "host_routes": [dict(route) for route in row.host_routes], "routed": routed,
            "ipv6_ra_mode": row.ipv6_ra_mode, "ipv6_address_mode": row.ipv6_address_mode}


def _port_view(row: models.Port, addresses: list[dict]) -> dict:
    return {"id": row.id, "network_id": row.network_id, "mac_address": row.mac_address,
            "fixed_ips": addresses, "device_owner": row.device_owner,
            "device_id": row.device_id, "status": row.status}


def _port_dict(view: dict) -> dict:
    """A ``model.Port`` dict (plus ``device_id`` and ``status``) of a port view."""
    return {"id": view["id"], "network_id": view["network_id"],
            "mac_address": view["mac_address"],
            "fixed_ips": [{"subnet_id": ip["subnet_id"], "ip_address": ip["ip_address"]}
                          for ip in view["fixed_ips"]],
            "device_owner": view["device_owner"], "device_id": view["device_id"],
            "status": view["status"]}


def _port_entries(session, rows: list[models.Port]) -> dict:
    """``ports`` (bound ports with their filters) and ``remote_groups``: the
    member addresses of each remote group the filters name, once, by group
    and ethertype; the filters' rules carry none (a group's members would
    otherwise travel once per rule of every port naming it)."""
    ids = [row.id for row in rows]
    addresses = fixed_ips.load(session, ids)
    filters = port_filters.rules_for_ports(session, ids)
    remote_groups: dict[str, dict[str, list[str]]] = {}
    for security in filters.values():
        security["rules"] = [_without_members(rule, remote_groups)
                             for rule in security["rules"]]
    return {"ports": [{"port": _port_dict(_port_view(row, addresses[row.id])),
                       "security": filters[row.id], "status": row.status,
                       "admin_state_up": row.admin_state_up} for row in rows],
            "remote_groups": remote_groups}


def _without_members(rule: dict, remote_groups: dict) -> dict:
    """``rule`` without its remote group's addresses, which go (once) into
    ``remote_groups``."""
    group = rule.get("remote_group_id")
    if not group:
        return rule
    remote_groups.setdefault(group, {}).setdefault(rule["ethertype"], rule["remote_ips"])
    return {**rule, "remote_ips": []}


def _router_ports(router: dict) -> list[dict]:
    return list(router.get("interfaces") or []) + (
        [router["gateway"]] if router.get("gateway") else [])
