"""The network service's parts, built once per process from its config."""
from network import exception as network_exception
from network import policies
from network.manager import networks, ports, quotas, subnetpools, subnets, tags
from stratus import db, policy


class NetworkService:
    """Holds the database, the managers (named after their API collections,
    so :mod:`network.api.resource` finds them) and the policy enforcer.

    ``notifier`` (optional) receives ``emit("<resource>.<action>.end", payload)``.
    """

    def __init__(self, conf, notifier=None):
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
        self.enforcer = policy.Enforcer(conf, policies.list_rules(),
                                        forbidden=network_exception.PolicyNotAuthorized)
