"""Default identity policy, in the spirit of Keystone's.

``admin`` manages everything; ``reader``/``member`` see what their scope
allows (a domain-scoped reader sees that domain's users and projects); every
user reads itself, changes its own password and manages its own application
credentials. Override any rule in /etc/stratus/identity-policy.yaml.
"""
from oslo_policy import policy

ADMIN = "rule:admin_required"
ADMIN_OR_READER = "rule:admin_required or rule:system_reader"
DOMAIN_READER = "(role:reader and domain_id:%(target.domain_id)s)"
DOMAIN_ADMIN = "(role:admin and domain_id:%(target.domain_id)s)"

BASE = [
    policy.RuleDefault("admin_required", "role:admin or is_admin:1"),
    policy.RuleDefault("service_role", "role:service"),
    policy.RuleDefault("service_or_admin", "rule:admin_required or rule:service_role"),
    policy.RuleDefault("system_reader", "role:reader and system_scope:all"),
    policy.RuleDefault("owner", "user_id:%(user_id)s"),
    policy.RuleDefault("admin_or_owner", "rule:admin_required or rule:owner"),
    policy.RuleDefault("token_subject", "user_id:%(target.token.user_id)s"),
    policy.RuleDefault("admin_or_token_subject",
                       "rule:admin_required or rule:token_subject"),
    policy.RuleDefault("service_admin_or_token_subject",
                       "rule:service_or_admin or rule:token_subject"),
]


def _rules(prefix: str, rules: dict[str, str]) -> list[policy.RuleDefault]:
    return [policy.RuleDefault(f"{prefix}:{name}", check) for name, check in rules.items()]


ACTIONS = {
    # tokens and the auth API
    "validate_token": "rule:service_admin_or_token_subject or rule:system_reader",
    "check_token": "rule:service_admin_or_token_subject or rule:system_reader",
    "revoke_token": "rule:admin_or_token_subject",
    "get_auth_catalog": "",
    "get_auth_projects": "",
    "get_auth_domains": "",
    "get_auth_system": "",
    "list_revoke_events": "rule:service_or_admin",
    # domains
    "get_domain": f"{ADMIN_OR_READER} or domain_id:%(target.domain.id)s"
                  " or project_domain_id:%(target.domain.id)s",
    "list_domains": ADMIN_OR_READER,
    "create_domain": ADMIN,
    "update_domain": ADMIN,
    "delete_domain": ADMIN,
    # projects
    "get_project": f"{ADMIN_OR_READER} or (role:reader and domain_id:%(target.project.domain_id)s)"
                   " or project_id:%(target.project.id)s",
    "list_projects": f"{ADMIN_OR_READER} or {DOMAIN_READER}",
    "list_user_projects": f"{ADMIN_OR_READER} or user_id:%(target.user.id)s"
                          " or (role:reader and domain_id:%(target.user.domain_id)s)",
    "create_project": f"{ADMIN} or (role:admin and domain_id:%(target.project.domain_id)s)",
    "update_project": f"{ADMIN} or (role:admin and domain_id:%(target.project.domain_id)s)",
    "delete_project": f"{ADMIN} or (role:admin and domain_id:%(target.project.domain_id)s)",
    "list_project_tags": f"{ADMIN_OR_READER} or project_id:%(target.project.id)s"
                         " or (role:reader and domain_id:%(target.project.domain_id)s)",
    "get_project_tag": f"{ADMIN_OR_READER} or project_id:%(target.project.id)s"
                       " or (role:reader and domain_id:%(target.project.domain_id)s)",
    "update_project_tags": f"{ADMIN} or (role:admin and project_id:%(target.project.id)s)",
    "create_project_tag": f"{ADMIN} or (role:admin and project_id:%(target.project.id)s)",
    "delete_project_tags": f"{ADMIN} or (role:admin and project_id:%(target.project.id)s)",
    "delete_project_tag": f"{ADMIN} or (role:admin and project_id:%(target.project.id)s)",
    # users
    "get_user": f"{ADMIN_OR_READER} or (role:reader and domain_id:%(target.user.domain_id)s)"
                " or user_id:%(target.user.id)s",
    "list_users": f"{ADMIN_OR_READER} or {DOMAIN_READER}",
    "create_user": f"{ADMIN} or (role:admin and domain_id:%(target.user.domain_id)s)",
    "update_user": f"{ADMIN} or (role:admin and domain_id:%(target.user.domain_id)s)",
    "delete_user": f"{ADMIN} or (role:admin and domain_id:%(target.user.domain_id)s)",
    "list_groups_for_user": f"{ADMIN_OR_READER} or user_id:%(target.user.id)s"
                            " or (role:reader and domain_id:%(target.user.domain_id)s)",
    # groups
    "get_group": f"{ADMIN_OR_READER} or (role:reader and domain_id:%(target.group.domain_id)s)",
    "list_groups": f"{ADMIN_OR_READER} or {DOMAIN_READER}",
    "create_group": f"{ADMIN} or (role:admin and domain_id:%(target.group.domain_id)s)",
    "update_group": f"{ADMIN} or (role:admin and domain_id:%(target.group.domain_id)s)",
    "delete_group": f"{ADMIN} or (role:admin and domain_id:%(target.group.domain_id)s)",
    "list_users_in_group": f"{ADMIN_OR_READER}"
                           " or (role:reader and domain_id:%(target.group.domain_id)s)",
    "check_user_in_group": f"{ADMIN_OR_READER}"
                           " or (role:reader and domain_id:%(target.group.domain_id)s)",
    "add_user_to_group": f"{ADMIN} or (role:admin and domain_id:%(target.group.domain_id)s)",
    "remove_user_from_group": f"{ADMIN}"
                              " or (role:admin and domain_id:%(target.group.domain_id)s)",
    # roles, implied roles, grants, assignments
    "get_role": f"{ADMIN_OR_READER} or {DOMAIN_READER}",
    "list_roles": f"{ADMIN_OR_READER} or {DOMAIN_READER}",
    "create_role": ADMIN,
    "update_role": ADMIN,
    "delete_role": ADMIN,
    "get_domain_role": f"{ADMIN_OR_READER} or {DOMAIN_READER}",
    "list_domain_roles": f"{ADMIN_OR_READER} or {DOMAIN_READER}",
    "create_domain_role": ADMIN,
    "update_domain_role": ADMIN,
    "delete_domain_role": ADMIN,
    "get_implied_role": ADMIN_OR_READER,
    "list_implied_roles": ADMIN_OR_READER,
    "list_role_inference_rules": ADMIN_OR_READER,
    "check_implied_role": ADMIN_OR_READER,
    "create_implied_role": ADMIN,
    "delete_implied_role": ADMIN,
    "check_grant": f"{ADMIN_OR_READER} or {DOMAIN_READER}",
    "list_grants": f"{ADMIN_OR_READER} or {DOMAIN_READER}",
    "create_grant": f"{ADMIN} or {DOMAIN_ADMIN}",
    "revoke_grant": f"{ADMIN} or {DOMAIN_ADMIN}",
    "list_system_grants_for_user": ADMIN_OR_READER,
    "check_system_grant_for_user": ADMIN_OR_READER,
    "create_system_grant_for_user": ADMIN,
    "revoke_system_grant_for_user": ADMIN,
    "list_system_grants_for_group": ADMIN_OR_READER,
    "check_system_grant_for_group": ADMIN_OR_READER,
    "create_system_grant_for_group": ADMIN,
    "revoke_system_grant_for_group": ADMIN,
    "list_role_assignments": f"{ADMIN_OR_READER} or {DOMAIN_READER}"
                             " or user_id:%(target.user.id)s",
    "list_role_assignments_for_tree": f"{ADMIN_OR_READER}"
                                      " or (role:reader and project_id:%(target.project.id)s)",
    # catalog
    "get_region": "",
    "list_regions": "",
    "create_region": ADMIN,
    "update_region": ADMIN,
    "delete_region": ADMIN,
    "get_service": ADMIN_OR_READER,
    "list_services": ADMIN_OR_READER,
    "create_service": ADMIN,
    "update_service": ADMIN,
    "delete_service": ADMIN,
    "get_endpoint": ADMIN_OR_READER,
    "list_endpoints": ADMIN_OR_READER,
    "create_endpoint": ADMIN,
    "update_endpoint": ADMIN,
    "delete_endpoint": ADMIN,
    # credentials and application credentials
    "get_credential": f"{ADMIN_OR_READER} or user_id:%(target.credential.user_id)s",
    "list_credentials": f"{ADMIN_OR_READER} or user_id:%(target.credential.user_id)s",
    "create_credential": f"{ADMIN} or user_id:%(target.credential.user_id)s",
    "update_credential": f"{ADMIN} or user_id:%(target.credential.user_id)s",
    "delete_credential": f"{ADMIN} or user_id:%(target.credential.user_id)s",
    "get_application_credential": f"{ADMIN_OR_READER} or rule:owner",
    "list_application_credentials": f"{ADMIN_OR_READER} or rule:owner",
    "create_application_credential": "rule:owner",
    "delete_application_credential": f"{ADMIN} or rule:owner",
    # EC2 credentials (/v3/users/{user_id}/credentials/OS-EC2)
    "ec2_get_credential": f"{ADMIN_OR_READER} or user_id:%(target.credential.user_id)s",
    "ec2_list_credentials": f"{ADMIN_OR_READER} or user_id:%(target.credential.user_id)s",
    "ec2_create_credential": f"{ADMIN} or user_id:%(target.credential.user_id)s",
    "ec2_delete_credential": f"{ADMIN} or user_id:%(target.credential.user_id)s",
    # policy blobs (/v3/policies)
    "get_policy": ADMIN_OR_READER,
    "list_policies": ADMIN_OR_READER,
    "create_policy": ADMIN,
    "update_policy": ADMIN,
    "delete_policy": ADMIN,
}


def list_rules() -> list[policy.RuleDefault]:
    return BASE + _rules("identity", ACTIONS)
