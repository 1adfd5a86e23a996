"""Default image policy, in the spirit of Glance's (secure RBAC defaults).

``admin`` manages every image; a project ``member`` creates images and
manages the ones its project owns; ``reader`` reads. Which images a caller
can see at all (public, owned, shared with it, community) is the manager's
rule, not policy's: an image the caller cannot see is 404, never 403.

Targets are the image (``owner``, ``visibility``, ``project_id`` = owner) and,
for member calls, ``member_id``. Override any rule in
/etc/stratus/image-policy.yaml.
"""
from oslo_policy import policy

ADMIN = "rule:context_is_admin"
PROJECT_MEMBER = "(role:member and project_id:%(owner)s)"
PROJECT_READER = "(role:reader and project_id:%(owner)s)"
ADMIN_OR_MEMBER = f"{ADMIN} or {PROJECT_MEMBER}"
ANY_READER = f"{ADMIN} or role:reader"

BASE = [
    policy.RuleDefault("context_is_admin", "role:admin or is_admin:1"),
    policy.RuleDefault("default", "rule:context_is_admin"),
]

ACTIONS = {
    # images
    "add_image": ADMIN_OR_MEMBER,
    "get_image": ANY_READER,
    "get_images": ANY_READER,
    "modify_image": ADMIN_OR_MEMBER,
    "delete_image": ADMIN_OR_MEMBER,
    "publicize_image": ADMIN,
    "communitize_image": ADMIN_OR_MEMBER,
    "deactivate": ADMIN_OR_MEMBER,
    "reactivate": ADMIN_OR_MEMBER,
    # image data
    "upload_image": ADMIN_OR_MEMBER,
    "download_image": ANY_READER,
    "download_deactivated": ADMIN,
    "stage_image": ADMIN_OR_MEMBER,
    "import_image": ADMIN_OR_MEMBER,
    "copy_image": ADMIN,
    # members: the owner manages the list, the member project answers
    "add_member": ADMIN_OR_MEMBER,
    "delete_member": ADMIN_OR_MEMBER,
    "get_members": ANY_READER,
    "get_member": ANY_READER,
    "modify_member": f"{ADMIN} or (role:member and project_id:%(member_id)s)",
    # discovery
    "get_task": ADMIN,
    "stores_info_detail": ADMIN,
}


def list_rules() -> list[policy.RuleDefault]:
    return BASE + [policy.RuleDefault(name, check) for name, check in ACTIONS.items()]
