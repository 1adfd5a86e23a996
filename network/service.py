"""The network service's parts, built once per process from its config."""
from network import exception as network_exception
from network import policies
from network.manager import (
    agents,
    floating_ips,
    host_state,
    networks,
    ports,
    quotas,
    router_state,
    routers,
    security_group_rules,
    security_groups,
    subnetpools,
    subnets,
    tags,
)
from network.manager.dataplane import Dataplane
from stratus import db, policy


class NetworkService:
    """Holds the database, the managers (named after their API collections,
    so :mod:`network.api.resource` finds them) and the policy enforcer.

    ``notifier`` (optional) receives ``emit("<resource>.<action>.end", payload)``;
    ``dataplane`` (optional) is told what changed for the network agents
    (see :mod:`network.manager.dataplane`).
    """

    def __init__(self, conf, notifier=None, dataplane: Dataplane | None = None):
        self.conf = conf
        self.db = db.Database.from_conf(conf)
        self.notifier = notifier
        self.quotas = quotas.Quotas(self.db, conf)
        self.networks = networks.Networks(self.db, conf, self.quotas, notifier)
        self.subnetpools = subnetpools.SubnetPools(self.db, conf, self.quotas, notifier)
        self.subnets = subnets.Subnets(self.db, conf, self.quotas, self.networks,
                                       self.subnetpools, notifier)
        self.ports = ports.Ports(self.db, conf, self.quotas, self.networks, notifier)
        self.tags = tags.Tags(self.db, notifier)
        self.routers = routers.Routers(self.db, conf, self.quotas, self.networks, self.ports,
                                       notifier)
        self.floatingips = floating_ips.FloatingIPs(self.db, conf, self.quotas, self.networks,
                                                    self.ports, notifier)
        self.security_groups = security_groups.SecurityGroups(self.db, conf, self.quotas,
                                                              notifier)
        self.security_group_rules = security_group_rules.SecurityGroupRules(
            self.db, conf, self.quotas, self.security_groups, notifier)
        self.dataplane = dataplane or Dataplane()
        for manager in (self.networks, self.subnets, self.ports, self.routers,
                        self.floatingips, self.security_groups, self.security_group_rules):
            manager.dataplane = self.dataplane
        self.agents = agents.Agents(self.db, conf, self.dataplane)
        self.host_state = host_state.HostState(self.db, self.ports, notifier,
                                               routers=router_state.for_agents,
                                               floatingips=self.floatingips)
        self.enforcer = policy.Enforcer(conf, policies.list_rules(),
                                        forbidden=network_exception.PolicyNotAuthorized)
