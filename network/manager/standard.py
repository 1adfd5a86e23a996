"""Neutron's standard attributes, the same on every resource: ``id``,
``project_id``/``tenant_id``, ``description``, ``tags``, ``created_at`` and
``updated_at`` (ISO 8601 with ``Z``, no microseconds) and ``revision_number``
(bumped by every change, tags included; ``If-Match: revision_number=N``
refuses a change to another revision with 412).

A resource added later (a router, a floating IP, a security group) gets them
by mixing :class:`network.models.Standard` into its table and building its
view on :func:`view`; its tags are stored under its collection name.
"""
import datetime
import uuid

import sqlalchemy as sa

from network import exception, models


def timestamp(value: datetime.datetime | None) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def new_id() -> str:
    return str(uuid.uuid4())


def create(model, project_id: str, **values):
    """A new row of ``model`` with a fresh id, revision 0 and both timestamps now."""
    now = models.utcnow()
    values.setdefault("id", new_id())
    return model(project_id=project_id, revision_number=0, created_at=now, updated_at=now,
                 **values)


def touch(row) -> None:
    """Record a change to ``row``: one more revision, updated now."""
    row.revision_number = (row.revision_number or 0) + 1
    row.updated_at = models.utcnow()


def check_revision(row, expected: int | None) -> None:
    """Raise 412 unless ``expected`` is None or ``row``'s current revision."""
    if expected is not None and expected != row.revision_number:
        raise exception.RevisionNumberConstraintFailed(expected=expected,
                                                       current=row.revision_number)


def view(row, tags: list[str], name: bool = True) -> dict:
    """The standard part of a resource's view (``name`` included unless False)."""
    body = {"id": row.id}
    if name:
        body["name"] = row.name
    body.update({
        "tenant_id": row.project_id, "project_id": row.project_id,
        "description": row.description, "tags": tags,
        "created_at": timestamp(row.created_at), "updated_at": timestamp(row.updated_at),
        "revision_number": row.revision_number,
    })
    return body


def load_tags(session, resource_type: str, ids: list[str]) -> dict[str, list[str]]:
    """Tags of each resource in ``ids`` (sorted), in one query."""
    tags: dict[str, list[str]] = {resource_id: [] for resource_id in ids}
    if not ids:
        return tags
    rows = session.execute(
        sa.select(models.Tag.resource_id, models.Tag.tag)
        .where(models.Tag.resource_type == resource_type, models.Tag.resource_id.in_(ids))
        .order_by(models.Tag.tag))
    for resource_id, tag in rows:
        tags[resource_id].append(tag)
    return tags


def set_tags(session, resource_type: str, resource_id: str, tags: list[str]) -> None:
    """Make ``tags`` the resource's tags."""
    delete_tags(session, resource_type, [resource_id])
    for tag in dict.fromkeys(tags):
        session.add(models.Tag(resource_type=resource_type, resource_id=resource_id, tag=tag))


def delete_tags(session, resource_type: str, ids: list[str]) -> None:
    if ids:
        session.execute(sa.delete(models.Tag).where(
            models.Tag.resource_type == resource_type, models.Tag.resource_id.in_(ids)))


def public(view: dict) -> dict:
    """``view`` without its private ``_policy`` part."""
    return {key: value for key, value in view.items() if key != "_policy"}


def emit(notifier, event_type: str, payload: dict) -> None:
    """Announce ``event_type`` (``network.create.end``…) with ``payload``,
    whose resource views lose their private parts; no-op without a notifier."""
    if notifier is None:
        return
    notifier.emit(event_type, {key: public(value) if isinstance(value, dict) else value
                               for key, value in payload.items()})
