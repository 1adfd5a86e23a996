"""Application credentials: a secret a user hands to an application, standing for
that user on one project (or the system) with a chosen subset of their roles.

Guarantees: the secret is generated unless given, returned once, and stored
only as a bcrypt hash; the roles, with the roles they imply, are a subset of
the creator's roles on the creator's scope (400 otherwise) and are kept as
role ids; names are unique per user (409); ``expires_at``, when set, is in
the future (400). A token made from a credential carries no role the
credential lacks, and stops validating when the credential is deleted or
expires (see :mod:`identity.tokens.provider`).
"""
from __future__ import annotations

import datetime
import secrets
import uuid

import sqlalchemy as sa

from identity import assignment, exception, models, passwords
from identity.database import IdentityDatabase

_TARGET = "application credential"


class ApplicationCredentials:

    def __init__(self, db: IdentityDatabase, conf, notifier=None):
        self.db = db
        self.conf = conf
        self.notifier = notifier

    def create(self, user_id: str, project_id: str | None, data: dict,
               caller_roles: list[str], system: str | None = None
               ) -> tuple[models.ApplicationCredential, str]:
        """Store a credential for ``user_id`` scoped to ``project_id`` (or ``system``).

        ``data`` holds ``name`` and optionally ``description``, ``secret``,
        ``expires_at`` (ISO 8601, naive means UTC), ``unrestricted`` and
        ``roles`` (``[{"id"}|{"name", "domain_id"?}]``, default: all of
        ``caller_roles``, the ids of the creator's token roles). Returns the
        row and the clear secret.
        """
        if not project_id and not system:
            raise exception.ValidationError(
                field="application_credential",
                detail="an application credential is created with a project- or "
                       "system-scoped token")
        if data.get("access_rules"):
            raise exception.ValidationError(
                field="application_credential/access_rules",
                detail="access rules are not supported by this cloud")
        expires_at = _expiry(data.get("expires_at"))
        secret = data.get("secret") or secrets.token_urlsafe(64)
        secret_hash = passwords.hash_password(secret, self.conf.identity.password_hash_rounds)

        def create(session):
            if session.get(models.User, user_id) is None:
                raise exception.EntityNotFound(target="user", id=user_id)
            _check_unique(session, user_id, data["name"])
            cred = models.ApplicationCredential(
                id=uuid.uuid4().hex, name=data["name"], secret_hash=secret_hash,
                description=data.get("description"), user_id=user_id,
                project_id=project_id, system=system if not project_id else None,
                expires_at=expires_at, unrestricted=bool(data.get("unrestricted")),
                roles=_role_ids(session, data.get("roles"), caller_roles), access_rules=[])
            session.add(cred)
            session.flush()
            return cred
        try:
            cred = self.db.write(create)
        except sa.exc.IntegrityError:  # a concurrent create took the name
            raise _duplicate(data["name"])
        self._notify("created", cred.id)
        return cred, secret

    def get(self, app_cred_id: str, user_id: str | None = None
            ) -> models.ApplicationCredential:
        """The credential; EntityNotFound if absent or (given ``user_id``) not theirs."""
        with self.db.reader() as session:
            cred = session.get(models.ApplicationCredential, app_cred_id)
        if cred is None or user_id is not None and cred.user_id != user_id:
            raise exception.EntityNotFound(target=_TARGET, id=app_cred_id)
        return cred

    def find(self, user_id: str, name: str) -> models.ApplicationCredential | None:
        """The user's credential called ``name``, or None."""
        with self.db.reader() as session:
            return session.execute(sa.select(models.ApplicationCredential).where(
                models.ApplicationCredential.user_id == user_id,
                models.ApplicationCredential.name == name)).scalar_one_or_none()

    def list(self, user_id: str, name: str | None = None
             ) -> list[models.ApplicationCredential]:
        a = models.ApplicationCredential
        query = sa.select(a).where(a.user_id == user_id).order_by(a.name)
        if name is not None:
            query = query.where(a.name == name)
        with self.db.reader() as session:
            return [*session.execute(query).scalars()]

    def delete(self, app_cred_id: str, user_id: str | None = None) -> None:
        """Delete the credential; tokens made from it stop validating at once."""
        def delete(session):
            cred = session.get(models.ApplicationCredential, app_cred_id)
            if cred is None or user_id is not None and cred.user_id != user_id:
                raise exception.EntityNotFound(target=_TARGET, id=app_cred_id)
            session.delete(cred)
        self.db.write(delete)
        self._notify("deleted", app_cred_id)

    def role_map(self, creds) -> dict[str, models.Role]:
        """The roles the given credentials name, by id (roles since deleted are absent)."""
        ids = {role_id for cred in creds for role_id in cred.roles}
        if not ids:
            return {}
        with self.db.reader() as session:
            roles = session.execute(sa.select(models.Role).where(
                models.Role.id.in_(ids))).scalars()
            return {role.id: role for role in roles}

    def _notify(self, action: str, app_cred_id: str) -> None:
        if self.notifier is not None:
            self.notifier.resource_event("application_credential", action, app_cred_id)


def _expiry(value: str | None) -> datetime.datetime | None:
    """A naive UTC datetime from ISO 8601 text; 400 if malformed or not in the future."""
    if value is None:
        return None
    try:
        when = datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise exception.ValidationError(field="application_credential/expires_at",
                                        detail=f"'{value}' is not an ISO 8601 time")
    if when.tzinfo is not None:
        when = when.astimezone(datetime.UTC).replace(tzinfo=None)
    if when <= models.utcnow():
        raise exception.ValidationError(field="application_credential/expires_at",
                                        detail="the expiration time is in the past")
    return when


def _check_unique(session, user_id: str, name: str) -> None:
    clash = session.execute(sa.select(models.ApplicationCredential.id).where(
        models.ApplicationCredential.user_id == user_id,
        models.ApplicationCredential.name == name)).first()
    if clash:
        raise _duplicate(name)


def _duplicate(name: str) -> exception.Duplicate:
    return exception.Duplicate(type="application_credential",
                               details=f"Duplicate entry found with name {name}.")


def _role_ids(session, refs: list[dict] | None, caller_roles: list[str]) -> list[str]:
    """Ids of the requested roles and the roles they imply, all of which the
    caller must hold; the caller's roles when none are requested."""
    if not refs:
        if not caller_roles:
            raise exception.ValidationError(
                field="application_credential/roles",
                detail="the token used to create the credential carries no role")
        return list(dict.fromkeys(caller_roles))
    requested = [_find_role(session, ref).id for ref in refs]
    # As in Keystone, a role brings the roles it implies, as it would in a token.
    implied = sorted(assignment.implied_closure(session, set(requested)) - set(requested))
    ids = list(dict.fromkeys([*requested, *implied]))
    if set(ids) - set(caller_roles):
        raise exception.ValidationError(
            field="application_credential/roles",
            detail="cannot create an application credential with unassigned role")
    return ids


def _find_role(session, ref: dict) -> models.Role:
    if ref.get("id"):
        role = session.get(models.Role, ref["id"])
    elif ref.get("name"):
        role = session.execute(sa.select(models.Role).where(
            models.Role.name == ref["name"],
            models.Role.domain_id == (ref.get("domain_id") or models.GLOBAL_ROLE))
        ).scalar_one_or_none()
    else:
        raise exception.ValidationError(field="application_credential/roles",
                                        detail="each role needs an id or a name")
    if role is None:
        raise exception.EntityNotFound(target="role", id=ref.get("id") or ref["name"])
    return role
