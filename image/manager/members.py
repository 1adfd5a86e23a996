"""Image members: the projects a ``shared`` image is offered to.

The owner adds and removes members; a member project accepts or rejects
(or returns to pending). Only ``shared`` images have members (403
otherwise). A member sees only its own membership; anyone else who cannot
see the image gets 404.
"""
import sqlalchemy as sa

from image import exception, models
from image.manager import Caller
from image.manager.images import _visible


class Members:
    def __init__(self, db, conf):
        self.db = db
        self.conf = conf

    def add(self, caller: Caller, image_id: str, member_id: str) -> models.ImageMember:
        def add(session):
            image = _shared(session, caller, image_id)
            if session.get(models.ImageMember, (image_id, member_id)) is not None:
                raise exception.Conflict(
                    f"Member {member_id} already exists for image {image_id}")
            limit = self.conf.image.image_member_quota
            count = session.execute(sa.select(sa.func.count()).select_from(
                models.ImageMember).where(models.ImageMember.image_id == image.id)
            ).scalar_one()
            if limit >= 0 and count >= limit:
                raise exception.LimitExceeded(
                    detail=f"Attempted: {count + 1}, Maximum: {limit} image members.")
            member = models.ImageMember(image_id=image_id, member=member_id,
                                        status="pending")
            session.add(member)
            session.flush()
            return member
        return self.db.write(add)

    def list(self, caller: Caller, image_id: str) -> list[models.ImageMember]:
        with self.db.reader() as session:
            image = _shared(session, caller, image_id)
            query = sa.select(models.ImageMember).where(
                models.ImageMember.image_id == image_id).order_by(
                models.ImageMember.created_at, models.ImageMember.member)
            if not (caller.is_admin or image.owner == caller.project_id):
                query = query.where(models.ImageMember.member == caller.project_id)
            return list(session.execute(query).scalars())

    def get(self, caller: Caller, image_id: str, member_id: str) -> models.ImageMember:
        with self.db.reader() as session:
            return _member(session, caller, image_id, member_id)

    def update(self, caller: Caller, image_id: str, member_id: str,
               status: str) -> models.ImageMember:
        """Only the member project itself (or an admin) answers; 403 for the owner."""
        def update(session):
            member = _member(session, caller, image_id, member_id)
            if not caller.is_admin and caller.project_id != member_id:
                raise exception.Forbidden(
                    "You are not permitted to modify the status of this image member.")
            member.status = status
            member.updated_at = models.utcnow()
            return member
        return self.db.write(update)

    def delete(self, caller: Caller, image_id: str, member_id: str) -> None:
        def delete(session):
            member = _member(session, caller, image_id, member_id)
            image = session.get(models.Image, image_id)
            if not caller.is_admin and image.owner != caller.project_id:
                raise exception.Forbidden(
                    "You are not permitted to delete this image member.")
            session.delete(member)
        self.db.write(delete)


def _shared(session, caller: Caller, image_id: str) -> models.Image:
    image = _visible(session, caller, image_id)
    if image.visibility != "shared":
        raise exception.Forbidden(
            f"Only shared images have members. Image {image_id} is {image.visibility}.")
    return image


def _member(session, caller: Caller, image_id: str, member_id: str) -> models.ImageMember:
    image = _shared(session, caller, image_id)
    member = session.get(models.ImageMember, (image_id, member_id))
    mine = caller.is_admin or image.owner == caller.project_id
    if member is None or not (mine or member_id == caller.project_id):
        raise exception.MemberNotFound(member=member_id, id=image_id)
    return member
