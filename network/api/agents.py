"""``/v2.0/agents``: the network agents (Neutron's ``agent`` extension, with
``availability_zone`` and ``resources_synced``), for administrators only.

Agents register themselves over RPC (:mod:`network.manager.agents`); the
API lists, shows, updates (``admin_state_up``, ``description``) and
deletes them. Anyone else lists none and finds none (404), as in Neutron.
``resources_synced`` says whether the agent's last full synchronization of
its host with the API succeeded.
"""
import flask

from network.api import attributes as attr
from network.api.attributes import Attribute
from network.api.resource import Controller

blueprint = flask.Blueprint("agents", __name__)

ATTRIBUTES = (
    Attribute("id", filter=True, sort=True),
    Attribute("agent_type", filter=True, sort=True),
    Attribute("binary", filter=True, sort=True),
    Attribute("topic", filter=True, sort=True),
    Attribute("host", filter=True, sort=True),
    Attribute("admin_state_up", put=True, convert=attr.to_bool, filter=True, sort=True),
    Attribute("created_at", sort=True),
    Attribute("started_at", sort=True),
    Attribute("heartbeat_timestamp", sort=True),
    Attribute("alive", convert=attr.to_bool, filter=True),
    Attribute("configurations"),
    Attribute("availability_zone", filter=True, sort=True),
    Attribute("description", put=True, schema=attr.NULLABLE_STRING, filter=True, sort=True),
    Attribute("resources_synced"),
)


class AgentResource(attr.Resource):
    """Agents have none of the standard attributes (no project, name, tags
    or revision): only their own."""

    def __post_init__(self):
        self.attributes = {attribute.name: attribute for attribute in self.own}


RESOURCE = AgentResource("agent", "agents", ATTRIBUTES, named=False)

controller = Controller(RESOURCE)
controller.register(blueprint)
