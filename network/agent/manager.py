"""The network agent: keeps one host's dataplane equal to what the API says.

Threads:

* **worker** - the only one calling the driver. At start it registers the
  agent types this process runs (``report_state``, retried until the API
  answers) and makes a full synchronization: it fetches the whole state of
  the host (``get_host_state``), applies it, and deletes what the driver
  shows (``observed()``) that the API no longer has. Then it loops: it
  drains the ids marked dirty by casts (all of them at once: one
  ``get_host_state`` for just those ids, one driver pass), scans taps every
  ``tap_scan_interval`` (wiring new taps of bound ports, reporting ports
  ACTIVE or DOWN), and resynchronizes fully every ``resync_interval`` (or
  when the API forgot the agent), repairing drift. An API call that fails
  is retried after ``retry_interval``, with the ids that came in meanwhile.
* **heartbeat** - ``report_state`` of every agent type every
  ``report_interval``.
* the RPC server's threads, serving :class:`AgentEndpoint` on the
  ``network-agent`` topic: casts only mark ids dirty and wake the worker.

:meth:`AgentManager.start` returns at once; :meth:`AgentManager.stop` ends
every thread.
"""
from __future__ import annotations

import threading
import time

import oslo_messaging
from oslo_log import log

from network import rpcapi
from network.agent import driver as base
from network.agent.converge import Converger
from network.agent.state import Desired
from stratus import context, rpc

LOG = log.getLogger(__name__)

BINARY = "stratus-network-agent"
KINDS = ("networks", "routers", "ports", "security_groups")


class AgentEndpoint:
    """``network-agent`` version 1.x."""

    target = oslo_messaging.Target(version="1.0")

    def __init__(self, manager: AgentManager):
        self.manager = manager

    def resources_changed(self, ctxt, networks=(), routers=(), ports=(),
                          security_groups=()) -> None:
        self.manager.mark_dirty(networks=networks, routers=routers, ports=ports,
                                security_groups=security_groups)


class AgentManager:
    """One host's agent. ``conf`` carries the ``[agent]`` options of
    :mod:`network.agent.conf` and ``[network] availability_zone``."""

    def __init__(self, conf, driver: base.Driver, plugin: rpcapi.PluginAPI,
                 transport: oslo_messaging.Transport | None = None):
        self.conf = conf
        self.options = conf.agent
        self.host = conf.host
        self.driver = driver
        self.plugin = plugin
        self.transport = transport
        self.desired = Desired()
        self.converger = Converger(driver, plugin, self.host, context.admin,
                                   self.options.retry_interval)
        self.agent_types = agent_types(conf)
        self.synced = False
        self.server = None
        self._dirty: dict[str, set[str]] = {kind: set() for kind in KINDS}
        self._resync = True
        self._cond = threading.Condition()
        self._stopped = threading.Event()
        self._registered = threading.Event()
        self._beat_now = threading.Event()
        self._threads: list[threading.Thread] = []

    # -- lifecycle -----------------------------------------------------------

    def start(self) -> None:
        """Serve casts (if a transport was given) and start the threads."""
        if self.transport is not None:
            self.server = rpc.get_server(self.transport, rpcapi.AGENT_TOPIC, self.host,
                                         [AgentEndpoint(self)])
            self.server.start()
        for name, target in (("worker", self._work), ("heartbeat", self._heartbeat)):
            thread = threading.Thread(target=target, daemon=True, name=f"agent-{name}")
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 10.0) -> None:
        self._stopped.set()
        self._beat_now.set()
        with self._cond:
            self._cond.notify_all()
        if self.server is not None:
            self.server.stop()
            self.server.wait()
            self.server = None
        for thread in self._threads:
            thread.join(timeout)
        self._threads = []

    def wait(self) -> None:
        """Block until :meth:`stop` (from another thread or a signal)."""
        while not self._stopped.wait(1.0):
            pass

    # -- casts ---------------------------------------------------------------

    def mark_dirty(self, networks=(), routers=(), ports=(), security_groups=()) -> None:
        with self._cond:
            for kind, ids in zip(KINDS, (networks, routers, ports, security_groups),
                                 strict=True):
                self._dirty[kind].update(ids or ())
            self._cond.notify_all()

    def request_resync(self) -> None:
        with self._cond:
            self._resync = True
            self._cond.notify_all()

    # -- the worker ------------------------------------------------------------

    def _work(self) -> None:
        if not self._register():
            return
        next_resync = next_scan = 0.0
        while not self._stopped.is_set():
            now = time.monotonic()
            with self._cond:
                resync = self._resync or now >= next_resync
                self._resync = False
            if resync:
                ok = self._run(self.full_sync)
                next_resync = now + (self.options.resync_interval if ok
                                     else self.options.retry_interval)
                next_scan = time.monotonic() + self.options.tap_scan_interval
            elif self._take_dirty_and_sync() is False:
                self._stopped.wait(self.options.retry_interval)
            elif time.monotonic() >= next_scan:
                self._run(self.scan)
                next_scan = time.monotonic() + self.options.tap_scan_interval
            self._sleep_until(min(next_resync, next_scan))

    def _sleep_until(self, deadline: float) -> None:
        with self._cond:
            self._cond.wait_for(lambda: self._stopped.is_set() or self._resync
                                or any(self._dirty.values())
                                or time.monotonic() >= deadline,
                                max(0.0, deadline - time.monotonic()))

    def _run(self, step) -> bool:
        try:
            return step()
        except Exception:
            LOG.exception("%s failed", step.__name__)
            return False

    def full_sync(self) -> bool:
        """Fetch and apply the whole state of the host; True on success."""
        with self._cond:  # what is dirty now is covered by the full state
            self._dirty = {kind: set() for kind in KINDS}
        try:
            state = self.plugin.get_host_state(context.admin(), self.host)
        except Exception as error:
            LOG.warning("Full sync: fetching the state of host %s failed: %s", self.host,
                        error)
            return False
        started = time.monotonic()
        self.desired = Desired.from_state(state)
        self.converger.forget()
        self.converger.learn_statuses(self.desired)
        self.converger.remove_stale(self.desired, self.driver.observed())
        ok = self.converger.converge(self.desired)
        LOG.info("Full sync of host %s: %d networks, %d DHCP servers, %d routers, %d ports "
                 "in %.2f s%s", self.host, len(self.desired.network_specs()),
                 len(self.desired.dhcp), len(self.desired.routers), len(self.desired.ports),
                 time.monotonic() - started, "" if ok else " (some changes failed)")
        if not self.synced:
            self.synced = True
            self._beat_now.set()
        return True

    def _take_dirty_and_sync(self) -> bool | None:
        """Sync what casts marked dirty: None when nothing was, else whether
        fetching their state worked (if not, they stay dirty)."""
        with self._cond:
            dirty, self._dirty = self._dirty, {kind: set() for kind in KINDS}
        if not any(dirty.values()):
            return None
        try:
            state = self.plugin.get_host_state(
                context.admin(), self.host, network_ids=sorted(dirty["networks"]),
                router_ids=sorted(dirty["routers"]), port_ids=sorted(dirty["ports"]),
                security_group_ids=sorted(dirty["security_groups"]))
        except Exception as error:
            LOG.warning("Fetching the state of changed objects failed: %s", error)
            self.mark_dirty(**dirty)
            return False
        self.desired.patch(state, dirty["networks"], dirty["routers"], dirty["ports"])
        for entry in state.get("ports", ()):
            self.converger.statuses[entry["port"]["id"]] = entry["status"]
        self._run(lambda: self.converger.converge(self.desired))
        return True

    def scan(self) -> bool:
        """One pass without new state: wires new taps, reports statuses,
        retries what failed."""
        return self.converger.converge(self.desired)

    # -- heartbeats --------------------------------------------------------------

    def _register(self) -> bool:
        """Report every agent type until the API answers; False if stopped."""
        while not self._stopped.is_set():
            try:
                for agent in self.reports(start=True):
                    self.plugin.report_state(context.admin(), agent)
                self._registered.set()
                return True
            except Exception as error:
                LOG.warning("Registering with the network API failed: %s; retrying in "
                            "%.0f s", error, self.options.retry_interval)
                self._stopped.wait(self.options.retry_interval)
        return False

    def _heartbeat(self) -> None:
        self._registered.wait()
        while not self._stopped.is_set():
            self._beat_now.wait(self.options.report_interval)
            self._beat_now.clear()
            if self._stopped.is_set():
                return
            try:
                answers = [self.plugin.report_state(context.admin(), agent)
                           for agent in self.reports(start=False)]
            except Exception as error:
                LOG.warning("Heartbeat to the network API failed: %s", error)
                continue
            if any(answer and answer.get("status") in ("new", "revived")
                   for answer in answers):
                LOG.info("The network API had lost track of this agent: full sync")
                self.request_resync()

    def reports(self, start: bool) -> list[dict]:
        """The ``report_state`` payload of each agent type this process runs."""
        configurations = self._configurations()
        zone = self.conf.network.availability_zone
        return [{"agent_type": agent_type, "host": self.host, "binary": BINARY,
                 "topic": rpcapi.AGENT_TOPIC, "start_flag": start,
                 "resources_synced": self.synced,
                 "availability_zone": zone if agent_type in (
                     rpcapi.DHCP_AGENT, rpcapi.L3_AGENT) else None,
                 "configurations": configurations[agent_type]}
                for agent_type in self.agent_types]

    def _configurations(self) -> dict[str, dict]:
        applied = self.converger.applied
        dhcp = list(applied.dhcp.values())
        routers = list(applied.routers.values())
        return {
            rpcapi.LINUX_BRIDGE_AGENT: {
                "tunneling_ip": self.options.local_ip, "tunnel_types": ["vxlan"],
                "bridge_mappings": dict(self.options.bridge_mappings),
                "interface_mappings": {}, "devices": len(applied.wired),
                "l2_population": False, "driver": self.driver.name,
                "failing": self.converger.failing},
            rpcapi.DHCP_AGENT: {
                "dhcp_driver": "dnsmasq", "networks": len(dhcp),
                "subnets": sum(len(d.subnets) for d in dhcp),
                "ports": sum(len(d.ports) for d in dhcp),
                "dhcp_lease_duration": self.conf.dhcp.dnsmasq_lease_duration},
            rpcapi.L3_AGENT: {
                "agent_mode": "legacy", "routers": len(routers),
                "ex_gw_ports": sum(1 for r in routers if r.gateway),
                "interfaces": sum(len(r.interfaces) for r in routers),
                "floating_ips": sum(len(r.floating_ips) for r in routers)},
            rpcapi.METADATA_AGENT: {"metadata_url": self.conf.metadata.metadata_url},
        }


def agent_types(conf) -> list[str]:
    """The agent types a process with ``conf``'s ``[agent]`` options runs."""
    types = [rpcapi.LINUX_BRIDGE_AGENT]
    if conf.agent.dhcp:
        types.append(rpcapi.DHCP_AGENT)
    if conf.agent.l3:
        types.append(rpcapi.L3_AGENT)
    if conf.agent.dhcp or conf.agent.l3:
        types.append(rpcapi.METADATA_AGENT)
    return types
