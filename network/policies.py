"""Default network policy: Neutron's secure-RBAC defaults.

Rule names are Neutron's, so a Neutron policy file works here: per action
(``create_network``, ``get_port``…) and per attribute (``create_network:shared``,
``get_port:binding:host_id``…). Attribute rules are checked only for the
attributes a request actually sets (on create, only when the value differs
from the default); an attribute whose ``get_*`` rule fails is left out of the
response instead of failing it.

Targets are flat dicts of the resource's ownership fields: ``project_id``
(and ``tenant_id``), ``network:project_id`` for subnets and ports,
``shared`` and ``router:external`` (the network's, for subnets and ports),
``device_owner`` for ports. ``field:<collection>:<attribute>=<value>``
checks (Neutron's, e.g. ``field:networks:shared=True``) compare
``target[attribute]`` with the value; a value starting with ``~`` is a
regular expression.

Which resources a caller sees at all is the managers' rule (SQL scoping);
a resource the caller cannot see is 404, never 403. Override any rule in
/etc/stratus/network-policy.yaml.
"""
import re

from oslo_policy import policy

ADMIN = "rule:admin_only"
SERVICE = "rule:service_api"
PROJECT_MEMBER = "role:member and project_id:%(project_id)s"
PROJECT_READER = "role:reader and project_id:%(project_id)s"
NET_OWNER_MEMBER = "role:member and rule:network_owner"
NET_OWNER_READER = "role:reader and rule:network_owner"


def any_of(*checks: str) -> str:
    return " or ".join(f"({check})" for check in checks)


ADMIN_OR_SERVICE = any_of(ADMIN, SERVICE)
ADMIN_OR_PROJECT_MEMBER = any_of(ADMIN, PROJECT_MEMBER)
ADMIN_OR_PROJECT_READER = any_of(ADMIN, PROJECT_READER)
ADMIN_OR_NET_OWNER_MEMBER = any_of(ADMIN, NET_OWNER_MEMBER)
ADMIN_OR_NET_OWNER_READER = any_of(ADMIN, NET_OWNER_READER)

BASE = {
    "context_is_admin": "role:admin",
    "service_api": "role:service",
    "owner": "project_id:%(project_id)s",
    "admin_or_owner": "rule:context_is_admin or rule:owner",
    "admin_or_network_owner": "rule:context_is_admin or project_id:%(network:project_id)s",
    "admin_owner_or_network_owner": "rule:owner or rule:admin_or_network_owner",
    "network_owner": "project_id:%(network:project_id)s",
    "admin_only": "rule:context_is_admin",
    "regular_user": "",
    "shared": "field:networks:shared=True",
    "external": "field:networks:router:external=True",
    "external_network": "field:subnets:router:external=True",
    "network_device": "field:port:device_owner=~^network:",
    "shared_subnetpools": "field:subnetpools:shared=True",
    "default": "rule:admin_or_owner",
}

NETWORKS = {
    "create_network": ADMIN_OR_PROJECT_MEMBER,
    "create_network:shared": ADMIN,
    "create_network:router:external": ADMIN,
    "create_network:is_default": ADMIN,
    "create_network:port_security_enabled": ADMIN_OR_PROJECT_MEMBER,
    "create_network:provider:network_type": ADMIN,
    "create_network:provider:physical_network": ADMIN,
    "create_network:provider:segmentation_id": ADMIN,
    "create_network:tags": ADMIN_OR_PROJECT_MEMBER,
    "get_network": any_of(ADMIN_OR_PROJECT_READER, SERVICE, "rule:shared", "rule:external"),
    "get_network:provider:network_type": ADMIN,
    "get_network:provider:physical_network": ADMIN,
    "get_network:provider:segmentation_id": ADMIN,
    "get_network:tags": any_of(ADMIN_OR_PROJECT_READER, "rule:shared", "rule:external"),
    "update_network": ADMIN_OR_PROJECT_MEMBER,
    "update_network:shared": ADMIN,
    "update_network:router:external": ADMIN,
    "update_network:is_default": ADMIN,
    "update_network:port_security_enabled": ADMIN_OR_PROJECT_MEMBER,
    "update_network:provider:network_type": ADMIN,
    "update_network:provider:physical_network": ADMIN,
    "update_network:provider:segmentation_id": ADMIN,
    "update_network:tags": ADMIN_OR_PROJECT_MEMBER,
    "delete_network": ADMIN_OR_PROJECT_MEMBER,
    "delete_network:tags": ADMIN_OR_PROJECT_MEMBER,
}

SUBNETS = {
    "create_subnet": ADMIN_OR_NET_OWNER_MEMBER,
    "create_subnet:segment_id": ADMIN,
    "create_subnet:service_types": ADMIN,
    "create_subnet:tags": any_of(PROJECT_MEMBER, ADMIN_OR_NET_OWNER_MEMBER),
    "get_subnet": any_of(PROJECT_READER, "rule:shared", "rule:external_network",
                         ADMIN_OR_NET_OWNER_READER, SERVICE),
    "get_subnet:segment_id": ADMIN,
    "get_subnet:tags": any_of(PROJECT_READER, "rule:shared", "rule:external_network",
                              ADMIN_OR_NET_OWNER_READER),
    "update_subnet": any_of(PROJECT_MEMBER, ADMIN_OR_NET_OWNER_MEMBER),
    "update_subnet:segment_id": ADMIN,
    "update_subnet:service_types": ADMIN,
    "update_subnet:tags": any_of(PROJECT_MEMBER, ADMIN_OR_NET_OWNER_MEMBER),
    "delete_subnet": any_of(PROJECT_MEMBER, ADMIN_OR_NET_OWNER_MEMBER),
    "delete_subnet:tags": any_of(PROJECT_MEMBER, ADMIN_OR_NET_OWNER_MEMBER),
}

_PAIRS = any_of(ADMIN_OR_NET_OWNER_MEMBER, SERVICE)
PORTS = {
    "create_port": any_of(ADMIN_OR_SERVICE, NET_OWNER_MEMBER, "rule:shared"),
    "create_port:device_id": any_of(ADMIN_OR_PROJECT_MEMBER, SERVICE),
    "create_port:device_owner": any_of("not rule:network_device", ADMIN_OR_SERVICE,
                                       NET_OWNER_MEMBER),
    "create_port:mac_address": any_of(ADMIN_OR_SERVICE, NET_OWNER_MEMBER),
    "create_port:fixed_ips": any_of(ADMIN_OR_SERVICE, NET_OWNER_MEMBER, "rule:shared"),
    "create_port:fixed_ips:ip_address": any_of(ADMIN_OR_SERVICE, NET_OWNER_MEMBER),
    "create_port:fixed_ips:subnet_id": any_of(ADMIN_OR_SERVICE, NET_OWNER_MEMBER,
                                              "rule:shared"),
    "create_port:port_security_enabled": any_of(ADMIN_OR_SERVICE, NET_OWNER_MEMBER),
    "create_port:binding:host_id": ADMIN_OR_SERVICE,
    "create_port:binding:profile": ADMIN_OR_SERVICE,
    "create_port:binding:vnic_type": any_of(ADMIN_OR_PROJECT_MEMBER, SERVICE),
    "create_port:allowed_address_pairs": _PAIRS,
    "create_port:allowed_address_pairs:mac_address": _PAIRS,
    "create_port:allowed_address_pairs:ip_address": _PAIRS,
    "create_port:tags": ADMIN_OR_PROJECT_MEMBER,
    "get_port": any_of(ADMIN_OR_SERVICE, NET_OWNER_READER, PROJECT_READER),
    "get_port:binding:vif_type": ADMIN_OR_SERVICE,
    "get_port:binding:vif_details": ADMIN_OR_SERVICE,
    "get_port:binding:host_id": ADMIN_OR_SERVICE,
    "get_port:binding:profile": ADMIN_OR_SERVICE,
    "get_port:tags": any_of(ADMIN_OR_NET_OWNER_READER, PROJECT_READER),
    "update_port": any_of(ADMIN_OR_SERVICE, PROJECT_MEMBER),
    "update_port:device_id": any_of(ADMIN_OR_PROJECT_MEMBER, SERVICE),
    "update_port:device_owner": any_of("not rule:network_device", ADMIN_OR_SERVICE,
                                       NET_OWNER_MEMBER),
    "update_port:mac_address": any_of(ADMIN_OR_SERVICE, NET_OWNER_MEMBER),
    "update_port:fixed_ips": any_of(ADMIN_OR_SERVICE, NET_OWNER_MEMBER),
    "update_port:fixed_ips:ip_address": any_of(ADMIN_OR_SERVICE, NET_OWNER_MEMBER),
    "update_port:fixed_ips:subnet_id": any_of(ADMIN_OR_SERVICE, NET_OWNER_MEMBER,
                                              "rule:shared"),
    "update_port:port_security_enabled": any_of(ADMIN_OR_SERVICE, NET_OWNER_MEMBER),
    "update_port:binding:host_id": ADMIN_OR_SERVICE,
    "update_port:binding:profile": ADMIN_OR_SERVICE,
    "update_port:binding:vnic_type": any_of(ADMIN_OR_SERVICE, PROJECT_MEMBER),
    "update_port:allowed_address_pairs": _PAIRS,
    "update_port:allowed_address_pairs:mac_address": _PAIRS,
    "update_port:allowed_address_pairs:ip_address": _PAIRS,
    "update_port:tags": ADMIN_OR_PROJECT_MEMBER,
    "delete_port": any_of(ADMIN_OR_SERVICE, NET_OWNER_MEMBER, PROJECT_MEMBER),
    "delete_port:tags": any_of(PROJECT_MEMBER, ADMIN_OR_NET_OWNER_MEMBER),
}

SUBNETPOOLS = {
    "create_subnetpool": ADMIN_OR_PROJECT_MEMBER,
    "create_subnetpool:shared": ADMIN,
    "create_subnetpool:is_default": ADMIN,
    "create_subnetpool:tags": ADMIN_OR_PROJECT_MEMBER,
    "get_subnetpool": any_of(ADMIN_OR_PROJECT_READER, "rule:shared_subnetpools"),
    "get_subnetpool:tags": any_of(ADMIN_OR_PROJECT_READER, "rule:shared_subnetpools"),
    "update_subnetpool": ADMIN_OR_PROJECT_MEMBER,
    "update_subnetpool:is_default": ADMIN,
    "update_subnetpool:tags": ADMIN_OR_PROJECT_MEMBER,
    "delete_subnetpool": ADMIN_OR_PROJECT_MEMBER,
    "delete_subnetpool:tags": ADMIN_OR_PROJECT_MEMBER,
    "add_prefixes": ADMIN_OR_PROJECT_MEMBER,
    "remove_prefixes": ADMIN_OR_PROJECT_MEMBER,
}

SG_OWNER_MEMBER = "role:member and rule:sg_owner"
SG_OWNER_READER = "role:reader and rule:sg_owner"
SECURITY_GROUPS = {
    "sg_owner": "project_id:%(security_group:project_id)s",
    "admin_or_sg_owner": any_of("rule:context_is_admin", "rule:sg_owner"),
    "admin_owner_or_sg_owner": any_of("rule:owner", "rule:admin_or_sg_owner"),
    "create_security_group": ADMIN_OR_PROJECT_MEMBER,
    "create_security_group:tags": ADMIN_OR_PROJECT_MEMBER,
    "get_security_group": ADMIN_OR_PROJECT_READER,
    "get_security_group:tags": ADMIN_OR_PROJECT_READER,
    "update_security_group": ADMIN_OR_PROJECT_MEMBER,
    "update_security_group:tags": ADMIN_OR_PROJECT_MEMBER,
    "delete_security_group": ADMIN_OR_PROJECT_MEMBER,
    "delete_security_group:tags": ADMIN_OR_PROJECT_MEMBER,
    "create_security_group_rule": any_of(ADMIN, SG_OWNER_MEMBER),
    "get_security_group_rule": any_of(ADMIN, SG_OWNER_READER),
    "delete_security_group_rule": any_of(ADMIN, SG_OWNER_MEMBER),
}

PROJECT_MANAGER = "role:manager and project_id:%(project_id)s"
ROUTERS = {
    "create_router": ADMIN_OR_PROJECT_MEMBER,
    "create_router:external_gateway_info": ADMIN_OR_PROJECT_MEMBER,
    "create_router:external_gateway_info:network_id": ADMIN_OR_PROJECT_MEMBER,
    "create_router:external_gateway_info:enable_snat": ADMIN,
    "create_router:external_gateway_info:external_fixed_ips": ADMIN,
    "create_router:tags": ADMIN_OR_PROJECT_MEMBER,
    "get_router": ADMIN_OR_PROJECT_READER,
    "get_router:tags": ADMIN_OR_PROJECT_READER,
    "update_router": ADMIN_OR_PROJECT_MEMBER,
    "update_router:external_gateway_info": ADMIN_OR_PROJECT_MEMBER,
    "update_router:external_gateway_info:network_id": ADMIN_OR_PROJECT_MEMBER,
    "update_router:external_gateway_info:enable_snat": ADMIN,
    "update_router:external_gateway_info:external_fixed_ips": ADMIN,
    "update_router:tags": ADMIN_OR_PROJECT_MEMBER,
    "delete_router": ADMIN_OR_PROJECT_MEMBER,
    "delete_router:tags": ADMIN_OR_PROJECT_MEMBER,
    "add_router_interface": ADMIN_OR_PROJECT_MEMBER,
    "remove_router_interface": ADMIN_OR_PROJECT_MEMBER,
    "add_extraroutes": ADMIN_OR_PROJECT_MEMBER,
    "remove_extraroutes": ADMIN_OR_PROJECT_MEMBER,
}

FLOATINGIPS = {
    "create_floatingip": ADMIN_OR_PROJECT_MEMBER,
    "create_floatingip:floating_ip_address": any_of(ADMIN, PROJECT_MANAGER),
    "create_floatingip:tags": ADMIN_OR_PROJECT_MEMBER,
    "get_floatingip": ADMIN_OR_PROJECT_READER,
    "get_floatingip:tags": ADMIN_OR_PROJECT_READER,
    "update_floatingip": ADMIN_OR_PROJECT_MEMBER,
    "update_floatingip:tags": ADMIN_OR_PROJECT_MEMBER,
    "delete_floatingip": ADMIN_OR_PROJECT_MEMBER,
    "delete_floatingip:tags": ADMIN_OR_PROJECT_MEMBER,
    "get_floatingip_pool": ADMIN_OR_PROJECT_READER,
}

OTHERS = {
    "get_quota": any_of(ADMIN, PROJECT_READER),
    "update_quota": ADMIN,
    "delete_quota": ADMIN,
    "get_availability_zone": "",
}

AGENTS = {
    "get_agent": ADMIN,
    "update_agent": ADMIN,
    "delete_agent": ADMIN,
}


@policy.register("field")
class FieldCheck(policy.Check):
    """``field:<collection>:<attribute>=<value>``: the target's attribute
    equals the value (``True``/``False`` and integers are converted; ``~``
    starts a regular expression)."""

    def __init__(self, kind: str, match: str):
        super().__init__(kind, match)
        _collection, _, rest = match.partition(":")
        self.field, _, value = rest.rpartition("=")
        self.regex = re.compile(value[1:]) if value.startswith("~") else None
        self.value = _literal(value)

    def __call__(self, target, creds, enforcer, current_rule=None):
        value = target.get(self.field)
        if value is None:
            return False
        if self.regex is not None:
            return bool(self.regex.match(str(value)))
        return value == self.value


def _literal(value: str):
    if value in ("True", "False"):
        return value == "True"
    try:
        return int(value)
    except ValueError:
        return value


def list_rules() -> list[policy.RuleDefault]:
    rules = {}
    for group in (BASE, NETWORKS, SUBNETS, PORTS, SUBNETPOOLS, SECURITY_GROUPS, ROUTERS,
                  FLOATINGIPS, OTHERS, AGENTS):
        rules.update(group)
    return [policy.RuleDefault(name, check) for name, check in rules.items()]
