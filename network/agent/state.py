"""What this host must carry, as the agent last heard it from the API.

:class:`Desired` is built from a full answer of
:meth:`network.rpcapi.PluginAPI.get_host_state` and patched with partial
answers about the objects that changed. It holds model objects (frozen
dataclasses, so "did it change?" is ``!=``); the agent converges the
driver towards it (:mod:`network.agent.converge`).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from network.agent import model


@dataclasses.dataclass(frozen=True)
class Dhcp:
    """A DHCP server this host runs: ``port`` is this host's DHCP port (None
    until the API made it), ``ports`` every port with addresses on the
    network."""

    network: model.Network
    subnets: tuple[model.Subnet, ...]
    port: model.Port | None
    ports: tuple[model.Port, ...]

    @classmethod
    def from_dict(cls, data: dict) -> Dhcp:
        return cls(network=model.Network.from_dict(data["network"]),
                   subnets=tuple(model.Subnet.from_dict(s) for s in data["subnets"]),
                   port=model.Port.from_dict(data["port"]) if data.get("port") else None,
                   ports=tuple(model.Port.from_dict(p) for p in data["ports"]))

    def enabled_subnets(self) -> frozenset[str]:
        return frozenset(subnet.id for subnet in self.subnets if subnet.enable_dhcp)

    def port_ready(self) -> bool:
        """Whether this host's DHCP port exists with an address on every
        DHCP-enabled subnet."""
        if self.port is None:
            return False
        return self.enabled_subnets() <= {ip.subnet_id for ip in self.port.fixed_ips}


@dataclasses.dataclass(frozen=True)
class BoundPort:
    """A port bound to this host (a guest's), its filter and its status as
    the API last said."""

    port: model.Port
    security: model.PortSecurity
    status: str
    admin_state_up: bool = True

    @classmethod
    def from_dict(cls, data: dict, remote_groups: dict | None = None) -> BoundPort:
        """``remote_groups`` (group id: {ethertype: addresses}) fills in the
        ``remote_ips`` of the rules naming a remote group."""
        security = dict(data["security"])
        security["rules"] = [_with_remote_ips(rule, remote_groups or {})
                             for rule in security.get("rules", ())]
        return cls(port=model.Port.from_dict(data["port"]),
                   security=model.PortSecurity.from_dict(security),
                   status=data["status"], admin_state_up=data.get("admin_state_up", True))


def _with_remote_ips(rule: dict, remote_groups: dict) -> dict:
    group = rule.get("remote_group_id")
    if not group:
        return rule
    members = remote_groups.get(group, {}).get(rule.get("ethertype", model.IPV4), ())
    return {**rule, "remote_ips": members}


class Desired:
    """Networks (with their flood lists), DHCP servers, routers and bound
    ports of this host, by id."""

    def __init__(self):
        self.networks: dict[str, model.Network] = {}
        self.dhcp: dict[str, Dhcp] = {}
        self.routers: dict[str, model.Router] = {}
        self.ports: dict[str, BoundPort] = {}

    @classmethod
    def from_state(cls, state: dict) -> Desired:
        """The desired state of a full ``get_host_state`` answer."""
        desired = cls()
        desired._merge(state)
        return desired

    def patch(self, state: dict, network_ids: Iterable[str] = (),
              router_ids: Iterable[str] = (), port_ids: Iterable[str] = ()) -> None:
        """Apply a partial answer about the objects named: those it leaves
        out are no longer this host's (see ``get_host_state``)."""
        network_ids = set(network_ids)
        for network_id in network_ids:
            self.dhcp.pop(network_id, None)
            self.networks.pop(network_id, None)
        for router_id in router_ids:
            self.routers.pop(router_id, None)
        for port_id in port_ids:
            self.ports.pop(port_id, None)
        for port_id, bound in list(self.ports.items()):
            if bound.port.network_id in network_ids:
                del self.ports[port_id]
        self._merge(state)

    def _merge(self, state: dict) -> None:
        for data in state.get("networks", ()):
            network = model.Network.from_dict(data)
            self.networks[network.id] = network
        for data in state.get("dhcp", ()):
            dhcp = Dhcp.from_dict(data)
            self.dhcp[dhcp.network.id] = dhcp
        for data in state.get("routers", ()):
            router = model.Router.from_dict(data)
            self.routers[router.id] = router
        remote_groups = state.get("remote_groups") or {}
        for data in state.get("ports", ()):
            bound = BoundPort.from_dict(data, remote_groups)
            self.ports[bound.port.id] = bound
        self._refresh_networks()

    def _refresh_networks(self) -> None:
        """Make every DHCP server and router carry the latest description of
        its networks, and forget networks nothing uses any more."""
        fresh = self.networks
        for network_id, dhcp in self.dhcp.items():
            if network_id in fresh and dhcp.network != fresh[network_id]:
                self.dhcp[network_id] = dataclasses.replace(dhcp, network=fresh[network_id])
        for router_id, router in self.routers.items():
            self.routers[router_id] = _with_networks(router, fresh)
        used = set(self.network_specs())
        for network_id in list(fresh):
            if network_id not in used:
                del fresh[network_id]

    def set_dhcp_port(self, network_id: str, port: model.Port) -> None:
        dhcp = self.dhcp.get(network_id)
        if dhcp is not None:
            self.dhcp[network_id] = dataclasses.replace(dhcp, port=port)

    def network_specs(self) -> dict[str, model.Network]:
        """Every network this host carries, by id."""
        specs: dict[str, model.Network] = {}
        for router in self.routers.values():
            for router_port in router_ports(router):
                specs[router_port.network.id] = router_port.network
        for network_id, dhcp in self.dhcp.items():
            specs[network_id] = dhcp.network
        for bound in self.ports.values():
            network_id = bound.port.network_id
            if network_id in self.networks:
                specs[network_id] = self.networks[network_id]
        return specs


def router_ports(router: model.Router) -> list[model.RouterPort]:
    return list(router.interfaces) + ([router.gateway] if router.gateway else [])


def _with_networks(router: model.Router, fresh: dict[str, model.Network]) -> model.Router:
    def refreshed(router_port: model.RouterPort) -> model.RouterPort:
        network = fresh.get(router_port.network.id, router_port.network)
        if network == router_port.network:
            return router_port
        return dataclasses.replace(router_port, network=network)
    gateway = refreshed(router.gateway) if router.gateway else None
    interfaces = tuple(refreshed(rp) for rp in router.interfaces)
    if gateway == router.gateway and interfaces == router.interfaces:
        return router
    return dataclasses.replace(router, interfaces=interfaces, gateway=gateway)
