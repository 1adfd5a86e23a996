"""The identity service's parts, built once per process from its config."""
from identity import assignment, auth, catalog, policies, resource, users
from identity import exception as id_exception
from identity.database import IdentityDatabase
from identity.tokens import provider
from stratus import policy


class IdentityService:
    """Holds the database, the managers, the token provider and the policy enforcer."""

    def __init__(self, conf, notifier=None):
        self.conf = conf
        self.db = IdentityDatabase.from_conf(conf)
        self.notifier = notifier
        self.resources = resource.Resources(self.db, notifier)
        self.users = users.Users(self.db, conf, notifier)
        self.assignments = assignment.Assignments(self.db, notifier)
        self.catalog = catalog.Catalog(self.db, notifier)
        self.roles = _optional("identity.roles", "Roles", self.db, notifier)
        self.groups = _optional("identity.groups", "Groups", self.db, notifier)
        self.app_creds = _optional("identity.app_credentials", "ApplicationCredentials",
                                   self.db, conf, notifier)
        self.credentials = _optional("identity.credentials", "Credentials",
                                     self.db, conf, notifier)
        self.tokens = provider.TokenProvider(conf, self.db, self.resources, self.users,
                                             self.assignments, self.catalog, self.app_creds)
        self.authenticator = auth.Authenticator(conf, self.resources, self.users,
                                                self.assignments, self.tokens, self.app_creds)
        self.enforcer = policy.Enforcer(conf, policies.list_rules(),
                                        forbidden=id_exception.ForbiddenAction)


def _optional(module: str, name: str, *args):
    import importlib
    try:
        return getattr(importlib.import_module(module), name)(*args)
    except ModuleNotFoundError:
        return None
