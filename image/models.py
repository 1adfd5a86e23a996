"""Image tables. Times are naive UTC.

``location`` is where the store driver keeps the data (internal, never shown);
a deleted image row is removed along with its properties, tags and members.
"""
import datetime

import sqlalchemy as sa
from sqlalchemy import orm

ID = sa.String(64)

QUEUED, SAVING, ACTIVE, KILLED = "queued", "saving", "active", "killed"
DEACTIVATED, UPLOADING, IMPORTING, DELETED = "deactivated", "uploading", "importing", "deleted"
STATUSES = (QUEUED, SAVING, ACTIVE, KILLED, DEACTIVATED, UPLOADING, IMPORTING,
            DELETED, "pending_delete")
VISIBILITIES = ("public", "private", "shared", "community")
MEMBER_STATUSES = ("pending", "accepted", "rejected")


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None, microsecond=0)


class Base(orm.DeclarativeBase):
    pass


class Image(Base):
    __tablename__ = "image"

    id: orm.Mapped[str] = orm.mapped_column(sa.String(36), primary_key=True)
    name: orm.Mapped[str | None] = orm.mapped_column(sa.String(255), index=True)
    status: orm.Mapped[str] = orm.mapped_column(sa.String(30), default=QUEUED, index=True)
    visibility: orm.Mapped[str] = orm.mapped_column(sa.String(16), default="shared",
                                                    index=True)
    owner: orm.Mapped[str | None] = orm.mapped_column(ID, index=True)
    size: orm.Mapped[int | None] = orm.mapped_column(sa.BigInteger)
    virtual_size: orm.Mapped[int | None] = orm.mapped_column(sa.BigInteger)
    checksum: orm.Mapped[str | None] = orm.mapped_column(sa.String(32))
    os_hash_algo: orm.Mapped[str | None] = orm.mapped_column(sa.String(64))
    os_hash_value: orm.Mapped[str | None] = orm.mapped_column(sa.String(128), index=True)
    disk_format: orm.Mapped[str | None] = orm.mapped_column(sa.String(20))
    container_format: orm.Mapped[str | None] = orm.mapped_column(sa.String(20))
    min_disk: orm.Mapped[int] = orm.mapped_column(default=0)
    min_ram: orm.Mapped[int] = orm.mapped_column(default=0)
    protected: orm.Mapped[bool] = orm.mapped_column(default=False)
    os_hidden: orm.Mapped[bool] = orm.mapped_column(default=False)
    location: orm.Mapped[str | None] = orm.mapped_column(sa.String(1024))
    created_at: orm.Mapped[datetime.datetime] = orm.mapped_column(default=utcnow, index=True)
    updated_at: orm.Mapped[datetime.datetime] = orm.mapped_column(default=utcnow, index=True)
    properties: orm.Mapped[list["ImageProperty"]] = orm.relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="ImageProperty.name")
    tags: orm.Mapped[list["ImageTag"]] = orm.relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="ImageTag.value")


class ImageProperty(Base):
    __tablename__ = "image_property"

    image_id: orm.Mapped[str] = orm.mapped_column(
        sa.ForeignKey("image.id", ondelete="CASCADE"), primary_key=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(255), primary_key=True)
    value: orm.Mapped[str] = orm.mapped_column(sa.Text)


class ImageTag(Base):
    __tablename__ = "image_tag"

    image_id: orm.Mapped[str] = orm.mapped_column(
        sa.ForeignKey("image.id", ondelete="CASCADE"), primary_key=True)
    value: orm.Mapped[str] = orm.mapped_column(sa.String(255), primary_key=True, index=True)


class ImageMember(Base):
    __tablename__ = "image_member"

    image_id: orm.Mapped[str] = orm.mapped_column(
        sa.ForeignKey("image.id", ondelete="CASCADE"), primary_key=True)
    member: orm.Mapped[str] = orm.mapped_column(ID, primary_key=True, index=True)
    status: orm.Mapped[str] = orm.mapped_column(sa.String(20), default="pending")
    created_at: orm.Mapped[datetime.datetime] = orm.mapped_column(default=utcnow)
    updated_at: orm.Mapped[datetime.datetime] = orm.mapped_column(default=utcnow)


class ImageTask(Base):
    """One import of an image (Glance's ``api_image_import`` task), shown by
    ``GET /v2/images/{id}/tasks``; ``input`` and ``result`` are JSON text."""
    __tablename__ = "image_task"

    id: orm.Mapped[str] = orm.mapped_column(sa.String(36), primary_key=True)
    image_id: orm.Mapped[str] = orm.mapped_column(
        sa.ForeignKey("image.id", ondelete="CASCADE"), index=True)
    type: orm.Mapped[str] = orm.mapped_column(sa.String(30))
    status: orm.Mapped[str] = orm.mapped_column(sa.String(30))
    owner: orm.Mapped[str | None] = orm.mapped_column(ID)
    user_id: orm.Mapped[str | None] = orm.mapped_column(ID)
    request_id: orm.Mapped[str | None] = orm.mapped_column(sa.String(64))
    input: orm.Mapped[str] = orm.mapped_column(sa.Text)
    result: orm.Mapped[str | None] = orm.mapped_column(sa.Text)
    message: orm.Mapped[str] = orm.mapped_column(sa.Text, default="")
    created_at: orm.Mapped[datetime.datetime] = orm.mapped_column(default=utcnow)
    updated_at: orm.Mapped[datetime.datetime] = orm.mapped_column(default=utcnow)
    expires_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column()
