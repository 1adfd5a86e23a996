"""``/v2.0/security-group-rules``: create, list, show and delete rules
(``security-group``, ``security-groups-normalized-cidr``,
``security-groups-rules-belongs-to-default-sg``); rules are never updated
(no PUT, 405).

A rule's policy target carries its group's owner
(``security_group:project_id``): the group's owner (or an admin) manages its
rules, whoever created them.
"""
import flask

from network.api import attributes as attr
from network.api import common
from network.api.attributes import Attribute
from network.api.resource import Controller
from network.api.security_groups import register
from network.manager import security_group_rule_values as values

blueprint = flask.Blueprint("security_group_rules", __name__)

NULLABLE_ID = {"type": ["string", "null"], "maxLength": 36}
RESOURCE = attr.Resource("security_group_rule", "security_group_rules", (
    Attribute("security_group_id", post=True, required=True, schema=attr.string(36),
              filter=True, sort=True),
    Attribute("remote_group_id", post=True, default=None, schema=NULLABLE_ID, filter=True,
              sort=True),
    Attribute("remote_address_group_id", post=True, default=None, schema=NULLABLE_ID,
              filter=True, sort=True),
    Attribute("direction", post=True, required=True, schema={"enum": values.DIRECTIONS},
              filter=True, sort=True),
    Attribute("protocol", post=True, default=None, convert=values.convert_protocol,
              filter=True, sort=True),
    Attribute("port_range_min", post=True, default=None, convert=values.convert_port,
              filter=True, sort=True),
    Attribute("port_range_max", post=True, default=None, convert=values.convert_port,
              filter=True, sort=True),
    Attribute("ethertype", post=True, default=values.IPV4, convert=values.convert_ethertype,
              filter=True, sort=True),
    Attribute("remote_ip_prefix", post=True, default=None, convert=values.convert_ip_prefix,
              filter=True, sort=True),
    Attribute("normalized_cidr", filter=True, sort=True),
    Attribute("belongs_to_default_sg", convert=attr.to_bool, filter=True),
), named=False)


def _group_target(caller, item: dict) -> dict:
    return common.service().security_groups.policy_target(caller, item["security_group_id"])


controller = Controller(RESOURCE, parent_target=_group_target)
register(controller, blueprint, "security-group-rules", updatable=False)
