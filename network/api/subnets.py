"""``/v2.0/subnets``: IPv4 and IPv6 subnets, from a CIDR or a subnet pool."""
import flask

from network.api import attributes as attr
from network.api import common
from network.api.attributes import Attribute
from network.api.resource import Controller

blueprint = flask.Blueprint("subnets", __name__)

IPV6_MODE = {"enum": ["slaac", "dhcpv6-stateless", "dhcpv6-stateful", None]}
POOLS = {"type": ["array", "null"], "items": {
    "type": "object", "required": ["start", "end"],
    "properties": {"start": {"type": "string"}, "end": {"type": "string"}}}}
ROUTES = {"type": ["array", "null"], "items": {
    "type": "object", "required": ["destination", "nexthop"],
    "properties": {"destination": {"type": "string"}, "nexthop": {"type": "string"}}}}
STRINGS = {"type": ["array", "null"], "items": {"type": "string"}}

RESOURCE = attr.Resource("subnet", "subnets", (
    Attribute("network_id", post=True, required=True, schema=attr.string(36), filter=True,
              sort=True),
    Attribute("ip_version", post=True, required=True, convert=attr.to_int,
              schema={"enum": [4, 6]}, filter=True, sort=True),
    Attribute("cidr", post=True, schema=attr.NULLABLE_STRING, filter=True, sort=True),
    Attribute("prefixlen", post=True, convert=attr.to_int_or_none,
              schema={"type": ["integer", "null"], "minimum": 0, "maximum": 128}),
    Attribute("subnetpool_id", post=True, schema=attr.NULLABLE_STRING, filter=True,
              sort=True),
    Attribute("use_default_subnetpool", post=True, convert=attr.to_bool),
    Attribute("gateway_ip", post=True, put=True, schema=attr.NULLABLE_STRING, filter=True,
              sort=True),
    Attribute("allocation_pools", post=True, put=True, schema=POOLS),
    Attribute("dns_nameservers", post=True, put=True, schema=STRINGS),
    Attribute("host_routes", post=True, put=True, schema=ROUTES),
    Attribute("enable_dhcp", post=True, put=True, default=True, convert=attr.to_bool,
              filter=True, sort=True),
    Attribute("ipv6_ra_mode", post=True, schema=IPV6_MODE, filter=True, sort=True),
    Attribute("ipv6_address_mode", post=True, schema=IPV6_MODE, filter=True, sort=True),
    Attribute("service_types", post=True, put=True, schema=STRINGS, policy=True),
    Attribute("segment_id", post=True, put=True, schema=attr.NULLABLE_STRING, filter=True,
              policy=True),
    Attribute("router:external", filter=True, convert=attr.to_bool),
))


def _network_target(caller, item: dict) -> dict:
    return common.service().networks.policy_target(caller, item["network_id"])


controller = Controller(RESOURCE, parent_target=_network_target)
controller.register(blueprint)
