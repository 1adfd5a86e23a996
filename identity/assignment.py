"""Role grants and what they add up to.

A grant gives a role to a user or group on a project, a domain or the
system, optionally *inherited* (on a domain or project: applies to every
project below it instead of the target itself). The *effective* roles of a
user on a scope are the direct grants, the grants to the user's groups, the
inherited grants from above, all closed under role implication.
"""
import collections

import sqlalchemy as sa

from identity import exception, models
from identity.database import IdentityDatabase
from identity.tokens import revoke

SYSTEM = "system"
A = models.Assignment


def grant_type(actor: str, target: str) -> str:
    """'user'/'group' × 'project'/'domain'/'system' → the Assignment.type value."""
    return f"{actor.capitalize()}{target.capitalize()}"


class Assignments:

    def __init__(self, db: IdentityDatabase, notifier=None):
        self.db = db
        self.notifier = notifier

    # -- grants ------------------------------------------------------------

    def create_grant(self, role_id: str, actor: str, actor_id: str, target: str,
                     target_id: str, inherited: bool = False) -> None:
        """Grant a role (idempotent). 404 if role, actor or target is missing."""
        def create(session):
            self._check_parts(session, role_id, actor, actor_id, target, target_id)
            row = session.get(A, (grant_type(actor, target), actor_id, target_id, role_id,
                                  inherited))
            if row is None:
                session.add(A(type=grant_type(actor, target), actor_id=actor_id,
                              target_id=target_id, role_id=role_id, inherited=inherited))
        self.db.write(create)
        self._notify("created", role_id)

    def check_grant(self, role_id: str, actor: str, actor_id: str, target: str,
                    target_id: str, inherited: bool = False) -> None:
        """404 unless exactly this grant exists."""
        with self.db.reader() as session:
            self._check_parts(session, role_id, actor, actor_id, target, target_id)
            row = session.get(A, (grant_type(actor, target), actor_id, target_id, role_id,
                                  inherited))
        if row is None:
            raise exception.EntityNotFound(
                target="grant", id=f"role {role_id} for {actor} {actor_id} on "
                                   f"{target} {target_id}")

    def delete_grant(self, role_id: str, actor: str, actor_id: str, target: str,
                     target_id: str, inherited: bool = False) -> None:
        """Remove a grant and revoke the tokens that relied on it."""
        def delete(session):
            self._check_parts(session, role_id, actor, actor_id, target, target_id)
            row = session.get(A, (grant_type(actor, target), actor_id, target_id, role_id,
                                  inherited))
            if row is None:
                raise exception.EntityNotFound(target="grant", id=role_id)
            session.delete(row)
            scope = {"project_id": target_id} if target == "project" else (
                {"domain_id": target_id} if target == "domain" else {})
            if inherited:
                scope = {}
            if actor == "user":
                revoke.add_event(session, user_id=actor_id, role_id=role_id, **scope)
                if target == "project" and not inherited:
                    # As in Keystone: losing a role on a project costs the user
                    # the application credentials made for that project.
                    session.execute(sa.delete(models.ApplicationCredential).where(
                        models.ApplicationCredential.user_id == actor_id,
                        models.ApplicationCredential.project_id == target_id))
            else:
                members = session.execute(sa.select(models.Membership.user_id).where(
                    models.Membership.group_id == actor_id)).scalars().all()
                for user_id in members:
                    revoke.add_event(session, user_id=user_id, role_id=role_id, **scope)
        self.db.write(delete)
        self._notify("deleted", role_id)

    def list_grants(self, actor: str, actor_id: str, target: str, target_id: str,
                    inherited: bool = False) -> list[models.Role]:
        """Roles granted directly to this actor on this target."""
        with self.db.reader() as session:
            self._check_parts(session, None, actor, actor_id, target, target_id)
            return list(session.execute(
                sa.select(models.Role).join(A, A.role_id == models.Role.id).where(
                    A.type == grant_type(actor, target), A.actor_id == actor_id,
                    A.target_id == target_id, A.inherited == inherited)
                .order_by(models.Role.name)).scalars())

    # -- effective roles ----------------------------------------------------

    def effective_roles(self, user_id: str, project_id: str | None = None,
                        domain_id: str | None = None, system: bool = False
                        ) -> list[models.Role]:
        """Roles the user holds on exactly one scope, implications included."""
        with self.db.reader() as session:
            actors = [user_id, *_group_ids(session, user_id)]
            if project_id is not None:
                role_ids = _project_role_ids(session, actors, project_id)
            elif domain_id is not None:
                role_ids = _direct_role_ids(session, actors, "Domain", [domain_id], False)
            elif system:
                role_ids = _direct_role_ids(session, actors, "System", [SYSTEM], False)
            else:
                return []
            role_ids = implied_closure(session, role_ids)
            if not role_ids:
                return []
            return list(session.execute(sa.select(models.Role).where(
                models.Role.id.in_(role_ids)).order_by(models.Role.name)).scalars())

    def projects_for_user(self, user_id: str) -> list[models.Project]:
        """Projects on which the user holds any role, directly, by group or inherited."""
        with self.db.reader() as session:
            actors = [user_id, *_group_ids(session, user_id)]
            direct = set(session.execute(sa.select(A.target_id).where(
                A.actor_id.in_(actors), A.type.in_(("UserProject", "GroupProject")),
                A.inherited.is_(False))).scalars())
            inherited_from = set(session.execute(sa.select(A.target_id).where(
                A.actor_id.in_(actors), A.inherited.is_(True))).scalars())
            ids = direct | _descendants(session, inherited_from)
            if not ids:
                return []
            return list(session.execute(sa.select(models.Project).where(
                models.Project.id.in_(ids), models.Project.is_domain.is_(False))
                .order_by(models.Project.name)).scalars())

    def domains_for_user(self, user_id: str) -> list[models.Project]:
        with self.db.reader() as session:
            actors = [user_id, *_group_ids(session, user_id)]
            ids = set(session.execute(sa.select(A.target_id).where(
                A.actor_id.in_(actors), A.type.in_(("UserDomain", "GroupDomain")),
                A.inherited.is_(False))).scalars())
            if not ids:
                return []
            return list(session.execute(sa.select(models.Project).where(
                models.Project.id.in_(ids), models.Project.is_domain.is_(True))
                .order_by(models.Project.name)).scalars())

    # -- internals -------------------------------------------------------

    @staticmethod
    def _check_parts(session, role_id, actor, actor_id, target, target_id) -> None:
        if role_id is not None and session.get(models.Role, role_id) is None:
            raise exception.EntityNotFound(target="role", id=role_id)
        table = models.User if actor == "user" else models.Group
        if session.get(table, actor_id) is None:
            raise exception.EntityNotFound(target=actor, id=actor_id)
        if target == "system":
            return
        entity = session.get(models.Project, target_id)
        if entity is None or entity.is_domain != (target == "domain"):
            raise exception.EntityNotFound(target=target, id=target_id)

    def _notify(self, action: str, role_id: str) -> None:
        if self.notifier is not None:
            self.notifier.resource_event("role_assignment", action, role_id)


def _group_ids(session, user_id: str) -> list[str]:
    return list(session.execute(sa.select(models.Membership.group_id).where(
        models.Membership.user_id == user_id)).scalars())


def _direct_role_ids(session, actors, kind, targets, inherited) -> set[str]:
    return set(session.execute(sa.select(A.role_id).where(
        A.actor_id.in_(actors), A.type.in_((f"User{kind}", f"Group{kind}")),
        A.target_id.in_(targets), A.inherited.is_(inherited))).scalars())


def _project_role_ids(session, actors, project_id) -> set[str]:
    project = session.get(models.Project, project_id)
    if project is None:
        return set()
    roles = _direct_role_ids(session, actors, "Project", [project_id], False)
    ancestors, domain_id = _ancestors(session, project)
    roles |= _direct_role_ids(session, actors, "Project", ancestors, True)
    roles |= _direct_role_ids(session, actors, "Domain", [domain_id], True)
    return roles


def _ancestors(session, project: models.Project) -> tuple[list[str], str]:
    """(ids of the projects above ``project``, its domain id)."""
    ids = []
    parent_id = project.parent_id
    while parent_id and parent_id != project.domain_id:
        ids.append(parent_id)
        parent = session.get(models.Project, parent_id)
        parent_id = parent.parent_id if parent is not None else None
    return ids, project.domain_id


def _descendants(session, roots: set[str]) -> set[str]:
    """Projects strictly below any of ``roots`` (projects or domains)."""
    found: set[str] = set()
    frontier = set(roots)
    while frontier:
        children = set(session.execute(sa.select(models.Project.id).where(
            models.Project.parent_id.in_(frontier),
            models.Project.is_domain.is_(False))).scalars())
        frontier = children - found
        found |= children
    return found


def implied_closure(session, role_ids: set[str]) -> set[str]:
    """``role_ids`` plus every role they imply, transitively."""
    if not role_ids:
        return set()
    rules = collections.defaultdict(set)
    for prior, implied in session.execute(sa.select(models.ImpliedRole.prior_role_id,
                                                    models.ImpliedRole.implied_role_id)):
        rules[prior].add(implied)
    result, stack = set(role_ids), list(role_ids)
    while stack:
        for implied in rules.get(stack.pop(), ()):
            if implied not in result:
                result.add(implied)
                stack.append(implied)
    return result
