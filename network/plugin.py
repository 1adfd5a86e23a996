"""The network API processes' side of the bus: serving the agents' questions
(:class:`PluginEndpoint`, the server of :class:`network.rpcapi.PluginAPI`)
and telling the agents about changes (:class:`AgentNotifier`, the
:class:`~network.manager.dataplane.Dataplane` hook the managers call).

:func:`connect` starts both in an API process, after fork. It returns at
once: a thread waits for the broker (however long it is down), then starts
the RPC server and lets the notifier send. Until then the notifier keeps
the changes it is told about (merged: each id once), and sends them all in
one cast once connected; agents also resynchronize fully when they start
and every ``[agent] resync_interval``, so nothing stays wrong for long.
"""
from __future__ import annotations

import threading
from collections.abc import Iterable

import oslo_messaging
from oslo_log import log

from network import rpcapi
from network.manager.dataplane import Dataplane
from stratus import context, rpc

LOG = log.getLogger(__name__)

BROKER_RETRY_INTERVAL = 5.0
KINDS = ("networks", "routers", "ports", "security_groups")


class PluginEndpoint:
    """``network-plugin`` version 1.x, served by every API process; each
    method hands its work to one manager of ``service``."""

    target = oslo_messaging.Target(version="1.0")

    def __init__(self, service):
        self.service = service

    def report_state(self, ctxt, agent: dict) -> dict:
        return self.service.agents.report(agent)

    def get_host_state(self, ctxt, host: str, network_ids=None, router_ids=None,
                       port_ids=None, security_group_ids=None) -> dict:
        return self.service.host_state.get(host, network_ids, router_ids, port_ids,
                                           security_group_ids)

    def get_or_create_dhcp_port(self, ctxt, network_id: str, host: str) -> dict | None:
        return self.service.host_state.dhcp_port(network_id, host)

    def release_dhcp_port(self, ctxt, network_id: str, host: str) -> None:
        self.service.host_state.release_dhcp_port(network_id, host)

    def update_port_status(self, ctxt, port_ids: list[str], status: str,
                           host: str) -> list[str]:
        return self.service.host_state.set_port_status(port_ids, status, host)

    def update_floatingip_statuses(self, ctxt, router_id: str,
                                   statuses: dict[str, str]) -> None:
        self.service.host_state.set_floatingip_statuses(router_id, statuses)


class AgentNotifier(Dataplane):
    """Sends :meth:`changed` news to every agent with
    :meth:`network.rpcapi.AgentAPI.resources_changed`, from a daemon thread.

    ``changed`` only records the ids and wakes the thread, so it never
    blocks an API request; ids recorded while a cast is on its way go out
    together in the next one. A cast that fails (broker unreachable) is
    retried, with the ids recorded meanwhile, ``retry_interval`` later.
    """

    def __init__(self, retry_interval: float = BROKER_RETRY_INTERVAL):
        self.retry_interval = retry_interval
        self._pending: dict[str, set[str]] = {kind: set() for kind in KINDS}
        self._cond = threading.Condition()
        self._api: rpcapi.AgentAPI | None = None
        self._thread: threading.Thread | None = None
        self._closed = False
        self._sending = False

    def attach(self, api: rpcapi.AgentAPI) -> None:
        """Start sending through ``api``."""
        with self._cond:
            self._api = api
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, daemon=True,
                                                name="agent-notifier")
                self._thread.start()
            self._cond.notify_all()

    def changed(self, networks: Iterable[str] = (), routers: Iterable[str] = (),
                ports: Iterable[str] = (), security_groups: Iterable[str] = ()) -> None:
        with self._cond:
            for kind, ids in zip(KINDS, (networks, routers, ports, security_groups),
                                 strict=True):
                self._pending[kind].update(i for i in ids if i)
            self._cond.notify_all()

    def pending(self) -> dict[str, set[str]]:
        """The ids not sent yet (a copy)."""
        with self._cond:
            return {kind: set(ids) for kind, ids in self._pending.items()}

    def flush(self, timeout: float) -> bool:
        """Wait up to ``timeout`` s until everything recorded was sent."""
        with self._cond:
            return self._cond.wait_for(
                lambda: not self._sending and not any(self._pending.values()), timeout)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def _take(self) -> dict[str, set[str]] | None:
        with self._cond:
            self._cond.wait_for(lambda: self._closed or any(self._pending.values()))
            if self._closed:
                return None
            batch, self._pending = self._pending, {kind: set() for kind in KINDS}
            self._sending = True
            return batch

    def _run(self) -> None:
        while (batch := self._take()) is not None:
            try:
                self._api.resources_changed(context.admin(), **batch)
                failed = False
            except Exception as error:  # the broker's errors are many; keep the news
                LOG.warning("Could not tell the network agents about changes (%s); "
                            "retrying in %.0f s", error, self.retry_interval)
                self.changed(**batch)
                failed = True
            with self._cond:
                self._sending = False
                self._cond.notify_all()
                if failed:
                    self._cond.wait_for(lambda: self._closed, self.retry_interval)


class Connection:
    """The bus side of one API process: its transport, PluginAPI server and
    agent notifier (see :func:`connect`)."""

    def __init__(self, conf, service, notifier: AgentNotifier):
        self.conf = conf
        self.service = service
        self.notifier = notifier
        self.transport: oslo_messaging.Transport | None = None
        self.server = None
        self.ready = threading.Event()
        self._stopped = threading.Event()

    def start(self, transport: oslo_messaging.Transport | None = None) -> None:
        """Connect now with ``transport`` (tests), or in a thread that waits
        for the broker of ``transport_url`` first."""
        if transport is not None:
            self._serve(transport)
            return
        threading.Thread(target=self._connect, daemon=True, name="plugin-connect").start()

    def _connect(self) -> None:
        url = self.conf.transport_url
        while not self._stopped.is_set():
            try:
                rpc.wait_for_broker(url, self.conf.broker_wait_timeout)
                self._serve(rpcapi.get_transport(self.conf))
                return
            except Exception as error:
                LOG.warning("Network agents unreachable: %s; retrying in %.0f s", error,
                            BROKER_RETRY_INTERVAL)
                self._stopped.wait(BROKER_RETRY_INTERVAL)

    def _serve(self, transport: oslo_messaging.Transport) -> None:
        self.transport = transport
        self.server = rpc.get_server(transport, rpcapi.PLUGIN_TOPIC, self.conf.host,
                                     [PluginEndpoint(self.service)])
        self.server.start()
        self.notifier.attach(rpcapi.AgentAPI(transport))
        self.ready.set()
        LOG.info("Serving %s for the network agents", rpcapi.PLUGIN_TOPIC)

    def stop(self) -> None:
        self._stopped.set()
        self.notifier.close()
        if self.server is not None:
            self.server.stop()
            self.server.wait()
            self.server = None


def connect(conf, service, transport: oslo_messaging.Transport | None = None) -> Connection:
    """Serve :class:`network.rpcapi.PluginAPI` for ``service`` and send its
    dataplane changes to the agents (``service.dataplane`` must be an
    :class:`AgentNotifier`). Returns at once; see the module docstring."""
    connection = Connection(conf, service, service.dataplane)
    connection.start(transport)
    return connection
