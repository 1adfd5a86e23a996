"""Making the driver match the desired state, and the API match the host.

:class:`Converger` remembers what it told the driver successfully
(``applied``) and, on each :meth:`~Converger.converge`, calls the driver
only for what differs from the desired state: routers, DHCP servers, port
filters (all changed ones in one call), networks, then taps (new taps of
bound ports are wired; vanished ones forgotten). It then reports to the API
the ports whose status changed: a bound port is ACTIVE while its tap is
wired and filtered, DOWN otherwise; DHCP and router ports are ACTIVE once
their server or router runs.

A driver call that fails is logged (once per distinct error) and retried
after ``retry_interval``, not on every pass. Only one thread may use a
Converger (it calls the driver, which must not be called concurrently).
"""
from __future__ import annotations

import time
from collections.abc import Callable, Hashable

from oslo_log import log

from network import rpcapi
from network.agent import driver as base
from network.agent import model, names
from network.agent.state import Desired, router_ports

LOG = log.getLogger(__name__)


class Applied:
    """What the driver was told, successfully, by id."""

    def __init__(self):
        self.networks: dict[str, model.Network] = {}
        self.dhcp: dict[str, object] = {}
        self.routers: dict[str, model.Router] = {}
        self.security: dict[str, model.PortSecurity] = {}
        self.wired: dict[str, model.Network] = {}  # port id: network its tap is in


class Converger:
    def __init__(self, driver: base.Driver, plugin: rpcapi.PluginAPI, host: str,
                 make_context: Callable, retry_interval: float = 5.0):
        self.driver = driver
        self.plugin = plugin
        self.host = host
        self.make_context = make_context
        self.retry_interval = retry_interval
        self.applied = Applied()
        self.statuses: dict[str, str] = {}  # port id: status the API has
        self._failures: dict[Hashable, tuple[str, float]] = {}
        self._asked_dhcp: dict[str, frozenset[str]] = {}
        self._wanted: dict[str, str] = {}
        self._floating_reported: dict[str, frozenset[str]] = {}  # router id: fip ids

    # -- the passes ----------------------------------------------------------

    def forget(self) -> None:
        """Forget what was applied, so the next pass applies everything again
        (repairing whatever drifted on the host)."""
        self.applied = Applied()
        self._failures.clear()
        self._asked_dhcp.clear()
        self._floating_reported.clear()

    def learn_statuses(self, desired: Desired) -> None:
        """Take the port statuses the API just reported as the truth."""
        for port_id, bound in desired.ports.items():
            self.statuses[port_id] = bound.status

    def remove_stale(self, desired: Desired, observed: base.Observed) -> None:
        """Delete what the driver made that ``desired`` no longer has."""
        specs = desired.network_specs()
        for router_id in set(observed.routers) - set(desired.routers):
            self._call(("router", router_id), self.driver.delete_router, router_id)
        for network_id in set(observed.dhcp) - set(desired.dhcp):
            if self._call(("dhcp", network_id), self.driver.delete_dhcp, network_id):
                self._release_dhcp_port(network_id)
        for port_id in observed.port_security - set(desired.ports):
            self._call(("security", port_id), self.driver.remove_port_security, port_id)
        for network_id in observed.networks - set(specs):
            self._call(("network", network_id), self.driver.delete_network, network_id)

    def converge(self, desired: Desired) -> bool:
        """One pass; True when nothing failed."""
        self._wanted = {}
        results = [self._routers(desired), self._dhcp(desired),
                   self._port_security(desired), self._networks(desired),
                   self._taps(desired), self._report()]
        return all(results)

    # -- each kind -------------------------------------------------------------

    def _routers(self, desired: Desired) -> bool:
        ok = True
        for router_id, router in desired.routers.items():
            if self.applied.routers.get(router_id) != router:
                if self._call(("router", router_id), self.driver.ensure_router, router):
                    self.applied.routers[router_id] = router
                    for router_port in router_ports(router):
                        self.applied.networks[router_port.network.id] = router_port.network
                else:
                    ok = False
            if router_id in self.applied.routers:
                for router_port in router_ports(self.applied.routers[router_id]):
                    self._wanted[router_port.port.id] = rpcapi.ACTIVE
                self._report_floating_ips(self.applied.routers[router_id])
        for router_id in set(self.applied.routers) - set(desired.routers):
            if self._call(("router", router_id), self.driver.delete_router, router_id):
                del self.applied.routers[router_id]
                self._floating_reported.pop(router_id, None)
        return ok

    def _report_floating_ips(self, router: model.Router) -> None:
        """Tell the API the router's floating IPs are ACTIVE (NAT in place)."""
        fip_ids = frozenset(fip.id for fip in router.floating_ips)
        new = fip_ids - self._floating_reported.get(router.id, frozenset())
        if not new:
            self._floating_reported[router.id] = fip_ids
            return
        key = ("floating-ips", router.id)
        if not self._due(key):
            return
        try:
            self.plugin.update_floatingip_statuses(
                self.make_context(), router.id, {fip_id: rpcapi.ACTIVE for fip_id in new})
        except Exception as error:
            self._failed(key, f"reporting the floating IPs of router {router.id} failed: "
                              f"{error}")
            return
        self._succeeded(key)
        self._floating_reported[router.id] = fip_ids

    def _dhcp(self, desired: Desired) -> bool:
        ok = True
        for network_id in list(desired.dhcp):
            dhcp = self._with_port(desired, network_id)
            if dhcp.port is None:
                ok = False
                continue
            if self.applied.dhcp.get(network_id) != dhcp:
                if self._call(("dhcp", network_id), self.driver.ensure_dhcp, dhcp.network,
                              dhcp.subnets, dhcp.port, dhcp.ports):
                    self.applied.dhcp[network_id] = dhcp
                    self.applied.networks[network_id] = dhcp.network
                else:
                    ok = False
            if network_id in self.applied.dhcp:
                self._wanted[self.applied.dhcp[network_id].port.id] = rpcapi.ACTIVE
        for network_id in set(self.applied.dhcp) - set(desired.dhcp):
            if self._call(("dhcp", network_id), self.driver.delete_dhcp, network_id):
                del self.applied.dhcp[network_id]
                self._release_dhcp_port(network_id)
        return ok

    def _release_dhcp_port(self, network_id: str) -> None:
        """Give back the DHCP port of a server this host no longer runs (its
        addresses return to the subnets), as Neutron's DHCP agent does."""
        try:
            self.plugin.release_dhcp_port(self.make_context(), network_id, self.host)
        except Exception as error:
            LOG.warning("Releasing the DHCP port of network %s failed (it stays): %s",
                        network_id, error)
        self._asked_dhcp.pop(network_id, None)

    def _with_port(self, desired: Desired, network_id: str):
        """The network's DHCP server, with this host's DHCP port asked for
        when it is missing or lacks an address on a DHCP subnet (once per set
        of DHCP subnets, so a full subnet does not make it ask forever)."""
        dhcp = desired.dhcp[network_id]
        subnets = dhcp.enabled_subnets()
        if dhcp.port_ready() or (dhcp.port is not None
                                 and self._asked_dhcp.get(network_id) == subnets):
            return dhcp
        if not self._due(("dhcp-port", network_id)):
            return dhcp
        try:
            found = self.plugin.get_or_create_dhcp_port(self.make_context(), network_id,
                                                        self.host)
        except Exception as error:
            self._failed(("dhcp-port", network_id), f"getting the DHCP port of network "
                                                    f"{network_id} failed: {error}")
            return dhcp
        self._succeeded(("dhcp-port", network_id))
        self._asked_dhcp[network_id] = subnets
        if found is None:
            return dhcp
        self.statuses[found["id"]] = found.get("status", rpcapi.DOWN)
        desired.set_dhcp_port(network_id, model.Port.from_dict(found))
        return desired.dhcp[network_id]

    def _port_security(self, desired: Desired) -> bool:
        changed = [bound.security for port_id, bound in desired.ports.items()
                   if self.applied.security.get(port_id) != bound.security]
        ok = True
        if changed:
            if self._call(("security", None), self.driver.ensure_port_security, changed):
                self._record_security(changed)
            elif len(changed) > 1:
                # One bad filter fails the whole transaction: apply the others.
                for security in changed:
                    if self._call(("security", security.port_id),
                                  self.driver.ensure_port_security, [security]):
                        self._record_security([security])
                    else:
                        ok = False
            else:
                ok = False
        for port_id in set(self.applied.security) - set(desired.ports):
            if self._call(("security", port_id), self.driver.remove_port_security, port_id):
                del self.applied.security[port_id]
        return ok

    def _record_security(self, filters: list[model.PortSecurity]) -> None:
        for security in filters:
            self.applied.security[security.port_id] = security
            self._failures.pop(("security", security.port_id), None)

    def _networks(self, desired: Desired) -> bool:
        specs = desired.network_specs()
        ok = True
        for network_id, network in specs.items():
            if self.applied.networks.get(network_id) != network:
                if self._call(("network", network_id), self.driver.ensure_network, network):
                    self.applied.networks[network_id] = network
                else:
                    ok = False
        for network_id in set(self.applied.networks) - set(specs):
            if self._call(("network", network_id), self.driver.delete_network, network_id):
                del self.applied.networks[network_id]
        return ok

    def _taps(self, desired: Desired) -> bool:
        try:
            taps = self.driver.list_taps()
        except Exception as error:
            self._failed(("taps", None), f"listing taps failed: {error}")
            return False
        for port_id in list(self.applied.wired):
            if names.tap(port_id) not in taps or port_id not in desired.ports:
                del self.applied.wired[port_id]
        to_plug: dict[str, list[model.Port]] = {}
        for port_id, bound in desired.ports.items():
            network = self.applied.networks.get(bound.port.network_id)
            tap = names.tap(port_id)
            if network is None or tap not in taps or not bound.admin_state_up:
                continue
            if self.applied.wired.get(port_id) != network or taps[tap] is None:
                to_plug.setdefault(network.id, []).append(bound.port)
        ok = True
        for network_id, ports in to_plug.items():
            network = self.applied.networks[network_id]
            wired = self._call(("plug", network_id), self.driver.plug_taps, network, ports)
            if wired is False:
                ok = False
                continue
            for port_id in wired:
                self.applied.wired[port_id] = network
        for port_id, bound in desired.ports.items():
            ready = port_id in self.applied.wired and port_id in self.applied.security \
                and bound.admin_state_up
            self._wanted[port_id] = rpcapi.ACTIVE if ready else rpcapi.DOWN
        return ok

    def _report(self) -> bool:
        by_status: dict[str, list[str]] = {}
        for port_id, status in self._wanted.items():
            if self.statuses.get(port_id) != status:
                by_status.setdefault(status, []).append(port_id)
        ok = True
        for status, port_ids in by_status.items():
            if not self._due(("status", status)):
                ok = False
                continue
            try:
                self.plugin.update_port_status(self.make_context(), sorted(port_ids), status,
                                               self.host)
            except Exception as error:
                self._failed(("status", status), f"reporting ports {status} failed: {error}")
                ok = False
                continue
            self._succeeded(("status", status))
            for port_id in port_ids:
                self.statuses[port_id] = status
        return ok

    # -- failures ----------------------------------------------------------------

    def _call(self, key: Hashable, method: Callable, *args):
        """``method(*args)``, or False when it failed (or failed recently)."""
        if not self._due(key):
            return False
        try:
            result = method(*args)
        except Exception as error:
            self._failed(key, f"{method.__name__} failed: {error}",
                         expected=isinstance(error, base.DriverError))
            return False
        self._succeeded(key)
        return True if result is None else result

    def _due(self, key: Hashable) -> bool:
        failure = self._failures.get(key)
        return failure is None or time.monotonic() >= failure[1]

    def _failed(self, key: Hashable, message: str, expected: bool = True) -> None:
        previous = self._failures.get(key)
        if previous is None or previous[0] != message:
            LOG.warning("%s (retrying every %.0f s)", message, self.retry_interval,
                        exc_info=not expected)
        self._failures[key] = (message, time.monotonic() + self.retry_interval)

    def _succeeded(self, key: Hashable) -> None:
        if self._failures.pop(key, None) is not None:
            LOG.info("%s: recovered", key)

    @property
    def failing(self) -> int:
        """How many things are failing now."""
        return len(self._failures)
