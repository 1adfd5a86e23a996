"""Revocation events: how a stateless Fernet token is made invalid early.

An event names one or more of user, project, domain, role, audit id or audit
chain id; every token that matches all of them and was issued at or before
``issued_before`` is revoked. Lookups are indexed, so validation stays fast
with many events recorded.
"""
import datetime

import sqlalchemy as sa
from sqlalchemy import orm

from identity import models

_FIELDS = ("user_id", "project_id", "domain_id", "role_id", "audit_id", "audit_chain_id")


def add_event(session: orm.Session, issued_before: datetime.datetime | None = None,
              **fields) -> None:
    """Record that tokens matching ``fields`` issued up to now are revoked."""
    unknown = set(fields) - set(_FIELDS)
    if unknown:
        raise ValueError(f"unknown revocation fields {unknown}")
    now = models.utcnow()
    session.add(models.RevocationEvent(issued_before=issued_before or now, revoked_at=now,
                                       **fields))


def is_revoked(session: orm.Session, token: dict) -> bool:
    """Whether any recorded event matches ``token``.

    ``token`` holds ``user_id``, ``project_id``, ``domain_id`` (the scope),
    ``user_domain_id``, ``role_ids``, ``audit_ids`` and ``issued_at``.
    """
    ev = models.RevocationEvent
    audit_id = token["audit_ids"][0]
    chain_id = token["audit_ids"][-1]
    candidates = sa.or_(
        ev.audit_id == audit_id,
        ev.audit_chain_id == chain_id,
        ev.user_id == token["user_id"],
        *([ev.role_id.in_(token["role_ids"])] if token.get("role_ids") else []),
        *([ev.project_id == token["project_id"]] if token.get("project_id") else []),
        *([ev.domain_id.in_({token.get("domain_id"), token.get("user_domain_id"),
                             token.get("project_domain_id")} - {None})]),
    )
    rows = session.execute(
        sa.select(ev).where(candidates, ev.issued_before >= token["issued_at"])
    ).scalars()
    return any(_matches(event, token) for event in rows)


def _matches(event: models.RevocationEvent, token: dict) -> bool:
    if event.audit_id and event.audit_id != token["audit_ids"][0]:
        return False
    if event.audit_chain_id and event.audit_chain_id != token["audit_ids"][-1]:
        return False
    if event.user_id and event.user_id != token["user_id"]:
        return False
    if event.project_id and event.project_id != token.get("project_id"):
        return False
    if event.role_id and event.role_id not in token.get("role_ids", ()):
        return False
    if event.domain_id and event.domain_id not in (
            token.get("domain_id"), token.get("user_domain_id"),
            token.get("project_domain_id")):
        return False
    return True


def list_events(session: orm.Session, since: datetime.datetime | None = None
                ) -> list[models.RevocationEvent]:
    query = sa.select(models.RevocationEvent).order_by(models.RevocationEvent.revoked_at)
    if since is not None:
        query = query.where(models.RevocationEvent.revoked_at >= since)
    return list(session.execute(query).scalars())


def prune(session: orm.Session, older_than: datetime.datetime) -> int:
    """Drop events that can no longer match a live token."""
    result = session.execute(sa.delete(models.RevocationEvent).where(
        models.RevocationEvent.issued_before < older_than))
    return result.rowcount
