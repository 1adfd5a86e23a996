"""Agents: what each network agent process reports about itself.

One ``stratus-network-agent`` process registers each agent type it runs
(``Linux bridge agent`` always; ``DHCP agent``, ``L3 agent`` and ``Metadata
agent`` on a network node) with :meth:`Agents.report`, every
``[agent] report_interval`` seconds: one row per (agent type, host),
created on the first report, its heartbeat refreshed by the next ones.

An agent is ``alive`` while its last heartbeat is at most ``[agent]
agent_down_time`` seconds old. Administrators see and change agents through
``/v2.0/agents`` (``admin_state_up``, ``description``) and may delete one
(its next heartbeat registers it again). ``admin_state_up`` False on a
DHCP or L3 agent takes the DHCP servers or routers off that host (see
:mod:`network.manager.host_state`, which also places each router on one
L3 agent).

Changes that alter what other hosts carry are announced through the
dataplane hook: a new Linux bridge agent, or one whose tunnel address
changed or that was deleted, changes every VXLAN network's flood list; a
new L3 agent, or a DHCP or L3 agent switched on or off or deleted, changes
which host serves what.
"""
from __future__ import annotations

import datetime

import sqlalchemy as sa

from network import database, exception, models
from network.manager import Caller, query, standard
from network.manager.dataplane import Dataplane
from network.rpcapi import AGENT_TYPES, DHCP_AGENT, L3_AGENT, LINUX_BRIDGE_AGENT

NEW = "new"
ALIVE = "alive"
REVIVED = "revived"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"

COLUMNS = {
    "id": models.Agent.id, "agent_type": models.Agent.agent_type,
    "binary": models.Agent.binary, "topic": models.Agent.topic, "host": models.Agent.host,
    "admin_state_up": models.Agent.admin_state_up,
    "availability_zone": models.Agent.availability_zone,
    "description": models.Agent.description, "created_at": models.Agent.created_at,
    "started_at": models.Agent.started_at,
    "heartbeat_timestamp": models.Agent.heartbeat_timestamp,
}
REPORTED = ("binary", "topic", "availability_zone")


def not_found(agent_id: str) -> exception.AgentNotFound:
    return exception.AgentNotFound(id=agent_id)


def tunneling_ip(row: models.Agent) -> str | None:
    return (row.configurations or {}).get("tunneling_ip")


class Agents:
    not_found = staticmethod(not_found)

    def __init__(self, db, conf, dataplane: Dataplane | None = None):
        self.db = db
        self.conf = conf
        self.dataplane = dataplane or Dataplane()
        self.listing = query.Listing(models.Agent, COLUMNS, not_found=not_found,
                                     special={"alive": self._alive_filter})

    # -- liveness ------------------------------------------------------------

    def _cutoff(self) -> datetime.datetime:
        return models.utcnow() - datetime.timedelta(seconds=self.conf.agent.agent_down_time)

    def is_alive(self, row: models.Agent) -> bool:
        return row.heartbeat_timestamp >= self._cutoff()

    def _alive_filter(self, values: list) -> sa.ColumnElement:
        recent = models.Agent.heartbeat_timestamp >= self._cutoff()
        wanted = {bool(value) for value in values}
        if wanted == {True, False}:
            return sa.true()
        return recent if True in wanted else sa.not_(recent)

    # -- heartbeats ----------------------------------------------------------

    def report(self, state: dict) -> dict:
        """Create or refresh the agent ``state`` describes (see
        :meth:`network.rpcapi.PluginAPI.report_state`); returns its id,
        status (new, revived, alive) and admin_state_up."""
        agent_type, host = state["agent_type"], state["host"]
        if agent_type not in AGENT_TYPES:
            raise exception.InvalidInput(error_message=f"Unknown agent type {agent_type}")

        def report(session):
            row = session.scalars(sa.select(models.Agent).where(
                models.Agent.agent_type == agent_type, models.Agent.host == host)).first()
            now = models.utcnow()
            if row is None:
                row = models.Agent(id=standard.new_id(), agent_type=agent_type, host=host,
                                   admin_state_up=True, created_at=now, started_at=now)
                session.add(row)
                status, old_ip = NEW, None
            else:
                status = ALIVE if self.is_alive(row) else REVIVED
                old_ip = tunneling_ip(row)
            for name in REPORTED:
                setattr(row, name, state.get(name) or (None if name == "availability_zone"
                                                       else ""))
            row.configurations = dict(state.get("configurations") or {})
            row.resources_synced = state.get("resources_synced")
            row.heartbeat_timestamp = now
            if state.get("start_flag"):
                row.started_at = now
            session.flush()
            moved = agent_type == LINUX_BRIDGE_AGENT and tunneling_ip(row) != old_ip
            return {"id": row.id, "status": status, "admin_state_up": row.admin_state_up}, \
                moved
        answer, moved = database.write(self.db, report)
        if moved:
            self._tunnels_changed()
        if agent_type == L3_AGENT and answer["status"] == NEW:
            self._roles_changed({"agent_type": agent_type})
        return answer

    def _tunnels_changed(self) -> None:
        with self.db.reader() as session:
            ids = session.scalars(sa.select(models.Network.id).where(
                models.Network.network_type == "vxlan")).all()
        self.dataplane.changed(networks=ids)

    # -- what hosts do -----------------------------------------------------------

    @staticmethod
    def enabled_types(session, host: str) -> set[str]:
        """The agent types registered on ``host`` with admin_state_up."""
        return set(session.scalars(sa.select(models.Agent.agent_type).where(
            models.Agent.host == host, models.Agent.admin_state_up)))

    @staticmethod
    def hosts_of(session, agent_type: str) -> list[str]:
        """The hosts whose agent of ``agent_type`` has admin_state_up."""
        return sorted(session.scalars(sa.select(models.Agent.host).where(
            models.Agent.agent_type == agent_type, models.Agent.admin_state_up)))

    @staticmethod
    def tunnel_peers(session, host: str) -> tuple[str, ...]:
        """The tunnel addresses of the Linux bridge agents of other hosts."""
        rows = session.scalars(sa.select(models.Agent).where(
            models.Agent.agent_type == LINUX_BRIDGE_AGENT)).all()
        local = {tunneling_ip(row) for row in rows if row.host == host}
        others = {tunneling_ip(row) for row in rows if row.host != host}
        return tuple(sorted(ip for ip in others - local if ip))

    # -- the agents API ------------------------------------------------------

    def row(self, session, agent_id: str) -> models.Agent:
        row = session.get(models.Agent, agent_id)
        if row is None:
            raise not_found(agent_id)
        return row

    def get(self, caller: Caller, agent_id: str) -> dict:
        with self.db.reader() as session:
            return self.view(self.row(session, agent_id))

    def list(self, caller: Caller, list_query: query.ListQuery) -> list[dict]:
        with self.db.reader() as session:
            return [self.view(row) for row in self.listing.rows(session, list_query, [])]

    def create_many(self, caller: Caller, items: list[dict]) -> list[dict]:
        raise exception.BadRequest(resource="agent",
                                   msg="Agents register themselves; they cannot be created")

    def update(self, caller: Caller, agent_id: str, changes: dict,
               revision: int | None = None) -> dict:
        def update(session):
            row = self.row(session, agent_id)
            switched = "admin_state_up" in changes and \
                changes["admin_state_up"] != row.admin_state_up
            for name in ("admin_state_up", "description"):
                if name in changes:
                    setattr(row, name, changes[name])
            session.flush()
            return self.view(row), switched
        view, switched = self.db.write(update)
        if switched:
            self._roles_changed(view)
        return view

    def delete(self, caller: Caller, agent_id: str, revision: int | None = None) -> None:
        def delete(session):
            row = self.row(session, agent_id)
            view = self.view(row)
            session.delete(row)
            return view
        view = self.db.write(delete)
        if view["agent_type"] == LINUX_BRIDGE_AGENT:
            self._tunnels_changed()
        else:
            self._roles_changed(view)

    def _roles_changed(self, view: dict) -> None:
        """Tell the agents after a DHCP or L3 agent was switched on or off."""
        if view["agent_type"] == DHCP_AGENT:
            with self.db.reader() as session:
                ids = session.scalars(sa.select(models.Subnet.network_id).where(
                    models.Subnet.enable_dhcp).distinct()).all()
            self.dataplane.changed(networks=ids)
        elif view["agent_type"] == L3_AGENT:
            with self.db.reader() as session:
                ids = session.scalars(sa.select(models.Router.id)).all()
            self.dataplane.changed(routers=ids)

    def view(self, row: models.Agent) -> dict:
        return {
            "id": row.id, "agent_type": row.agent_type, "binary": row.binary,
            "topic": row.topic, "host": row.host, "admin_state_up": row.admin_state_up,
            "created_at": _time(row.created_at), "started_at": _time(row.started_at),
            "heartbeat_timestamp": _time(row.heartbeat_timestamp),
            "alive": self.is_alive(row), "configurations": dict(row.configurations or {}),
            "availability_zone": row.availability_zone, "description": row.description,
            "resources_synced": row.resources_synced, "_policy": {},
        }


def _time(value: datetime.datetime | None) -> str | None:
    return value.strftime(TIME_FORMAT) if value else None
