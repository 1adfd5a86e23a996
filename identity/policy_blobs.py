"""Policy blobs: opaque policy documents stored for other services.

Keystone's ``/v3/policies`` keeps a ``blob`` and its MIME-like ``type``
(``application/json``, anything) with any extra attributes; identity never
parses or enforces a blob. Guarantees: an id is assigned at creation (a
client's ``id`` is ignored) and never changes; extra attributes are kept and
merged on update.
"""
from __future__ import annotations

import uuid

import sqlalchemy as sa

from identity import exception, models
from identity.database import IdentityDatabase

_COLUMNS = ("type", "blob")
_NOT_EXTRA = (*_COLUMNS, "id", "links")


class PolicyBlobs:

    def __init__(self, db: IdentityDatabase, notifier=None):
        self.db = db
        self.notifier = notifier

    def create(self, data: dict) -> models.Policy:
        """Store ``data`` (``blob`` and ``type`` required) under a new id."""
        def create(session):
            policy = models.Policy(id=uuid.uuid4().hex, type=data["type"],
                                   blob=data["blob"], extra=_extra(data))
            session.add(policy)
            session.flush()
            return policy
        policy = self.db.write(create)
        self._notify("created", policy.id)
        return policy

    def get(self, policy_id: str) -> models.Policy:
        """The policy; EntityNotFound if there is none."""
        with self.db.reader() as session:
            return _get(session, policy_id)

    def list(self, filters: dict) -> list[models.Policy]:
        """Every policy, or those of ``type`` when given."""
        query = sa.select(models.Policy).order_by(models.Policy.id)
        if filters.get("type") is not None:
            query = query.where(models.Policy.type == filters["type"])
        with self.db.reader() as session:
            return list(session.execute(query).scalars())

    def update(self, policy_id: str, changes: dict) -> models.Policy:
        """Change ``type``/``blob`` and merge extra attributes.

        Raises ValidationError when ``changes`` names another id,
        EntityNotFound when there is no such policy.
        """
        if changes.get("id", policy_id) != policy_id:
            raise exception.ValidationError(field="policy/id", detail="cannot be changed")

        def update(session):
            policy = _get(session, policy_id)
            for key in _COLUMNS:
                if key in changes:
                    setattr(policy, key, changes[key])
            extra = _extra(changes)
            if extra:
                policy.extra = {**policy.extra, **extra}
            session.flush()
            return policy
        policy = self.db.write(update)
        self._notify("updated", policy_id)
        return policy

    def delete(self, policy_id: str) -> None:
        """Remove the policy; EntityNotFound if there is none."""
        def delete(session):
            session.delete(_get(session, policy_id))
        self.db.write(delete)
        self._notify("deleted", policy_id)

    def _notify(self, action: str, policy_id: str) -> None:
        if self.notifier is not None:
            self.notifier.resource_event("policy", action, policy_id)


def _get(session, policy_id: str) -> models.Policy:
    policy = session.get(models.Policy, policy_id)
    if policy is None:
        raise exception.EntityNotFound(target="policy", id=policy_id)
    return policy


def _extra(data: dict) -> dict:
    return {k: v for k, v in data.items() if k not in _NOT_EXTRA}
