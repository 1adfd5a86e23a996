"""Network service options, one group per concern.

* ``[network]`` - how networks, ports and addresses are made: the tenant
  network type and its VNI range, flat physical networks, MTUs, the MAC
  prefix, per-resource limits, pagination and the availability zone.
* ``[quotas]`` - the default per-project quota of each resource (-1 means
  unlimited); ``PUT /v2.0/quotas/{project_id}`` overrides them per project.
"""
from oslo_config import cfg

from stratus.wsgi import auth

NETWORK_OPTS = [
    cfg.StrOpt("tenant_network_type", default="vxlan", choices=["vxlan", "local"],
               help="Type of the networks a project creates without provider "
                    "attributes: 'vxlan' (a VNI from vni_ranges, reaching every "
                    "node) or 'local' (confined to one node)."),
    cfg.ListOpt("vni_ranges", default=["1:1000"],
                help="Inclusive <first>:<last> ranges of VXLAN network identifiers "
                     "handed to tenant networks; an admin may pick any VNI from 1 to "
                     "16777215 with provider:segmentation_id."),
    cfg.ListOpt("flat_networks", default=["*"],
                help="Physical network names a flat provider network may use; '*' "
                     "allows any name. Each physical network carries at most one "
                     "flat network."),
    cfg.IntOpt("global_physnet_mtu", default=1500, min=68,
               help="MTU of the underlying physical network. Flat and local networks "
                    "get it; VXLAN networks get it minus the 50 bytes of VXLAN over "
                    "IPv4 (1450 by default)."),
    cfg.StrOpt("base_mac", default="fa:16:3e:00:00:00",
               help="Prefix of generated port MAC addresses: the octets that are not "
                    "00 are kept, the 00 ones are random. Must be unicast."),
    cfg.StrOpt("availability_zone", default="nova",
               help="Name of the one availability zone networks and routers are in."),
    cfg.IntOpt("max_dns_nameservers", default=5, min=0,
               help="Most DNS name servers one subnet may carry."),
    cfg.IntOpt("max_subnet_host_routes", default=20, min=0,
               help="Most host routes one subnet may carry."),
    cfg.IntOpt("max_allowed_address_pair", default=10, min=0,
               help="Most allowed address pairs one port may carry."),
    cfg.IntOpt("pagination_max_limit", default=-1, min=-1,
               help="Most items one list call returns, whatever its 'limit' says; "
                    "-1 means no cap (a list without 'limit' returns everything)."),
]

AGENT_OPTS = [
    cfg.IntOpt("agent_down_time", default=75, min=1,
               help="Seconds after its last heartbeat a network agent is considered "
                    "down ('alive' false in /v2.0/agents). Keep it at least twice the "
                    "agents' report_interval."),
]

QUOTA_DEFAULTS = {
    "network": 100, "subnet": 100, "port": 500, "subnetpool": -1,
    "router": 10, "floatingip": 50, "security_group": 10,
    "security_group_rule": 100, "rbac_policy": 10,
}

QUOTA_OPTS = [
    cfg.IntOpt(f"quota_{name}", default=default, min=-1,
               help=f"Default number of {name} resources one project may own; "
                    "-1 means unlimited.")
    for name, default in QUOTA_DEFAULTS.items()
]


def register(conf: cfg.ConfigOpts) -> None:
    conf.register_opts(NETWORK_OPTS, group="network")
    conf.register_opts(QUOTA_OPTS, group="quotas")
    conf.register_opts(AGENT_OPTS, group="agent")
    auth.register(conf)
    conf.set_default("bind_port", 9696, group="api")


def list_opts():
    return [
        ("network", NETWORK_OPTS),
        ("quotas", QUOTA_OPTS),
        ("agent", AGENT_OPTS),
    ]
