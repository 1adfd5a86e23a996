"""``/v2.0/networks``: Neutron's network resource with the external-net,
provider, port-security, MTU and availability-zone attributes."""
import flask

from network.api import attributes as attr
from network.api.attributes import Attribute
from network.api.resource import Controller

blueprint = flask.Blueprint("networks", __name__)

BOOL = attr.to_bool
RESOURCE = attr.Resource("network", "networks", (
    Attribute("admin_state_up", post=True, put=True, default=True, convert=BOOL, filter=True,
              sort=True),
    Attribute("status", filter=True, sort=True),
    Attribute("subnets"),
    Attribute("shared", post=True, put=True, default=False, convert=BOOL, filter=True,
              policy=True),
    Attribute("router:external", post=True, put=True, default=False, convert=BOOL,
              filter=True, policy=True),
    Attribute("is_default", post=True, put=True, default=False, convert=BOOL, filter=True,
              policy=True),
    Attribute("mtu", post=True, put=True, convert=attr.to_int,
              schema={"type": "integer", "minimum": 0}, filter=True, sort=True),
    Attribute("port_security_enabled", post=True, put=True, default=True, convert=BOOL,
              filter=True, policy=True),
    Attribute("provider:network_type", post=True, put=True, schema=attr.NULLABLE_STRING,
              filter=True, sort=True, policy=True),
    Attribute("provider:physical_network", post=True, put=True,
              schema=attr.NULLABLE_STRING, filter=True, sort=True, policy=True),
    Attribute("provider:segmentation_id", post=True, put=True, convert=attr.to_int_or_none,
              filter=True, sort=True, policy=True),
    Attribute("availability_zone_hints", post=True, schema=attr.STRING_LIST),
    Attribute("availability_zones"),
    Attribute("ipv4_address_scope"),
    Attribute("ipv6_address_scope"),
    Attribute("l2_adjacency"),
))

controller = Controller(RESOURCE)
controller.register(blueprint)
