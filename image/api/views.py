"""Glance's JSON shapes for images and members."""
import datetime
import json

from image import models
from image.api import common


def timestamp(value: datetime.datetime | None) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def image(record: models.Image) -> dict:
    body = {p.name: p.value for p in record.properties}
    body.update({
        "id": record.id, "name": record.name, "status": record.status,
        "visibility": record.visibility, "protected": record.protected,
        "os_hidden": record.os_hidden, "checksum": record.checksum,
        "os_hash_algo": record.os_hash_algo, "os_hash_value": record.os_hash_value,
        "owner": record.owner, "size": record.size, "virtual_size": record.virtual_size,
        "min_ram": record.min_ram, "min_disk": record.min_disk,
        "disk_format": record.disk_format, "container_format": record.container_format,
        "created_at": timestamp(record.created_at),
        "updated_at": timestamp(record.updated_at),
        "tags": [tag.value for tag in record.tags],
        "self": f"/v2/images/{record.id}", "file": f"/v2/images/{record.id}/file",
        "schema": "/v2/schemas/image",
    })
    if record.status == models.ACTIVE and record.location:
        body["stores"] = "file"
    return body


def member(record: models.ImageMember) -> dict:
    return {"image_id": record.image_id, "member_id": record.member,
            "status": record.status, "created_at": timestamp(record.created_at),
            "updated_at": timestamp(record.updated_at), "schema": "/v2/schemas/member"}


def location(record: models.Image) -> str:
    return f"{common.base_url()}/v2/images/{record.id}"


def task(record: models.ImageTask) -> dict:
    return {"id": record.id, "type": record.type, "status": record.status,
            "owner": record.owner, "user_id": record.user_id,
            "request_id": record.request_id, "image_id": record.image_id,
            "input": json.loads(record.input),
            "result": json.loads(record.result) if record.result else None,
            "message": record.message, "created_at": timestamp(record.created_at),
            "updated_at": timestamp(record.updated_at),
            "expires_at": timestamp(record.expires_at), "deleted": False,
            "deleted_at": None}
