"""Tags on any resource with standard attributes (``standard-attr-tag``).

The resource's own manager decides first whether the caller sees it (404);
these methods then change its tags and bump its revision. At most
:data:`MAX_TAGS` tags per resource (400). A later resource becomes taggable
by adding ``"<collection>": <model>`` to :data:`TAGGABLE`.
"""
from __future__ import annotations

import sqlalchemy as sa

from network import exception, models
from network.manager import standard

MAX_TAGS = 50

TAGGABLE = {
    "networks": models.Network,
    "subnets": models.Subnet,
    "ports": models.Port,
    "subnetpools": models.SubnetPool,
    "routers": models.Router,
    "floatingips": models.FloatingIP,
    "security_groups": models.SecurityGroup,
}


class Tags:
    def __init__(self, db, notifier=None):
        self.db = db
        self.notifier = notifier

    def list(self, collection: str, resource_id: str) -> list[str]:
        with self.db.reader() as session:
            return standard.load_tags(session, collection, [resource_id])[resource_id]

    def replace(self, collection: str, resource_id: str, tags: list[str]) -> list[str]:
        _check_count(collection, tags)

        def replace(session):
            standard.touch(self._row(session, collection, resource_id))
            standard.set_tags(session, collection, resource_id, tags)
        self.db.write(replace)
        self._notify("update", collection, resource_id, tags)
        return sorted(set(tags))

    def add(self, collection: str, resource_id: str, tag: str) -> None:
        def add(session):
            row = self._row(session, collection, resource_id)
            current = standard.load_tags(session, collection, [resource_id])[resource_id]
            if tag in current:
                return
            _check_count(collection, current + [tag])
            session.add(models.Tag(resource_type=collection, resource_id=resource_id,
                                   tag=tag))
            standard.touch(row)
        self.db.write(add)
        self._notify("create", collection, resource_id, [tag])

    def remove(self, collection: str, resource_id: str, tag: str) -> None:
        def remove(session):
            row = self._row(session, collection, resource_id)
            found = session.get(models.Tag, (collection, resource_id, tag))
            if found is None:
                raise exception.TagNotFound(tag=tag)
            session.delete(found)
            standard.touch(row)
        self.db.write(remove)
        self._notify("delete", collection, resource_id, [tag])

    def clear(self, collection: str, resource_id: str) -> None:
        def clear(session):
            standard.touch(self._row(session, collection, resource_id))
            standard.delete_tags(session, collection, [resource_id])
        self.db.write(clear)
        self._notify("delete_all", collection, resource_id, None)

    @staticmethod
    def _row(session, collection: str, resource_id: str):
        model = TAGGABLE[collection]
        row = session.scalars(sa.select(model).where(model.id == resource_id)).first()
        if row is None:
            raise exception.NotFound(
                msg=f"Resource {collection} {resource_id} could not be found.")
        return row

    def _notify(self, action: str, collection: str, resource_id: str, tags) -> None:
        payload = {"obj_resource": collection, "obj_resource_id": resource_id}
        if tags is not None:
            payload["tags"] = tags
        standard.emit(self.notifier, f"tag.{action}.end", payload)


def _check_count(collection: str, tags: list[str]) -> None:
    if len(set(tags)) > MAX_TAGS:
        raise exception.BadRequest(
            resource=collection,
            msg=f"The number of tags exceed the per-resource limit of {MAX_TAGS}")
