"""``/v2.0/floatingips``: floating IPs on external networks, associated
with a fixed IP of a port or not (with ``port_details``), and
``GET /v2.0/floatingip_pools`` (the subnets they come from)."""
import ipaddress

import flask

from network import exception
from network.api import attributes as attr
from network.api import common, listing
from network.api.attributes import Attribute
from network.api.resource import Controller

blueprint = flask.Blueprint("floating_ips", __name__)

UUID = {"type": "string",
        "pattern": "^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?"
                   "[0-9a-fA-F]{12}$"}
UUID_OR_NONE = {"anyOf": [{"type": "null"}, UUID]}


def ip_or_none(value) -> str | None:
    if value is None:
        return None
    try:
        return str(ipaddress.ip_address(value))
    except (TypeError, ValueError):
        raise ValueError(f"'{value}' is not a valid IP address")


RESOURCE = attr.Resource("floatingip", "floatingips", (
    Attribute("floating_ip_address", post=True, default=None, convert=ip_or_none,
              filter=True, sort=True, policy=True),
    Attribute("subnet_id", post=True, default=None, schema=UUID_OR_NONE),
    Attribute("floating_network_id", post=True, required=True, schema=UUID, filter=True,
              sort=True),
    Attribute("router_id", filter=True, sort=True),
    Attribute("port_id", post=True, put=True, default=None, schema=UUID_OR_NONE, filter=True),
    Attribute("fixed_ip_address", post=True, put=True, default=None, convert=ip_or_none,
              filter=True, sort=True),
    Attribute("status", filter=True, sort=True),
    Attribute("port_details"),
), named=False)

controller = Controller(RESOURCE)
controller.register(blueprint)

POOL_FIELDS = ("subnet_id", "subnet_name", "network_id", "cidr", "project_id")


@blueprint.get("/v2.0/floatingip_pools")
def list_floatingip_pools():
    args = flask.request.args
    unknown = [key for key in args if key not in listing.PAGING]
    if unknown:
        raise exception.HTTPBadRequest(msg=f"{unknown} is invalid attribute for filtering")
    caller = common.caller()
    common.authorize("get_floatingip_pool", {"project_id": caller.project_id,
                                             "tenant_id": caller.project_id})
    pools = common.service().floatingips.pools(caller)
    fields = listing.fields(args)
    if fields:
        pools = [{key: value for key, value in pool.items() if key in fields}
                 for pool in pools]
    return {"floatingip_pools": pools}
