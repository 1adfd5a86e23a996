"""``/v2.0/availability_zones``: the one zone networks and routers live in."""
import flask

from network import exception
from network.api import common, listing
from network.api.attributes import Attribute

blueprint = flask.Blueprint("availability_zones", __name__)

FILTERS = {"name": Attribute("name", filter=True), "resource": Attribute("resource",
                                                                         filter=True),
           "state": Attribute("state", filter=True)}
RESOURCES = ("network", "router")


@blueprint.get("/v2.0/availability_zones")
def list_zones():
    common.authorize("get_availability_zone")
    zone = common.service().conf.network.availability_zone
    zones = [{"name": zone, "resource": resource, "state": "available"}
             for resource in RESOURCES]
    args = flask.request.args
    unknown = [key for key in args if key not in FILTERS and key not in listing.PAGING]
    if unknown:
        raise exception.HTTPBadRequest(
            msg=f"{unknown} is invalid attribute for filtering")
    for key in FILTERS:
        if key in args:
            zones = [z for z in zones if z[key] in args.getlist(key)]
    fields = listing.fields(args)
    if fields:
        zones = [{k: v for k, v in z.items() if k in fields} for z in zones]
    return {"availability_zones": zones}
