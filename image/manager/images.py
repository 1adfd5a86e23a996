"""Images: creation, visibility, changes (JSON patch), tags, actions, deletion.

Guarantees: an image the caller may not see is :class:`ImageNotFound` (404),
never 403; read-only and reserved attributes are refused (403); a protected
image is never deleted; status changes go through :meth:`Images.transition`,
which persists them atomically (compare-and-set on the old status).

Notifications are Glance's: ``image.create``, ``image.update`` (a JSON patch,
a tag added or removed, deactivate, reactivate) and ``image.delete``, each
with :func:`payload` of the image once the change is stored.
"""
import datetime
import uuid

import sqlalchemy as sa

from image import exception, models
from image.manager import Caller

CORE = ("name", "visibility", "disk_format", "container_format", "min_disk", "min_ram",
        "protected", "os_hidden", "owner", "tags")
READ_ONLY = ("id", "status", "checksum", "os_hash_algo", "os_hash_value", "size",
             "virtual_size", "created_at", "updated_at", "self", "file", "schema",
             "direct_url", "stores")
RESERVED = ("location", "locations", "deleted", "deleted_at", "os_glance_import_task")
FORMAT_LOCKED = ("disk_format", "container_format")
NOT_REMOVABLE = ("name", "visibility", "disk_format", "container_format", "min_disk",
                 "min_ram", "protected", "os_hidden", "owner", "tags")

DISK_FORMATS = ("ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi",
                "iso", "ploop")
CONTAINER_FORMATS = ("ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed")


class Images:
    """Image records. ``conf`` gives the [image] limits."""

    def __init__(self, db, conf, notifier=None):
        self.db = db
        self.conf = conf
        self.notifier = notifier

    # -- reading -----------------------------------------------------------

    def get(self, caller: Caller, image_id: str) -> models.Image:
        """The image if ``caller`` may see it; ImageNotFound otherwise."""
        with self.db.reader() as session:
            return _visible(session, caller, image_id)

    def member_status(self, caller: Caller, image: models.Image) -> str | None:
        with self.db.reader() as session:
            member = session.get(models.ImageMember, (image.id, caller.project_id))
            return member.status if member else None

    # -- creating ----------------------------------------------------------

    def create(self, caller: Caller, data: dict) -> models.Image:
        """A new ``queued`` image; raises 403 for read-only/reserved attributes,
        409 for a duplicate id, 413 past the project's image count quota."""
        data = dict(data)
        for name in data:
            _check_writable(name)
        image_id = data.pop("id", None) or str(uuid.uuid4())
        tags = data.pop("tags", [])
        owner = data.pop("owner", None) or caller.project_id
        core = {key: data.pop(key) for key in CORE if key in data}
        self._check_limits(len(set(tags)), len(data))

        def create(session):
            if session.get(models.Image, image_id) is not None:
                raise exception.Conflict(f"Image with identifier {image_id} already exists!")
            self._check_count_quota(session, owner)
            image = models.Image(id=image_id, owner=owner, status=models.QUEUED, **core)
            image.visibility = core.get("visibility") or "shared"
            image.properties = [models.ImageProperty(name=k, value=v) for k, v in data.items()]
            image.tags = [models.ImageTag(value=t) for t in dict.fromkeys(tags)]
            session.add(image)
            session.flush()
            return image
        image = self.db.write(create)
        self._notify("image.create", image)
        return image

    def _check_count_quota(self, session, owner: str | None) -> None:
        limit = self.conf.image.image_count_quota
        if not limit or owner is None:
            return
        count = session.execute(sa.select(sa.func.count()).select_from(models.Image).where(
            models.Image.owner == owner)).scalar_one()
        if count >= limit:
            raise exception.QuotaExceeded(
                detail=f"Maximum number of images exceeded: project {owner} "
                       f"may own {limit} images.")

    def _check_limits(self, tags: int, properties: int) -> None:
        for what, count, limit in (("tags", tags, self.conf.image.image_tag_quota),
                                   ("properties", properties,
                                    self.conf.image.image_property_quota)):
            if limit >= 0 and count > limit:
                raise exception.LimitExceeded(
                    detail=f"Attempted: {count}, Maximum: {limit} image {what}.")

    # -- changing ----------------------------------------------------------

    def update(self, caller: Caller, image_id: str, changes: list[dict]) -> models.Image:
        """Apply JSON-patch ``changes`` (op add/replace/remove, ``name`` the
        attribute, ``value``) in one transaction."""
        def update(session):
            image = _visible(session, caller, image_id)
            props = {p.name: p for p in image.properties}
            for change in changes:
                _apply(session, image, props, change)
            self._check_limits(len(image.tags), len(props))
            image.updated_at = models.utcnow()
            session.flush()
            session.refresh(image)
            return image
        image = self.db.write(update)
        self._notify("image.update", image)
        return image

    def add_tag(self, caller: Caller, image_id: str, tag: str) -> None:
        def add(session):
            image = _visible(session, caller, image_id)
            if tag not in {t.value for t in image.tags}:
                image.tags.append(models.ImageTag(value=tag))
                self._check_limits(len(image.tags), 0)
                image.updated_at = models.utcnow()
            session.flush()
            return image
        self._notify("image.update", self.db.write(add))

    def remove_tag(self, caller: Caller, image_id: str, tag: str) -> None:
        def remove(session):
            image = _visible(session, caller, image_id)
            found = [t for t in image.tags if t.value == tag]
            if not found:
                raise exception.TagNotFound(tag=tag)
            image.tags.remove(found[0])
            image.updated_at = models.utcnow()
            session.flush()
            return image
        self._notify("image.update", self.db.write(remove))

    def deactivate(self, caller: Caller, image_id: str) -> None:
        self._flip(caller, image_id, "deactivate", models.DEACTIVATED)

    def reactivate(self, caller: Caller, image_id: str) -> None:
        self._flip(caller, image_id, "reactivate", models.ACTIVE)

    def _flip(self, caller, image_id, action, status):
        def flip(session):
            image = _visible(session, caller, image_id)
            if image.status not in (models.ACTIVE, models.DEACTIVATED):
                raise exception.Forbidden(
                    f"Not allowed to {action} image in status '{image.status}'")
            image.status = status
            image.updated_at = models.utcnow()
            return image
        self._notify("image.update", self.db.write(flip))

    def transition(self, image_id: str, old: str | tuple, new: str, **values) -> bool:
        """Move the image from ``old`` (one status or several) to ``new``,
        setting ``values`` too; False (nothing changed) if it was not in ``old``."""
        olds = (old,) if isinstance(old, str) else old

        def move(session):
            result = session.execute(sa.update(models.Image).where(
                models.Image.id == image_id, models.Image.status.in_(olds)).values(
                status=new, updated_at=models.utcnow(), **values))
            return result.rowcount == 1
        return self.db.write(move)

    # -- deleting ----------------------------------------------------------

    def delete(self, caller: Caller, image_id: str) -> models.Image:
        """Remove the record (and its members, tags, properties); returns it
        so the caller can release its data. 403 while protected."""
        def delete(session):
            image = _visible(session, caller, image_id)
            if image.protected:
                raise exception.Forbidden(
                    f"Image {image_id} is protected and cannot be deleted.")
            session.delete(image)
            return image
        image = self.db.write(delete)
        image.status = models.DELETED
        self._notify("image.delete", image, deleted=True,
                     deleted_at=isotime(datetime.datetime.now(datetime.UTC)))
        return image

    def _notify(self, event_type: str, image: models.Image, **extra) -> None:
        if self.notifier is not None:
            self.notifier.emit(event_type, {**payload(image), **extra})


def payload(image: models.Image) -> dict:
    """What a notification says about ``image``: Glance's fields (its
    ``format_image_notification``: never the location) plus the hashes and
    ``os_hidden`` of the image's API representation."""
    body = {key: getattr(image, key) for key in (
        "id", "name", "status", "visibility", "owner", "size", "virtual_size", "checksum",
        "os_hash_algo", "os_hash_value", "disk_format", "container_format", "min_disk",
        "min_ram", "protected", "os_hidden")}
    body.update(created_at=isotime(image.created_at), updated_at=isotime(image.updated_at),
                is_public=image.visibility == "public",
                tags=[t.value for t in image.tags],
                properties={p.name: p.value for p in image.properties},
                deleted=False, deleted_at=None)
    return body


def isotime(value: datetime.datetime | None) -> str | None:
    """A timestamp as Glance's notifications and API write it (UTC, seconds, Z)."""
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def _visible(session, caller: Caller, image_id: str) -> models.Image:
    image = session.get(models.Image, image_id)
    if image is None or not can_see(session, caller, image):
        raise exception.ImageNotFound(id=image_id)
    return image


def can_see(session, caller: Caller, image: models.Image) -> bool:
    if caller.is_admin or image.visibility in ("public", "community"):
        return True
    if image.owner is not None and image.owner == caller.project_id:
        return True
    if image.visibility == "shared" and caller.project_id:
        return session.get(models.ImageMember, (image.id, caller.project_id)) is not None
    return False


def _check_writable(name: str) -> None:
    if name in READ_ONLY and name != "id":
        raise exception.ReadOnlyProperty(name=name)
    if is_reserved(name):
        raise exception.ReservedProperty(name=name)


def is_reserved(name: str) -> bool:
    """Names no caller may set: Glance's reserved ones and its whole
    ``os_glance`` namespace."""
    return name in RESERVED or name.startswith("os_glance")


def _apply(session, image: models.Image, props: dict, change: dict) -> None:
    op, name, value = change["op"], change["name"], change.get("value")
    if name == "id" or name in READ_ONLY:
        raise exception.ReadOnlyProperty(name=name)
    _check_writable(name)
    if name in FORMAT_LOCKED and image.status != models.QUEUED:
        raise exception.Forbidden(
            f"Attribute {name} can be only replaced for a queued image.")
    if name == "tags":
        if op == "remove":
            raise exception.Forbidden(f"Property {name} may not be removed.")
        image.tags = [models.ImageTag(value=t) for t in dict.fromkeys(value)]
    elif name in CORE:
        if op == "remove":
            raise exception.Forbidden(f"Property {name} may not be removed.")
        setattr(image, name, value)
    elif op == "remove":
        if name not in props:
            raise exception.Conflict(f"Property {name} does not exist.")
        image.properties.remove(props.pop(name))
    elif name in props:
        props[name].value = value
    elif op == "replace":
        raise exception.Conflict(f"Property {name} does not exist.")
    else:
        prop = models.ImageProperty(name=name, value=value)
        image.properties.append(prop)
        props[name] = prop
