"""Groups of users, and who belongs to them.

Guarantees: group names are unique within a domain (409); a group's domain
never changes; membership changes need both the group and the user to exist
(404 otherwise). Removing a member revokes that user's tokens at once, and
deleting a group that held roles revokes its members' tokens, since their
roles may have come from it.
"""
import uuid

import sqlalchemy as sa

from identity import exception, models
from identity.database import IdentityDatabase
from identity.tokens import revoke

_FIELDS = ("name", "description")
_NOT_EXTRA = (*_FIELDS, "id", "domain_id", "links")
_GROUP_GRANTS = ("GroupProject", "GroupDomain", "GroupSystem")

M = models.Membership


class Groups:

    def __init__(self, db: IdentityDatabase, notifier=None):
        self.db = db
        self.notifier = notifier

    # -- groups ------------------------------------------------------------

    def create_group(self, data: dict) -> models.Group:
        """A new group in ``data["domain_id"]``; 404 if that domain does not exist."""
        name = data["name"].strip()

        def create(session):
            domain = session.get(models.Project, data["domain_id"])
            if domain is None or not domain.is_domain:
                raise exception.EntityNotFound(target="domain", id=data["domain_id"])
            _check_unique(session, domain.id, name)
            group = models.Group(
                id=uuid.uuid4().hex, domain_id=domain.id, name=name,
                description=data.get("description", ""),
                extra={k: v for k, v in data.items() if k not in _NOT_EXTRA})
            session.add(group)
            session.flush()
            return group
        group = self.db.write(create)
        self._notify("created", group.id)
        return group

    def get_group(self, group_id: str) -> models.Group:
        with self.db.reader() as session:
            return _get(session, group_id)

    def list_groups(self, filters: dict) -> list[models.Group]:
        """Groups matching every given filter (``name``, ``domain_id``), by name."""
        g = models.Group
        query = sa.select(g).order_by(g.name)
        for key in ("name", "domain_id"):
            if filters.get(key) is not None:
                query = query.where(getattr(g, key) == filters[key])
        with self.db.reader() as session:
            return list(session.execute(query).scalars())

    def update_group(self, group_id: str, changes: dict) -> models.Group:
        """Apply ``changes``; 400 on a domain change, 409 on a name clash."""
        def update(session):
            group = _get(session, group_id)
            if "domain_id" in changes and changes["domain_id"] != group.domain_id:
                raise exception.ValidationError(
                    field="domain_id", detail="a group's domain cannot be changed")
            if "name" in changes:
                name = changes["name"].strip()
                if name != group.name:
                    _check_unique(session, group.domain_id, name)
                group.name = name
            if "description" in changes:
                group.description = changes["description"]
            extra = {k: v for k, v in changes.items() if k not in _NOT_EXTRA}
            if extra:
                group.extra = {**group.extra, **extra}
            session.flush()
            return group
        group = self.db.write(update)
        self._notify("updated", group_id)
        return group

    def delete_group(self, group_id: str) -> None:
        """Delete a group with its grants and memberships."""
        def delete(session):
            group = _get(session, group_id)
            grants = session.execute(sa.delete(models.Assignment).where(
                models.Assignment.actor_id == group_id,
                models.Assignment.type.in_(_GROUP_GRANTS))).rowcount
            members = _member_ids(session, group_id)
            session.execute(sa.delete(M).where(M.group_id == group_id))
            if grants:
                for user_id in members:
                    revoke.add_event(session, user_id=user_id)
            session.delete(group)
        self.db.write(delete)
        self._notify("deleted", group_id)

    # -- membership ----------------------------------------------------------

    def add_user(self, group_id: str, user_id: str) -> None:
        """Make the user a member (idempotent); 404 if either is missing."""
        def add(session):
            _get(session, group_id)
            _get_user(session, user_id)
            if session.get(M, (user_id, group_id)) is None:
                session.add(M(user_id=user_id, group_id=group_id))
        self.db.write(add)
        self._notify("updated", group_id)

    def remove_user(self, group_id: str, user_id: str) -> None:
        """End a membership and revoke the user's tokens; 404 if not a member."""
        def remove(session):
            membership = _membership(session, group_id, user_id)
            session.delete(membership)
            revoke.add_event(session, user_id=user_id)
        self.db.write(remove)
        self._notify("updated", group_id)

    def check_user(self, group_id: str, user_id: str) -> None:
        """Return if the user is a member; 404 otherwise."""
        with self.db.reader() as session:
            _membership(session, group_id, user_id)

    def list_groups_for_user(self, user_id: str) -> list[models.Group]:
        """The user's groups, by name; 404 if the user does not exist."""
        with self.db.reader() as session:
            _get_user(session, user_id)
            return list(session.execute(
                sa.select(models.Group).join(M, M.group_id == models.Group.id)
                .where(M.user_id == user_id).order_by(models.Group.name)).scalars())

    def _notify(self, action: str, group_id: str) -> None:
        if self.notifier is not None:
            self.notifier.resource_event("group", action, group_id)


def _get(session, group_id: str) -> models.Group:
    group = session.get(models.Group, group_id)
    if group is None:
        raise exception.EntityNotFound(target="group", id=group_id)
    return group


def _get_user(session, user_id: str) -> models.User:
    user = session.get(models.User, user_id)
    if user is None:
        raise exception.EntityNotFound(target="user", id=user_id)
    return user


def _membership(session, group_id: str, user_id: str) -> models.Membership:
    membership = session.get(M, (user_id, group_id))
    if membership is None:
        _get(session, group_id)
        _get_user(session, user_id)
        raise exception.NotFound(f"User '{user_id}' not found in group '{group_id}'.")
    return membership


def _member_ids(session, group_id: str) -> list[str]:
    return list(session.execute(
        sa.select(M.user_id).where(M.group_id == group_id)).scalars())


def _check_unique(session, domain_id: str, name: str) -> None:
    clash = session.execute(sa.select(models.Group.id).where(
        models.Group.domain_id == domain_id, models.Group.name == name)).first()
    if clash:
        raise exception.Duplicate(
            type="group", details=f"Duplicate entry found with name {name} "
                                  f"at domain ID {domain_id}.")
