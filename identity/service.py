"""The identity service's parts, built once per process from its config."""
from identity import (
    app_credentials,
    assignment,
    auth,
    catalog,
    credentials,
    groups,
    policies,
    policy_blobs,
    resource,
    role_assignments,
    roles,
    users,
)
from identity import exception as id_exception
from identity.database import IdentityDatabase
from identity.tokens import provider
from stratus import policy


class IdentityService:
    """Holds the database, the managers, the token provider and the policy enforcer.

    ``notifier`` (optional) receives ``resource_event(resource, action, id)``
    for every create/update/delete.
    """

    def __init__(self, conf, notifier=None):
        self.conf = conf
        self.db = IdentityDatabase.from_conf(conf)
        self.notifier = notifier
        self.resources = resource.Resources(self.db, notifier)
        self.users = users.Users(self.db, conf, notifier)
        self.groups = groups.Groups(self.db, notifier)
        self.roles = roles.Roles(self.db, notifier)
        self.assignments = assignment.Assignments(self.db, notifier)
        self.role_assignments = role_assignments.RoleAssignments(self.db, notifier)
        self.catalog = catalog.Catalog(self.db, notifier)
        self.app_creds = app_credentials.ApplicationCredentials(self.db, conf, notifier)
        self.credentials = credentials.Credentials(self.db, conf, notifier)
        self.policy_blobs = policy_blobs.PolicyBlobs(self.db, notifier)
        self.tokens = provider.TokenProvider(conf, self.db, self.resources, self.users,
                                             self.assignments, self.catalog, self.app_creds)
        self.authenticator = auth.Authenticator(conf, self.resources, self.users,
                                                self.assignments, self.tokens, self.app_creds)
        self.enforcer = policy.Enforcer(conf, policies.list_rules(),
                                        forbidden=id_exception.ForbiddenAction)
