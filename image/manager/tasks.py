"""Import tasks: a record of each image import, as Glance keeps its
``api_image_import`` tasks, listed by ``GET /v2/images/{id}/tasks`` (v2.12).

An import runs within its request here, so a task is written once, when the
import has succeeded or failed; it names the request that asked for it.
"""
import dataclasses
import datetime
import json
import uuid

import sqlalchemy as sa

from image import models
from image.manager import Caller
from image.manager.images import _visible

TASK_TYPE = "api_image_import"
# How long Glance keeps a finished task.
TASK_TIME_TO_LIVE = datetime.timedelta(hours=48)


@dataclasses.dataclass(frozen=True)
class Origin:
    """Who asked for an import, and in which request."""

    user_id: str | None = None
    request_id: str | None = None


class Tasks:
    def __init__(self, db):
        self.db = db

    def record(self, image: models.Image, origin: Origin, import_req: dict,
               status: str, message: str = "") -> None:
        """Write the task of one finished import (``success`` or ``failure``);
        nothing when the image is gone meanwhile."""
        now = models.utcnow()
        task = dict(
            id=str(uuid.uuid4()), image_id=image.id, type=TASK_TYPE, status=status,
            owner=image.owner, user_id=origin.user_id, request_id=origin.request_id,
            input=json.dumps({"image_id": image.id, "import_req": import_req,
                              "backend": ["file"]}),
            result=json.dumps({"image_id": image.id}) if status == "success" else None,
            message=message, created_at=now, updated_at=now,
            expires_at=now + TASK_TIME_TO_LIVE)

        def write(session):
            if session.get(models.Image, image.id) is not None:
                session.add(models.ImageTask(**task))
        self.db.write(write)

    def for_image(self, caller: Caller, image_id: str) -> list[models.ImageTask]:
        """The tasks of an image the caller may see, oldest first; 404 otherwise."""
        with self.db.reader() as session:
            _visible(session, caller, image_id)
            return list(session.scalars(
                sa.select(models.ImageTask).where(models.ImageTask.image_id == image_id)
                .order_by(models.ImageTask.created_at, models.ImageTask.id)))
