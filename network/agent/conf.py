"""Options of the network agent's dataplane, one group per concern.

``register(conf)`` adds them to a service's ConfigOpts; ``settings(conf)``
turns them into the ``driver.Settings`` a driver is built with.
"""
from oslo_config import cfg

from network.agent import driver

AGENT_OPTS = [
    cfg.StrOpt("local_ip", default="127.0.0.1",
               help="This host's tunnel endpoint: the source address of its VXLAN "
                    "traffic, and the address other agents flood to. Must be an "
                    "address of this host reachable from every other network agent."),
    cfg.DictOpt("bridge_mappings", default={},
                help="Physical networks this host reaches, each through an existing "
                     "Linux bridge the operator made, as physnet:bridge pairs (for "
                     "example 'public:br-ex'). A flat network on an unmapped physical "
                     "network cannot be wired on this host."),
    cfg.StrOpt("agent_state_path", default="$state_path/network",
               help="Directory where the agent keeps its files: dnsmasq hosts, "
                    "options and leases per network, process ids, and logs of the "
                    "processes it starts."),
    cfg.StrOpt("scope", default="", regex=r"^[a-z0-9]{0,4}$",
               help="Empty on a real node. A short tag (up to 4 lowercase letters or "
                    "digits) for an agent sharing its host with another one (a "
                    "simulated node, a test): its namespaces, iptables chains, ipsets "
                    "and device aliases carry the tag, so each agent sees and cleans "
                    "up only its own. Each agent needs its own agent_state_path."),
]

LOOP_OPTS = [
    cfg.BoolOpt("dhcp", default=True,
                help="Run a DHCP server (dnsmasq, with a metadata proxy for isolated "
                     "networks) for every network with a DHCP-enabled subnet: true on a "
                     "network node. Registers the 'DHCP agent' (and 'Metadata agent')."),
    cfg.BoolOpt("l3", default=True,
                help="Run routers (namespaces, NAT, floating IPs, metadata proxies): "
                     "true on a network node. Each router runs on one of the hosts with "
                     "an enabled 'L3 agent', chosen by the API. Registers the 'L3 "
                     "agent' (and 'Metadata agent')."),
    cfg.StrOpt("driver", default="linuxbridge", choices=["linuxbridge", "fake"],
               help="The dataplane: 'linuxbridge' (the real one) or 'fake' (in memory, "
                    "for a simulated node that carries no traffic)."),
    cfg.FloatOpt("report_interval", default=30.0, min=0.1,
                 help="Seconds between heartbeats to the API (see the API's "
                      "agent_down_time, which should be at least twice this)."),
    cfg.FloatOpt("resync_interval", default=300.0, min=0.1,
                 help="Seconds between full synchronizations: the whole state of this "
                      "host is fetched and applied again, repairing drift (a deleted "
                      "namespace, a killed dnsmasq) and removing what the API no longer "
                      "has."),
    cfg.FloatOpt("tap_scan_interval", default=1.0, min=0.05,
                 help="Seconds between scans for new or vanished taps of the ports "
                      "bound to this host (a new tap is wired and its port goes ACTIVE; "
                      "a vanished one makes it DOWN)."),
    cfg.FloatOpt("retry_interval", default=5.0, min=0.05,
                 help="Seconds before retrying what failed: an API call that timed "
                      "out, or a change the host refused."),
]

DHCP_OPTS = [
    cfg.IntOpt("dnsmasq_lease_duration", default=86400, min=120,
               help="Seconds a DHCP lease lasts; guests renew at half of it."),
    cfg.ListOpt("dhcp_dns_servers", default=[],
                help="DNS servers offered to guests on subnets that name none of "
                     "their own (dns_nameservers). Empty: offer none."),
]

METADATA_OPTS = [
    cfg.StrOpt("metadata_url", default="http://127.0.0.1:8775",
               help="The compute metadata service the metadata proxies forward "
                    "guest requests to, from this host's root namespace."),
    cfg.StrOpt("metadata_proxy_shared_secret", default="", secret=True,
               help="Key of the HMAC-SHA256 signature (X-Stratus-Signature) the "
                    "metadata proxies add, so the compute metadata service can "
                    "trust the X-Forwarded-For and network/router headers. Must "
                    "equal the metadata service's setting. Empty: requests go "
                    "unsigned and the metadata service should refuse them."),
]


def register(conf: cfg.ConfigOpts) -> None:
    conf.register_opts(AGENT_OPTS + LOOP_OPTS, group="agent")
    conf.register_opts(DHCP_OPTS, group="dhcp")
    conf.register_opts(METADATA_OPTS, group="metadata")


def list_opts():
    return [("agent", AGENT_OPTS + LOOP_OPTS), ("dhcp", DHCP_OPTS), ("metadata", METADATA_OPTS)]


def settings(conf: cfg.ConfigOpts) -> driver.Settings:
    """The driver settings ``conf`` describes (after register and parsing)."""
    return driver.Settings(
        local_ip=conf.agent.local_ip,
        bridge_mappings=dict(conf.agent.bridge_mappings),
        state_path=conf.agent.agent_state_path,
        lease_duration=conf.dhcp.dnsmasq_lease_duration,
        dns_servers=tuple(conf.dhcp.dhcp_dns_servers),
        metadata_url=conf.metadata.metadata_url,
        metadata_secret=conf.metadata.metadata_proxy_shared_secret,
        scope=conf.agent.scope,
    )
