"""``/v2.0/subnetpools``: subnet pools, and adding or removing their prefixes."""
import flask

from network.api import attributes as attr
from network.api import common
from network.api.attributes import Attribute
from network.api.resource import Controller, target

blueprint = flask.Blueprint("subnetpools", __name__)

PREFIXLEN = {"type": ["integer", "null"], "minimum": 0, "maximum": 128}
RESOURCE = attr.Resource("subnetpool", "subnetpools", (
    Attribute("prefixes", post=True, put=True, required=True,
              schema={"type": "array", "items": {"type": "string"}}),
    Attribute("ip_version", filter=True, sort=True, convert=attr.to_int),
    Attribute("default_prefixlen", post=True, put=True, convert=attr.to_int_or_none,
              schema=PREFIXLEN, filter=True, sort=True),
    Attribute("min_prefixlen", post=True, put=True, convert=attr.to_int_or_none,
              schema=PREFIXLEN, filter=True, sort=True),
    Attribute("max_prefixlen", post=True, put=True, convert=attr.to_int_or_none,
              schema=PREFIXLEN, filter=True, sort=True),
    Attribute("shared", post=True, default=False, convert=attr.to_bool, filter=True,
              policy=True),
    Attribute("is_default", post=True, put=True, default=False, convert=attr.to_bool,
              filter=True, sort=True, policy=True),
    Attribute("default_quota", post=True, put=True, convert=attr.to_int_or_none,
              schema={"type": ["integer", "null"], "minimum": 0}, filter=True, sort=True),
    Attribute("address_scope_id", post=True, put=True, schema=attr.NULLABLE_STRING,
              filter=True),
))

controller = Controller(RESOURCE)
controller.register(blueprint)

PREFIXES_BODY = attr.Attribute("prefixes", schema={"type": "array", "minItems": 1,
                                                   "items": {"type": "string"}})


@blueprint.put("/v2.0/subnetpools/<pool_id>/add_prefixes")
def add_prefixes(pool_id):
    return _change_prefixes(pool_id, "add_prefixes", add=True)


@blueprint.put("/v2.0/subnetpools/<pool_id>/remove_prefixes")
def remove_prefixes(pool_id):
    return _change_prefixes(pool_id, "remove_prefixes", add=False)


def _change_prefixes(pool_id: str, action: str, add: bool):
    prefixes = PREFIXES_BODY.parse(common.body().get("prefixes"))
    service = common.service()
    caller = common.caller()
    common.authorize(action, target(service.subnetpools.get(caller, pool_id)))
    return {"prefixes": service.subnetpools.change_prefixes(caller, pool_id, prefixes, add)}
