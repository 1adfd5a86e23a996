"""``/v2.0/agents``: agents registered by their heartbeats (``report_state``,
called here on the plugin endpoint directly), shown to administrators in
Neutron's shape."""
import datetime
import re

import pytest
import sqlalchemy as sa

from network import models, plugin, rpcapi
from stratus import context
from tests.functional.network.conftest import fault

KEYS = {"id", "agent_type", "binary", "topic", "host", "admin_state_up", "created_at",
        "started_at", "heartbeat_timestamp", "alive", "configurations", "availability_zone",
        "description", "resources_synced"}
TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")


def report(app, agent_type=rpcapi.LINUX_BRIDGE_AGENT, host="node-1", **extra) -> dict:
    state = {"agent_type": agent_type, "host": host, "binary": "stratus-network-agent",
             "topic": rpcapi.AGENT_TOPIC, "configurations": {"tunneling_ip": "192.0.2.10"},
             "availability_zone": None, "start_flag": False, "resources_synced": True}
    state.update(extra)
    endpoint = plugin.PluginEndpoint(app.extensions["network"])
    return endpoint.report_state(context.admin(), agent=state)


def age(app, agent_id: str, seconds: int) -> None:
    """Make the agent's last heartbeat ``seconds`` old."""
    when = models.utcnow() - datetime.timedelta(seconds=seconds)
    app.extensions["network"].db.write(lambda session: session.execute(
        sa.update(models.Agent).where(models.Agent.id == agent_id)
        .values(heartbeat_timestamp=when)))


@pytest.fixture
def agents(network_app):
    """The four agent types of a network node, node-1."""
    return {agent_type: report(network_app, agent_type, availability_zone="nova"
                               if agent_type in (rpcapi.DHCP_AGENT, rpcapi.L3_AGENT) else None)
            for agent_type in rpcapi.AGENT_TYPES}


def test_agents_are_listed_in_neutrons_shape(network_app, admin, agents):
    listed = admin.get("/v2.0/agents").get_json()["agents"]
    assert {agent["agent_type"] for agent in listed} == set(rpcapi.AGENT_TYPES)
    for agent in listed:
        assert set(agent) == KEYS
        assert agent["alive"] is True and agent["admin_state_up"] is True
        assert agent["host"] == "node-1" and agent["description"] is None
        assert agent["binary"] == "stratus-network-agent"
        assert all(TIME.match(agent[key]) for key in ("created_at", "started_at",
                                                      "heartbeat_timestamp"))
    zones = {agent["agent_type"]: agent["availability_zone"] for agent in listed}
    assert zones[rpcapi.DHCP_AGENT] == "nova" and zones[rpcapi.LINUX_BRIDGE_AGENT] is None
    shown = admin.get(f"/v2.0/agents/{agents[rpcapi.DHCP_AGENT]['id']}").get_json()["agent"]
    assert shown["agent_type"] == rpcapi.DHCP_AGENT
    assert shown["configurations"] == {"tunneling_ip": "192.0.2.10"}


def test_filters_fields_and_sorting(network_app, admin, agents):
    report(network_app, host="node-2")
    by_host = admin.get("/v2.0/agents?host=node-2").get_json()["agents"]
    assert [agent["agent_type"] for agent in by_host] == [rpcapi.LINUX_BRIDGE_AGENT]
    by_type = admin.get("/v2.0/agents?agent_type=Linux bridge agent&sort_key=host"
                        "&sort_dir=desc&fields=host&fields=id").get_json()["agents"]
    assert [agent["host"] for agent in by_type] == ["node-2", "node-1"]
    assert set(by_type[0]) == {"host", "id"}
    age(network_app, agents[rpcapi.L3_AGENT]["id"], 3600)
    dead = admin.get("/v2.0/agents?alive=false").get_json()["agents"]
    assert [agent["agent_type"] for agent in dead] == [rpcapi.L3_AGENT]
    alive = admin.get("/v2.0/agents?alive=True").get_json()["agents"]
    assert len(alive) == 4 and rpcapi.L3_AGENT not in {a["agent_type"] for a in alive}
    assert fault(admin.get("/v2.0/agents?tenant_id=x")) == (400, "HTTPBadRequest")


def test_heartbeats_say_new_alive_revived(network_app, admin):
    first = report(network_app, host="node-3", start_flag=True)
    assert first["status"] == "new" and first["admin_state_up"] is True
    assert report(network_app, host="node-3")["status"] == "alive"
    age(network_app, first["id"], 3600)
    path = f"/v2.0/agents/{first['id']}"
    assert admin.get(path).get_json()["agent"]["alive"] is False
    assert report(network_app, host="node-3")["status"] == "revived"
    assert admin.get(path).get_json()["agent"]["alive"] is True


def test_started_at_moves_only_on_a_start(network_app, admin):
    agent = report(network_app, host="node-4", start_flag=True)
    path = f"/v2.0/agents/{agent['id']}"

    def backdate(session):
        old = models.utcnow() - datetime.timedelta(days=1)
        session.execute(sa.update(models.Agent).where(models.Agent.id == agent["id"])
                        .values(started_at=old, heartbeat_timestamp=old))
    network_app.extensions["network"].db.write(backdate)
    started = admin.get(path).get_json()["agent"]["started_at"]
    report(network_app, host="node-4")
    assert admin.get(path).get_json()["agent"]["started_at"] == started
    report(network_app, host="node-4", start_flag=True)
    assert admin.get(path).get_json()["agent"]["started_at"] != started


def test_admins_update_state_and_description(admin, agents):
    path = f"/v2.0/agents/{agents[rpcapi.DHCP_AGENT]['id']}"
    changed = admin.put(path, json={"agent": {"admin_state_up": False,
                                              "description": "maintenance"}})
    assert changed.status_code == 200
    body = changed.get_json()["agent"]
    assert body["admin_state_up"] is False and body["description"] == "maintenance"
    assert admin.get(path).get_json()["agent"]["admin_state_up"] is False
    cleared = admin.put(path, json={"agent": {"description": None}}).get_json()["agent"]
    assert cleared["description"] is None
    assert fault(admin.put(path, json={"agent": {"host": "x"}})) == (400, "HTTPBadRequest")
    assert fault(admin.put(path, json={"agent": {"admin_state_up": "maybe"}})) == \
        (400, "HTTPBadRequest")


def test_a_deleted_agent_comes_back_with_its_next_heartbeat(network_app, admin, agents):
    agent_id = agents[rpcapi.METADATA_AGENT]["id"]
    assert admin.delete(f"/v2.0/agents/{agent_id}").status_code == 204
    assert fault(admin.get(f"/v2.0/agents/{agent_id}")) == (404, "AgentNotFound")
    assert fault(admin.delete(f"/v2.0/agents/{agent_id}")) == (404, "AgentNotFound")
    again = report(network_app, rpcapi.METADATA_AGENT)
    assert again["status"] == "new" and again["id"] != agent_id


def test_agents_are_for_administrators_only(demo, agents):
    agent_id = agents[rpcapi.LINUX_BRIDGE_AGENT]["id"]
    assert demo.get("/v2.0/agents").get_json() == {"agents": []}
    assert fault(demo.get(f"/v2.0/agents/{agent_id}")) == (404, "AgentNotFound")
    assert fault(demo.put(f"/v2.0/agents/{agent_id}",
                          json={"agent": {"description": "x"}})) == (404, "AgentNotFound")
    assert fault(demo.delete(f"/v2.0/agents/{agent_id}")) == (404, "AgentNotFound")


def test_agents_cannot_be_created(admin):
    assert fault(admin.post("/v2.0/agents", json={"agent": {}})) == (400, "BadRequest")
    assert fault(admin.post("/v2.0/agents", json={"agent": {"host": "x"}}))[0] == 400


def test_unknown_agent_types_are_refused(network_app):
    from network import exception
    with pytest.raises(exception.InvalidInput):
        report(network_app, "Open vSwitch agent")


def test_the_agent_extension_is_announced(admin):
    aliases = {ext["alias"] for ext in admin.get("/v2.0/extensions").get_json()["extensions"]}
    assert {"agent", "agent-resources-synced"} <= aliases
