"""``/v2.0/routers``: routers with their external gateway, static routes and
availability zone hints, and the actions ``add_router_interface``,
``remove_router_interface``, ``add_extraroutes`` and ``remove_extraroutes``
(``PUT /v2.0/routers/{id}/<action>``).

``external_gateway_info`` is policy-guarded key by key, as in Neutron:
setting ``enable_snat`` or ``external_fixed_ips`` is for admins. An action
on a router the caller cannot see is 404, one policy refuses 403.
"""
import ipaddress

import flask
from oslo_utils import uuidutils

from network import exception
from network.api import attributes as attr
from network.api import common
from network.api.attributes import Attribute
from network.api.resource import Controller, public, target

blueprint = flask.Blueprint("routers", __name__)

GATEWAY_KEYS = ("network_id", "enable_snat", "external_fixed_ips")
ROUTE_KEYS = {"destination", "nexthop"}


def _uuid(value, what: str = "") -> str:
    if not isinstance(value, str) or not uuidutils.is_uuid_like(value):
        raise ValueError(f"'{value}' is not a valid UUID{what}")
    return value


def _ip(value) -> str:
    try:
        return str(ipaddress.ip_address(value))
    except (TypeError, ValueError):
        raise ValueError(f"'{value}' is not a valid IP address")


def gateway_info(value) -> dict | None:
    """``external_gateway_info`` as given (null, ``{}`` or a dict naming
    ``network_id``), with ``enable_snat`` made a boolean; ValueError says
    what is wrong."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError(f"'{value}' is not a dictionary")
    if not value:
        return {}
    unknown = sorted(set(value) - set(GATEWAY_KEYS))
    if unknown:
        raise ValueError(f"Unexpected keys supplied: {', '.join(unknown)}")
    if "network_id" not in value:
        raise ValueError("Validation of dictionary's keys failed. Expected keys: "
                         f"{{'network_id'}} Provided keys: {set(value)}")
    info = {"network_id": _uuid(value["network_id"])}
    if "enable_snat" in value:
        info["enable_snat"] = attr.to_bool(value["enable_snat"])
    if "external_fixed_ips" in value:
        info["external_fixed_ips"] = _fixed_ips(value["external_fixed_ips"])
    return info


def _fixed_ips(entries) -> list[dict]:
    if not isinstance(entries, list):
        raise ValueError(f"Invalid data format for fixed IP: '{entries}'")
    result, seen = [], set()
    for entry in entries:
        if not isinstance(entry, dict) or set(entry) - {"subnet_id", "ip_address"}:
            raise ValueError(f"Invalid data format for fixed IP: '{entry}'")
        fixed = {}
        if "ip_address" in entry:
            if entry["ip_address"] in seen:
                raise ValueError(f"Duplicate IP address '{entry['ip_address']}'")
            seen.add(entry["ip_address"])
            fixed["ip_address"] = _ip(entry["ip_address"])
        if "subnet_id" in entry:
            fixed["subnet_id"] = _uuid(entry["subnet_id"])
        result.append(fixed)
    return result


def routes(value) -> list[dict]:
    """Static routes (null means none), each a destination network and a
    next hop address, in their canonical form; ValueError says what is wrong."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"Invalid data format for hostroute: '{value}'")
    result = []
    for route in value:
        if not isinstance(route, dict) or set(route) != ROUTE_KEYS:
            raise ValueError("Validation of dictionary's keys failed. Expected keys: "
                             f"{ROUTE_KEYS} Provided keys: "
                             f"{set(route) if isinstance(route, dict) else route}")
        entry = {"destination": _destination(route["destination"]),
                 "nexthop": _ip(route["nexthop"])}
        if entry in result:
            raise ValueError(f"Duplicate hostroute '{route}'")
        result.append(entry)
    return result


def _destination(value) -> str:
    try:
        network = ipaddress.ip_network(value)
    except (TypeError, ValueError):
        raise ValueError(f"'{value}' is not a valid CIDR")
    if "/" not in value:
        raise ValueError(f"'{value}' is not a valid CIDR")
    if network.is_loopback:
        raise ValueError(f"'{value}' is not a routable CIDR")
    return str(network)


RESOURCE = attr.Resource("router", "routers", (
    Attribute("admin_state_up", post=True, put=True, default=True, convert=attr.to_bool,
              filter=True, sort=True),
    Attribute("status", sort=True),
    Attribute("external_gateway_info", post=True, put=True, default=None,
              convert=gateway_info, policy=True),
    Attribute("routes", put=True, convert=routes),
    Attribute("availability_zone_hints", post=True, default=[], schema=attr.STRING_LIST),
    Attribute("availability_zones"),
))
ROUTES = Attribute("routes", convert=routes)


class RouterController(Controller):
    """Neutron's controller, with ``external_gateway_info`` guarded per key
    (``<action>_router:external_gateway_info:<key>``)."""

    def _authorize_attribute(self, action: str, name: str, value, proposed: dict) -> None:
        super()._authorize_attribute(action, name, value, proposed)
        if isinstance(value, dict):
            for key in GATEWAY_KEYS:
                if key in value:
                    common.authorize(f"{action}_router:{name}:{key}", proposed)

    def authorize_action(self, action: str, router_id: str) -> None:
        """404 unless the caller sees the router, 403 unless ``action`` is allowed."""
        view = common.service().routers.get(common.caller(), router_id)
        self._authorize_existing(action, view, target(view))


controller = RouterController(RESOURCE)
controller.register(blueprint)


def _interface_info(body: dict, removing: bool) -> dict:
    """The ``subnet_id``/``port_id`` an interface action names (400 unless
    one is given, both only when removing)."""
    given = {key: body[key] for key in ("port_id", "subnet_id") if key in body}
    if not given:
        raise exception.BadRequest(resource="router",
                                   msg="Either subnet_id or port_id must be specified")
    for value in given.values():
        try:
            _uuid(value)
        except ValueError as error:
            raise exception.BadRequest(resource="router", msg=str(error))
    if len(given) == 2 and not removing:
        raise exception.BadRequest(resource="router",
                                   msg="Cannot specify both subnet-id and port-id")
    return given


@blueprint.put("/v2.0/routers/<router_id>/add_router_interface")
def add_router_interface(router_id):
    info = _interface_info(common.body(), removing=False)
    controller.authorize_action("add_router_interface", router_id)
    return common.service().routers.add_interface(common.caller(), router_id, info)


@blueprint.put("/v2.0/routers/<router_id>/remove_router_interface")
def remove_router_interface(router_id):
    info = _interface_info(common.body(), removing=True)
    controller.authorize_action("remove_router_interface", router_id)
    return common.service().routers.remove_interface(common.caller(), router_id, info)


def _routes_body() -> list[dict]:
    body = common.body()
    router = body.get("router")
    if not isinstance(router, dict) or "routes" not in router:
        raise exception.HTTPBadRequest(msg="Unable to find 'routes' in request body")
    return ROUTES.parse(router["routes"])


@blueprint.put("/v2.0/routers/<router_id>/add_extraroutes")
def add_extraroutes(router_id):
    wanted = _routes_body()
    controller.authorize_action("add_extraroutes", router_id)
    return {"router": public(common.service().routers.add_routes(common.caller(), router_id,
                                                                 wanted))}


@blueprint.put("/v2.0/routers/<router_id>/remove_extraroutes")
def remove_extraroutes(router_id):
    wanted = _routes_body()
    controller.authorize_action("remove_extraroutes", router_id)
    return {"router": public(common.service().routers.remove_routes(common.caller(),
                                                                    router_id, wanted))}
