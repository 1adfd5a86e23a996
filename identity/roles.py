"""Roles and implied-role rules.

A role is global (``domain_id`` :data:`models.GLOBAL_ROLE`) or belongs to
one domain. A rule "prior implies implied" makes whoever holds the prior role
hold the implied one too; rules never form a cycle, a global role never
implies a domain-specific one, and the roles named in
:data:`PROHIBITED_IMPLIED` (``admin``, as Keystone's default) are never
implied. A role whose ``options`` hold ``immutable: true`` can be neither
changed nor deleted until that option is cleared.
"""
import uuid

import sqlalchemy as sa

from identity import exception, models
from identity.database import IdentityDatabase
from identity.tokens import revoke

PROHIBITED_IMPLIED = ("admin",)
_FIELDS = ("name", "description")
_NOT_EXTRA = (*_FIELDS, "id", "links", "domain_id", "options")


class Roles:
    """The rules for roles and role implication.

    Guarantees: a name is unique among the global roles and within each
    domain (409 otherwise); deleting a role deletes its grants and the rules
    naming it, the application credentials of the users it was granted to
    on a project, and revokes the tokens that carry it.
    """

    def __init__(self, db: IdentityDatabase, notifier=None):
        self.db = db
        self.notifier = notifier

    # -- roles ---------------------------------------------------------------

    def create_role(self, data: dict) -> models.Role:
        """Create a role; 400 if ``domain_id`` names no domain, 409 on a taken name."""
        def create(session):
            domain_id = data.get("domain_id") or models.GLOBAL_ROLE
            if domain_id != models.GLOBAL_ROLE:
                domain = session.get(models.Project, domain_id)
                if domain is None or not domain.is_domain:
                    raise exception.ValidationError(
                        field="domain_id", detail=f"domain {domain_id} does not exist")
            _check_unique(session, data["name"], domain_id)
            role = models.Role(
                id=uuid.uuid4().hex, name=data["name"], domain_id=domain_id,
                description=data.get("description"), options=_options({}, data),
                extra={k: v for k, v in data.items() if k not in _NOT_EXTRA})
            session.add(role)
            session.flush()
            return role
        role = self.db.write(create)
        self._notify("created", role.id)
        return role

    def get_role(self, role_id: str) -> models.Role:
        with self.db.reader() as session:
            return _get(session, role_id)

    def find_role(self, role_id: str) -> models.Role | None:
        """The role, or None when there is none by that id."""
        with self.db.reader() as session:
            return session.get(models.Role, role_id)

    def list_roles(self, filters: dict) -> list[models.Role]:
        """Roles of the domain ``filters["domain_id"]``, else the global ones,
        optionally with one ``name``."""
        role = models.Role
        query = sa.select(role).where(
            role.domain_id == (filters.get("domain_id") or models.GLOBAL_ROLE)
        ).order_by(role.name)
        if filters.get("name") is not None:
            query = query.where(role.name == filters["name"])
        with self.db.reader() as session:
            return list(session.execute(query).scalars())

    def update_role(self, role_id: str, changes: dict) -> models.Role:
        """Change name, description, options or extra attributes.

        403 while the role is immutable (unless the change only clears that),
        400 on a change of id or domain, 409 on a taken name.
        """
        if changes.get("id", role_id) != role_id:
            raise exception.ValidationError(field="id", detail="the id cannot be changed")

        def update(session):
            role = _get(session, role_id)
            _check_mutable(role, changes)
            current_domain = None if role.domain_id == models.GLOBAL_ROLE else role.domain_id
            if "domain_id" in changes and changes["domain_id"] != current_domain:
                raise exception.ValidationError("Update of `domain_id` is not allowed.")
            if "name" in changes and changes["name"] != role.name:
                _check_unique(session, changes["name"], role.domain_id)
            for key in _FIELDS:
                if key in changes:
                    setattr(role, key, changes[key])
            role.options = _options(role.options, changes)
            extra = {k: v for k, v in changes.items() if k not in _NOT_EXTRA}
            if extra:
                role.extra = {**role.extra, **extra}
            session.flush()
            return role
        role = self.db.write(update)
        self._notify("updated", role_id)
        return role

    def delete_role(self, role_id: str) -> None:
        """Delete a role and everything that refers to it (see the class contract)."""
        def delete(session):
            role = _get(session, role_id)
            if role.options.get("immutable"):
                raise exception.Forbidden(
                    f"Unable to delete immutable role resource: `{role_id}. "
                    'Set resource option "immutable" to false first.')
            grant = models.Assignment
            holders = session.execute(sa.select(grant.actor_id, grant.target_id).where(
                grant.role_id == role_id, grant.type == "UserProject")).all()
            cred = models.ApplicationCredential
            for user_id, project_id in holders:
                session.execute(sa.delete(cred).where(
                    cred.user_id == user_id, cred.project_id == project_id))
            session.execute(sa.delete(grant).where(grant.role_id == role_id))
            rule = models.ImpliedRole
            session.execute(sa.delete(rule).where(sa.or_(
                rule.prior_role_id == role_id, rule.implied_role_id == role_id)))
            revoke.add_event(session, role_id=role_id)
            session.delete(role)
        self.db.write(delete)
        self._notify("deleted", role_id)

    # -- implied roles --------------------------------------------------------

    def create_implied_role(self, prior_id: str, implied_id: str
                            ) -> tuple[models.Role, models.Role]:
        """Add the rule "prior implies implied"; returns (prior, implied).

        404 for a missing role; 403 when the implied role is prohibited, is
        domain-specific under a global prior, or the rule would make a cycle;
        409 when the rule exists.
        """
        def create(session):
            implied = _get(session, implied_id)
            prior = _get(session, prior_id)
            _check_implication(session, prior, implied)
            if session.get(models.ImpliedRole, (prior_id, implied_id)) is not None:
                raise exception.Duplicate(type="implied_role", details="Duplicate entry")
            session.add(models.ImpliedRole(prior_role_id=prior_id,
                                           implied_role_id=implied_id))
            return prior, implied
        pair = self.db.write(create)
        self._notify("created", f"{prior_id}:{implied_id}", "implied_role")
        return pair

    def get_implied_role(self, prior_id: str, implied_id: str
                         ) -> tuple[models.Role, models.Role]:
        """(prior, implied) if the rule exists; 404 otherwise."""
        with self.db.reader() as session:
            _get_rule(session, prior_id, implied_id)
            return _get(session, prior_id), _get(session, implied_id)

    def delete_implied_role(self, prior_id: str, implied_id: str) -> None:
        def delete(session):
            session.delete(_get_rule(session, prior_id, implied_id))
        self.db.write(delete)
        self._notify("deleted", f"{prior_id}:{implied_id}", "implied_role")

    def list_implied_roles(self, prior_id: str) -> tuple[models.Role, list[models.Role]]:
        """(prior, the roles it implies directly); 404 for a missing prior role."""
        with self.db.reader() as session:
            prior = _get(session, prior_id)
            return prior, _implied_by(session).get(prior_id, [])

    def list_role_inferences(self) -> list[tuple[models.Role, list[models.Role]]]:
        """Every rule, grouped by prior role: [(prior, [implied, ...]), ...]."""
        with self.db.reader() as session:
            rules = _implied_by(session)
            if not rules:
                return []
            priors = session.execute(sa.select(models.Role).where(
                models.Role.id.in_(rules)).order_by(models.Role.name)).scalars()
            return [(prior, rules[prior.id]) for prior in priors]

    def _notify(self, action: str, resource_id: str, resource: str = "role") -> None:
        if self.notifier is not None:
            self.notifier.resource_event(resource, action, resource_id)


def _get(session, role_id: str) -> models.Role:
    role = session.get(models.Role, role_id)
    if role is None:
        raise exception.EntityNotFound(target="role", id=role_id)
    return role


def _get_rule(session, prior_id: str, implied_id: str) -> models.ImpliedRole:
    rule = session.get(models.ImpliedRole, (prior_id, implied_id))
    if rule is None:
        raise exception.NotFound(f"{prior_id} does not imply {implied_id}.")
    return rule


def _check_unique(session, name: str, domain_id: str) -> None:
    clash = session.execute(sa.select(models.Role.id).where(
        models.Role.name == name, models.Role.domain_id == domain_id)).first()
    if clash:
        where = "" if domain_id == models.GLOBAL_ROLE else f" at domain ID {domain_id}"
        raise exception.Duplicate(type="role",
                                  details=f"Duplicate entry found with name {name}{where}")


def _check_mutable(role: models.Role, changes: dict) -> None:
    """Only ``{"options": {"immutable": false|null}}`` may touch an immutable role."""
    if not role.options.get("immutable"):
        return
    options = changes.get("options") or {}
    if len(changes) > 1 or "immutable" not in options or options["immutable"] not in (
            False, None):
        raise exception.Forbidden(
            f"Unable to update immutable role resource: `{role.id}. "
            'Set resource option "immutable" to false first.')


def _options(current: dict, data: dict) -> dict:
    """``current`` with the options in ``data`` applied; a null value removes one."""
    options = dict(current or {})
    for key, value in (data.get("options") or {}).items():
        if value is None:
            options.pop(key, None)
        else:
            options[key] = value
    return options


def _check_implication(session, prior: models.Role, implied: models.Role) -> None:
    if implied.name in PROHIBITED_IMPLIED:
        raise exception.Forbidden(f"{implied.id} cannot be an implied roles.")
    if prior.domain_id == models.GLOBAL_ROLE and implied.domain_id != models.GLOBAL_ROLE:
        raise exception.Forbidden("Global role cannot imply a domain-specific role")
    if prior.id == implied.id or prior.id in _closure(session, implied.id):
        raise exception.Forbidden(
            f"{implied.id} cannot be an implied role of {prior.id}: "
            "the rule would make a cycle.")


def _closure(session, role_id: str) -> set[str]:
    """Every role ``role_id`` implies, directly or not."""
    edges: dict[str, list[str]] = {}
    for prior_id, implied_id in session.execute(sa.select(
            models.ImpliedRole.prior_role_id, models.ImpliedRole.implied_role_id)):
        edges.setdefault(prior_id, []).append(implied_id)
    found: set[str] = set()
    stack = [role_id]
    while stack:
        for implied_id in edges.get(stack.pop(), ()):
            if implied_id not in found:
                found.add(implied_id)
                stack.append(implied_id)
    return found


def _implied_by(session) -> dict[str, list[models.Role]]:
    """prior role id → the roles it implies directly, by name."""
    rule = models.ImpliedRole
    rows = session.execute(
        sa.select(rule.prior_role_id, models.Role)
        .join(models.Role, models.Role.id == rule.implied_role_id)
        .order_by(models.Role.name)).all()
    result: dict[str, list[models.Role]] = {}
    for prior_id, implied in rows:
        result.setdefault(prior_id, []).append(implied)
    return result
