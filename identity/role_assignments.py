"""Role assignments as ``GET /v3/role_assignments`` reports them, and the
checks that surround a grant.

A listing is either *direct* (the grants as stored, filtered) or
*effective* (what the grants add up to per user, as a token would see it):
group grants become one assignment per member, inherited grants become one
assignment per project below the grant point, implied roles are added, and
domain-specific roles are left out. Every derived assignment remembers
where it came from in ``indirect`` (``group_id``, ``project_id``/``domain_id``
of the inheritance point, ``role_id`` of the prior role), which is what the
API turns into its ``links``.
"""
import dataclasses

import sqlalchemy as sa

from identity import exception, models
from identity.database import IdentityDatabase

A = models.Assignment


@dataclasses.dataclass(frozen=True)
class Filters:
    """What to list. ``inherited`` None means both kinds; ``within_domain``
    keeps only assignments on that domain or its projects."""

    role_id: str | None = None
    user_id: str | None = None
    group_id: str | None = None
    project_id: str | None = None
    domain_id: str | None = None
    system: bool = False
    inherited: bool | None = None
    effective: bool = False
    include_subtree: bool = False
    include_names: bool = False
    within_domain: str | None = None


@dataclasses.dataclass
class RoleAssignment:
    """One (actor, target, role); exactly one of user/group and of
    project/domain/system is set. ``names`` is filled with include_names."""

    role_id: str
    user_id: str | None = None
    group_id: str | None = None
    project_id: str | None = None
    domain_id: str | None = None
    system: bool = False
    inherited: bool = False
    indirect: dict = dataclasses.field(default_factory=dict)
    names: dict = dataclasses.field(default_factory=dict)


class RoleAssignments:

    def __init__(self, db: IdentityDatabase, notifier=None):
        self.db = db
        self.notifier = notifier

    def list_assignments(self, filters: Filters) -> list[RoleAssignment]:
        """The assignments matching ``filters``; 404 if an effective listing
        names a project that does not exist."""
        with self.db.reader() as session:
            subtree = None
            if filters.project_id and filters.include_subtree:
                subtree = _subtree(session, filters.project_id)
            if filters.effective:
                found = _effective(session, filters, subtree)
            else:
                found = _direct(session, filters, subtree)
            if filters.within_domain:
                found = [a for a in found
                         if _domain_of(session, a) == filters.within_domain]
            if filters.include_names:
                _Namer(session).name_all(found)
            return found

    def grant_target(self, role_id: str | None, actor: str, actor_id: str,
                     target: str, target_id: str | None) -> dict:
        """What policy sees of a grant: ``role``, ``user``/``group``,
        ``project``/``domain`` (each ``{}`` when missing, so that policy
        decides before existence is revealed) and the ``domain_id`` the grant
        falls in."""
        with self.db.reader() as session:
            result: dict = {}
            if role_id is not None:
                role = session.get(models.Role, role_id)
                result["role"] = {} if role is None else {
                    "id": role.id, "domain_id": _role_domain(role)}
            table = models.User if actor == "user" else models.Group
            entity = session.get(table, actor_id)
            result[actor] = {} if entity is None else {
                "id": entity.id, "domain_id": entity.domain_id}
            if target in ("project", "domain"):
                place = session.get(models.Project, target_id)
                if place is None or place.is_domain != (target == "domain"):
                    result[target] = {}
                else:
                    result[target] = {"id": place.id, "domain_id": place.domain_id}
                    result["domain_id"] = place.id if place.is_domain else place.domain_id
            return result

    def check_assignable(self, role_id: str, target: str, target_id: str) -> None:
        """Refuse grants Keystone refuses: a domain-specific role on a project of
        another domain (403) or on the system (400). A missing role is left to
        the grant itself to report."""
        with self.db.reader() as session:
            role = session.get(models.Role, role_id)
            if role is None or role.domain_id == models.GLOBAL_ROLE:
                return
            if target == "system":
                raise exception.ValidationError(
                    f"Role {role_id} is a domain-specific role. Unable to use a "
                    "domain-specific role in a system assignment.")
            project = session.get(models.Project, target_id)
            if target == "project" and project is not None and \
                    project.domain_id != role.domain_id:
                raise exception.Forbidden(
                    f"Project {target_id} must be in the same domain as the role "
                    f"{role_id} being assigned.")


# -- direct listing ----------------------------------------------------------

def _direct(session, f: Filters, subtree: list[str] | None) -> list[RoleAssignment]:
    found = []
    if not f.system:
        found = _query(session, role_id=f.role_id, user_id=f.user_id,
                       group_ids=[f.group_id] if f.group_id else None,
                       domain_id=f.domain_id, project_ids=_interest(f, subtree),
                       inherited=f.inherited)
    if f.system or not (f.project_id or f.domain_id):
        found += _system(session, f)
    return found


def _interest(f: Filters, subtree: list[str] | None) -> list[str] | None:
    if not f.project_id:
        return None
    return [*subtree, f.project_id] if subtree else [f.project_id]


def _query(session, *, role_id=None, user_id=None, group_ids=None, domain_id=None,
           project_ids=None, inherited=None) -> list[RoleAssignment]:
    """Stored project and domain grants matching every filter given."""
    actor_kinds = ["User", "Group"]
    if user_id:
        actor_kinds = ["User"]
    elif group_ids:
        actor_kinds = ["Group"]
    target_kinds = ["Project"] if project_ids else ["Domain"] if domain_id else [
        "Project", "Domain"]
    query = sa.select(A).where(
        A.type.in_([a + t for a in actor_kinds for t in target_kinds]))
    if role_id:
        query = query.where(A.role_id == role_id)
    if group_ids:
        query = query.where(A.actor_id.in_(group_ids))
    elif user_id:
        query = query.where(A.actor_id == user_id)
    if project_ids:
        query = query.where(A.target_id.in_(project_ids))
    elif domain_id:
        query = query.where(A.target_id == domain_id)
    if inherited is not None:
        query = query.where(A.inherited.is_(inherited))
    query = query.order_by(A.type, A.actor_id, A.target_id, A.role_id)
    return [_from_row(row) for row in session.execute(query).scalars()]


def _system(session, f: Filters) -> list[RoleAssignment]:
    query = sa.select(A).where(A.type.in_(("UserSystem", "GroupSystem")))
    if f.user_id:
        query = query.where(A.type == "UserSystem", A.actor_id == f.user_id)
    elif f.group_id:
        query = query.where(A.type == "GroupSystem", A.actor_id == f.group_id)
    if f.role_id:
        query = query.where(A.role_id == f.role_id)
    query = query.order_by(A.type, A.actor_id, A.role_id)
    return [_from_row(row) for row in session.execute(query).scalars()]


def _from_row(row: models.Assignment) -> RoleAssignment:
    actor = "user" if row.type.startswith("User") else "group"
    target = row.type[len(actor):].lower()
    found = RoleAssignment(role_id=row.role_id, inherited=row.inherited,
                           system=target == "system")
    setattr(found, f"{actor}_id", row.actor_id)
    if target != "system":
        setattr(found, f"{target}_id", row.target_id)
    return found


# -- effective listing -------------------------------------------------------

def _effective(session, f: Filters, subtree: list[str] | None) -> list[RoleAssignment]:
    inherited = False if f.domain_id else f.inherited
    stored = _for_actor(session, f, inherited, subtree, user_id=f.user_id)
    if f.user_id:
        group_ids = _group_ids(session, f.user_id)
        if group_ids:
            stored += _for_actor(session, f, inherited, subtree, group_ids=group_ids)
    found = []
    for grant in stored:
        found += _expand(session, grant, f.user_id, f.project_id, subtree)
    found = _add_implied(session, found)
    global_roles = set(session.execute(sa.select(models.Role.id).where(
        models.Role.domain_id == models.GLOBAL_ROLE)).scalars())
    found = [a for a in found if a.role_id in global_roles]
    if f.role_id:
        found = [a for a in found if a.role_id == f.role_id]
    return found


def _for_actor(session, f: Filters, inherited, subtree, user_id=None, group_ids=None
               ) -> list[RoleAssignment]:
    """The stored grants that can affect the filtered scope for these actors."""
    interest = _interest(f, subtree)
    actor = {"user_id": user_id, "group_ids": group_ids}
    found = []
    if inherited in (False, None):
        found += _query(session, domain_id=f.domain_id, project_ids=interest,
                        inherited=False, **actor)
    if inherited in (True, None):
        if f.project_id:
            project = session.get(models.Project, f.project_id)
            if project is None or project.is_domain:
                raise exception.EntityNotFound(target="project", id=f.project_id)
            found += _query(session, domain_id=project.domain_id, inherited=True, **actor)
            sources = _parents(session, project) + (interest if subtree else [])
            if sources:
                found += _query(session, project_ids=sources, inherited=True, **actor)
        else:
            found += _query(session, inherited=True, **actor)
    return found


def _expand(session, grant: RoleAssignment, user_id, project_id, subtree
            ) -> list[RoleAssignment]:
    if grant.inherited:
        return _expand_inherited(session, grant, user_id, project_id, subtree)
    if grant.group_id:
        return _expand_group(session, grant, user_id)
    return [grant]


def _expand_group(session, grant: RoleAssignment, user_id) -> list[RoleAssignment]:
    """One assignment per member (only ``user_id`` when given)."""
    members = [user_id] if user_id else _members(session, grant.group_id)
    return [dataclasses.replace(grant, user_id=member, group_id=None,
                                indirect={**grant.indirect, "group_id": grant.group_id})
            for member in members]


def _expand_inherited(session, grant: RoleAssignment, user_id, project_id, subtree
                      ) -> list[RoleAssignment]:
    """The grant applied to each project it reaches that is of interest."""
    if project_id:
        project_ids = [project_id]
        if subtree:
            project_ids += subtree
            if grant.project_id in project_ids:
                project_ids = _subtree(session, grant.project_id)
    elif grant.domain_id:
        project_ids = list(session.execute(sa.select(models.Project.id).where(
            models.Project.domain_id == grant.domain_id,
            models.Project.is_domain.is_(False)).order_by(models.Project.name)).scalars())
    else:
        project_ids = _subtree(session, grant.project_id)
    bases = _expand_group(session, grant, user_id) if grant.group_id else [grant]
    point = {"project_id": grant.project_id} if grant.project_id else {
        "domain_id": grant.domain_id}
    return [dataclasses.replace(base, project_id=pid, domain_id=None, inherited=False,
                                indirect={**base.indirect, **point})
            for base in bases for pid in project_ids]


def _add_implied(session, assignments: list[RoleAssignment]) -> list[RoleAssignment]:
    """Each assignment plus a copy per role its role implies, transitively;
    a copy's ``indirect.role_id`` is the role that implied it."""
    rules: dict[str, list[str]] = {}
    for prior_id, implied_id in session.execute(sa.select(
            models.ImpliedRole.prior_role_id, models.ImpliedRole.implied_role_id)
            .order_by(models.ImpliedRole.implied_role_id)):
        rules.setdefault(prior_id, []).append(implied_id)
    result = list(assignments)
    pending = list(assignments)
    seen = {_key(a) for a in assignments}
    while pending:
        current = pending.pop()
        for implied_id in rules.get(current.role_id, ()):
            copy = dataclasses.replace(current, role_id=implied_id, indirect={
                **current.indirect, "role_id": current.role_id})
            if _key(copy) not in seen:
                seen.add(_key(copy))
                result.append(copy)
                pending.append(copy)
    return result


def _key(found: RoleAssignment) -> tuple:
    return (found.role_id, found.user_id, found.group_id, found.project_id,
            found.domain_id, found.system, found.inherited,
            tuple(sorted(found.indirect.items())))


# -- hierarchy and membership ------------------------------------------------

def _group_ids(session, user_id: str) -> list[str]:
    return list(session.execute(sa.select(models.Membership.group_id).where(
        models.Membership.user_id == user_id).order_by(
        models.Membership.group_id)).scalars())


def _members(session, group_id: str) -> list[str]:
    return list(session.execute(sa.select(models.Membership.user_id).where(
        models.Membership.group_id == group_id).order_by(
        models.Membership.user_id)).scalars())


def _parents(session, project: models.Project) -> list[str]:
    """Ids of the projects above ``project``, nearest first, its domain excluded."""
    ids = []
    parent = session.get(models.Project, project.parent_id) if project.parent_id else None
    while parent is not None and not parent.is_domain:
        ids.append(parent.id)
        parent = session.get(models.Project, parent.parent_id) if parent.parent_id else None
    return ids


def _subtree(session, project_id: str) -> list[str]:
    """Ids of the projects strictly below ``project_id``, level by level."""
    found: list[str] = []
    frontier = [project_id]
    while frontier:
        frontier = list(session.execute(sa.select(models.Project.id).where(
            models.Project.parent_id.in_(frontier),
            models.Project.is_domain.is_(False)).order_by(models.Project.name)).scalars())
        found += frontier
    return found


def _domain_of(session, assignment: RoleAssignment) -> str | None:
    if assignment.domain_id:
        return assignment.domain_id
    if assignment.project_id:
        project = session.get(models.Project, assignment.project_id)
        return project.domain_id if project is not None else None
    return None


def _role_domain(role: models.Role) -> str | None:
    return None if role.domain_id == models.GLOBAL_ROLE else role.domain_id


class _Namer:
    """Fills ``names`` of assignments, looking each entity up once."""

    def __init__(self, session):
        self.session = session
        self.cache: dict = {}

    def name_all(self, assignments: list[RoleAssignment]) -> None:
        for found in assignments:
            role = self._get(models.Role, found.role_id)
            names = {"role": {"name": role.name if role else ""}}
            if role is not None and _role_domain(role):
                names["role"]["domain"] = self._domain(role.domain_id)
            for actor, table in (("user", models.User), ("group", models.Group)):
                actor_id = getattr(found, f"{actor}_id")
                if actor_id:
                    entity = self._get(table, actor_id)
                    names[actor] = {"name": entity.name if entity else "",
                                    "domain": self._domain(entity.domain_id if entity else "")}
            if found.project_id:
                project = self._get(models.Project, found.project_id)
                names["project"] = {"name": project.name if project else "",
                                    "domain": self._domain(project.domain_id if project
                                                           else "")}
            if found.domain_id:
                names["domain"] = {"name": self._domain(found.domain_id)["name"]}
            found.names = names

    def _domain(self, domain_id: str) -> dict:
        domain = self._get(models.Project, domain_id) if domain_id else None
        return {"id": domain_id, "name": domain.name if domain else ""}

    def _get(self, table, entity_id: str):
        key = (table, entity_id)
        if key not in self.cache:
            self.cache[key] = self.session.get(table, entity_id)
        return self.cache[key]
