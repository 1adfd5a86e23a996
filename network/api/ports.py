"""``/v2.0/ports``: ports with fixed IPs, MAC, binding, security groups,
allowed address pairs and extra DHCP options."""
import flask

from network.api import attributes as attr
from network.api import common
from network.api.attributes import Attribute
from network.api.resource import Controller

blueprint = flask.Blueprint("ports", __name__)

VNIC_TYPES = ["normal", "direct", "macvtap", "baremetal", "direct-physical",
              "virtio-forwarder", "smart-nic", "vdpa", "accelerator-direct",
              "accelerator-direct-physical", "remote-managed"]
FIXED_IPS = {"type": ["array", "null"], "items": {
    "type": "object", "additionalProperties": False,
    "properties": {"subnet_id": {"type": "string"}, "ip_address": {"type": "string"}}}}
PAIRS = {"type": ["array", "null"], "items": {
    "type": "object", "required": ["ip_address"], "additionalProperties": False,
    "properties": {"ip_address": {"type": "string"},
                   "mac_address": {"type": ["string", "null"]}}}}
DHCP_OPTS = {"type": ["array", "null"], "items": {
    "type": "object", "required": ["opt_name"],
    "properties": {"opt_name": {"type": "string", "maxLength": 64},
                   "opt_value": {"type": ["string", "null"], "maxLength": 255},
                   "ip_version": {"enum": [4, 6, "4", "6"]}}}}
STRINGS = {"type": ["array", "null"], "items": {"type": "string"}}

RESOURCE = attr.Resource("port", "ports", (
    Attribute("network_id", post=True, required=True, schema=attr.string(36), filter=True,
              sort=True),
    Attribute("admin_state_up", post=True, put=True, default=True, convert=attr.to_bool,
              filter=True, sort=True),
    Attribute("mac_address", post=True, put=True, schema=attr.string(32), filter=True,
              sort=True, policy=True),
    Attribute("fixed_ips", post=True, put=True, schema=FIXED_IPS, filter=True, policy=True),
    Attribute("device_id", post=True, put=True, default="", schema=attr.string(), filter=True,
              sort=True, policy=True),
    Attribute("device_owner", post=True, put=True, default="", schema=attr.string(),
              filter=True, sort=True, policy=True),
    Attribute("status", filter=True, sort=True),
    Attribute("security_groups", post=True, put=True, schema=STRINGS, filter=True),
    Attribute("port_security_enabled", post=True, put=True, convert=attr.to_bool,
              filter=True, policy=True),
    Attribute("allowed_address_pairs", post=True, put=True, schema=PAIRS, policy=True),
    Attribute("extra_dhcp_opts", post=True, put=True, schema=DHCP_OPTS),
    Attribute("binding:host_id", post=True, put=True, default="",
              schema={"type": ["string", "null"], "maxLength": 255}, filter=True, sort=True,
              policy=True),
    Attribute("binding:vnic_type", post=True, put=True, default="normal",
              schema={"enum": VNIC_TYPES}, filter=True, sort=True, policy=True),
    Attribute("binding:profile", post=True, put=True,
              schema={"type": ["object", "null"]}, policy=True),
    Attribute("binding:vif_type", policy=True),
    Attribute("binding:vif_details", policy=True),
))


def _network_target(caller, item: dict) -> dict:
    return common.service().networks.policy_target(caller, item["network_id"])


controller = Controller(RESOURCE, parent_target=_network_target, sub_attributes={
    "fixed_ips": ("ip_address", "subnet_id"),
    "allowed_address_pairs": ("ip_address", "mac_address"),
})
controller.register(blueprint)
