"""Each project's ``default`` security group, made on first use.

The ``default_security_group`` row (keyed by project) says which group is a
project's default, so concurrent first uses create it once: the loser's
flush fails with an IntegrityError and its transaction, re-run by
:func:`network.database.write`, finds the winner's group. It comes with
Neutron's four rules: any egress over IPv4 and IPv6, and ingress over both
from members of the group itself. Every other new group gets the two egress
rules (:data:`EGRESS`).

These functions run inside the caller's write transaction (``session``); a
port create pays one primary-key lookup once the group exists.
"""
from __future__ import annotations

import sqlalchemy as sa

from network import models
from network.manager import Caller, standard

DEFAULT_NAME = "default"
DEFAULT_DESCRIPTION = "Default security group"
SELF = object()  # a template rule's remote group: the new group itself
EGRESS = ({"direction": "egress", "ethertype": "IPv4"},
          {"direction": "egress", "ethertype": "IPv6"})
DEFAULT_RULES = EGRESS + ({"direction": "ingress", "ethertype": "IPv4", "remote_group_id": SELF},
                          {"direction": "ingress", "ethertype": "IPv6", "remote_group_id": SELF})


def may_make_default(caller: Caller, project_id: str | None) -> bool:
    """Whether ``caller``'s request may create ``project_id``'s default group
    (its own project's, or any project's for an admin)."""
    return bool(project_id) and (caller.is_admin or project_id == caller.project_id)


# -- the default group (inside a write transaction) ---------------------------

def default_group_id(session, project_id: str) -> str | None:
    """The id of the project's default group, if it has one (one primary-key
    lookup)."""
    return session.execute(sa.select(models.DefaultSecurityGroup.security_group_id).where(
        models.DefaultSecurityGroup.project_id == project_id)).scalar()


def ensure_default(session, project_id: str) -> str:
    """The id of the project's default group, created with its rules if it
    does not exist yet. A concurrent creator makes the flush fail with an
    IntegrityError: run the transaction through :func:`network.database.write`."""
    existing = default_group_id(session, project_id)
    if existing is not None:
        return existing
    group = insert_group(session, project_id, DEFAULT_NAME, DEFAULT_DESCRIPTION, True,
                         DEFAULT_RULES)
    session.add(models.DefaultSecurityGroup(project_id=project_id,
                                            security_group_id=group.id))
    session.flush()
    return group.id


def insert_group(session, project_id: str, name: str, description: str, stateful: bool,
                 rules: tuple[dict, ...]) -> models.SecurityGroup:
    """A new group with rules made from ``rules`` templates."""
    group = standard.create(models.SecurityGroup, project_id, name=name,
                            description=description, stateful=stateful)
    session.add(group)
    session.flush()
    for template in rules:
        remote = template.get("remote_group_id")
        session.add(standard.create(
            models.SecurityGroupRule, project_id, security_group_id=group.id,
            direction=template["direction"], ethertype=template["ethertype"],
            remote_group_id=group.id if remote is SELF else remote, description=""))
    return group
