"""Users and their passwords.

Guarantees: names are unique within a domain (409); passwords are stored
only as bcrypt hashes; changing a password, disabling or deleting a user
revokes that user's tokens at once; a failed login says nothing about
whether the user exists, and takes as long either way.
"""
import datetime
import uuid

import sqlalchemy as sa

from identity import exception, models, passwords
from identity.database import IdentityDatabase
from identity.tokens import revoke

_FIELDS = ("name", "enabled", "default_project_id", "description", "options")
_NOT_EXTRA = (*_FIELDS, "id", "domain_id", "password", "links", "password_expires_at")


class Users:

    def __init__(self, db: IdentityDatabase, conf, notifier=None):
        self.db = db
        self.conf = conf
        self.notifier = notifier

    def create_user(self, data: dict) -> models.User:
        password = data.get("password")
        hashed = self._hash(password) if password is not None else None

        def create(session):
            domain = session.get(models.Project, data["domain_id"])
            if domain is None or not domain.is_domain:
                raise exception.EntityNotFound(target="domain", id=data["domain_id"])
            self._check_unique(session, data["domain_id"], data["name"])
            now = models.utcnow()
            user = models.User(
                id=uuid.uuid4().hex, domain_id=data["domain_id"],
                extra={k: v for k, v in data.items() if k not in _NOT_EXTRA},
                password_hash=hashed, password_created_at=now if hashed else None,
                **{k: data[k] for k in _FIELDS if data.get(k) is not None})
            session.add(user)
            session.flush()
            return user
        user = self.db.write(create)
        self._notify("created", user.id)
        return user

    def get_user(self, user_id: str) -> models.User:
        with self.db.reader() as session:
            user = session.get(models.User, user_id)
        if user is None:
            raise exception.EntityNotFound(target="user", id=user_id)
        return user

    def find_user(self, name: str, domain_id: str) -> models.User | None:
        with self.db.reader() as session:
            return session.execute(sa.select(models.User).where(
                models.User.domain_id == domain_id, models.User.name == name)
            ).scalar_one_or_none()

    def list_users(self, filters: dict) -> list[models.User]:
        u = models.User
        query = sa.select(u).order_by(u.name)
        for key in ("name", "domain_id", "id"):
            if filters.get(key) is not None:
                query = query.where(getattr(u, key) == filters[key])
        if filters.get("enabled") is not None:
            query = query.where(u.enabled == filters["enabled"])
        if filters.get("group_id") is not None:
            query = query.join(models.Membership, models.Membership.user_id == u.id).where(
                models.Membership.group_id == filters["group_id"])
        if filters.get("password_expires_at") is not None:
            op, when = filters["password_expires_at"]
            query = query.where(u.password_expires_at.is_not(None),
                                _compare(u.password_expires_at, op, when))
        with self.db.reader() as session:
            return list(session.execute(query).scalars())

    def update_user(self, user_id: str, changes: dict) -> models.User:
        hashed = self._hash(changes["password"]) if changes.get("password") else None

        def update(session):
            user = session.get(models.User, user_id)
            if user is None:
                raise exception.EntityNotFound(target="user", id=user_id)
            if "domain_id" in changes and changes["domain_id"] != user.domain_id:
                raise exception.ValidationError(
                    field="domain_id", detail="a user's domain cannot be changed")
            if changes.get("name") not in (None, user.name):
                self._check_unique(session, user.domain_id, changes["name"])
            for key in _FIELDS:
                if key in changes:
                    value = changes[key]
                    if key == "options":
                        value = {k: v for k, v in {**user.options, **value}.items()
                                 if v is not None}
                    setattr(user, key, value)
            extra = {k: v for k, v in changes.items() if k not in _NOT_EXTRA}
            if extra:
                user.extra = {**user.extra, **extra}
            if hashed:
                self._set_password(user, hashed)
            if hashed or changes.get("enabled") is False:
                revoke.add_event(session, user_id=user.id)
            session.flush()
            return user
        user = self.db.write(update)
        self._notify("updated", user_id)
        return user

    def delete_user(self, user_id: str) -> None:
        def delete(session):
            user = session.get(models.User, user_id)
            if user is None:
                raise exception.EntityNotFound(target="user", id=user_id)
            session.execute(sa.delete(models.Assignment).where(
                models.Assignment.actor_id == user_id))
            session.execute(sa.delete(models.Credential).where(
                models.Credential.user_id == user_id))
            revoke.add_event(session, user_id=user_id)
            session.delete(user)
        self.db.write(delete)
        self._notify("deleted", user_id)

    def change_password(self, user_id: str, original: str, new: str) -> None:
        """Self-service change: 401 unless ``original`` is the current password
        of an existing, enabled user that is not locked out.

        The API takes this without a token (a user whose password expired has
        none), so it counts failures towards lockout and answers an unknown
        user exactly as a wrong password, like :meth:`authenticate`.
        """
        with self.db.reader() as session:
            user = session.get(models.User, user_id)
        self.authenticate(user, original)
        self.update_user(user_id, {"password": new})

    def authenticate(self, user: models.User | None, password: str) -> models.User:
        """The user, if ``password`` is theirs and they may log in; else 401.

        Counts failures towards lockout when
        ``[security_compliance] lockout_failure_attempts`` is set.
        """
        rounds = self.conf.identity.password_hash_rounds
        if user is None or not user.password_hash:
            passwords.burn_time(password, rounds)
            raise exception.AuthFailed()
        if self._locked_out(user):
            passwords.burn_time(password, rounds)
            raise exception.AuthFailed(
                f"The account is locked for user: {user.id}.")
        if not passwords.check_password(password, user.password_hash):
            self._record_failure(user.id)
            raise exception.AuthFailed()
        if user.failed_auth_count:
            self._record_success(user.id)
        if not user.enabled:
            raise exception.AuthFailed()
        return user

    # -- internals -------------------------------------------------------

    def _hash(self, password: str) -> str:
        limit = self.conf.identity.max_password_length
        if len(password) > limit:
            raise exception.ValidationError(
                field="password", detail=f"longer than {limit} characters")
        return passwords.hash_password(password, self.conf.identity.password_hash_rounds)

    @staticmethod
    def _set_password(user: models.User, hashed: str) -> None:
        user.password_hash = hashed
        user.password_created_at = models.utcnow()
        user.failed_auth_count = 0

    @staticmethod
    def _check_unique(session, domain_id: str, name: str) -> None:
        clash = session.execute(sa.select(models.User.id).where(
            models.User.domain_id == domain_id, models.User.name == name)).first()
        if clash:
            raise exception.Duplicate(
                type="user", details=f"Duplicate entry found with name {name} "
                                     f"at domain ID {domain_id}.")

    def _locked_out(self, user: models.User) -> bool:
        limit = self.conf.security_compliance.lockout_failure_attempts
        if not limit or user.failed_auth_count < limit or user.failed_auth_at is None:
            return False
        window = datetime.timedelta(seconds=self.conf.security_compliance.lockout_duration)
        return models.utcnow() < user.failed_auth_at + window

    def _record_failure(self, user_id: str) -> None:
        if not self.conf.security_compliance.lockout_failure_attempts:
            return

        def record(session):
            user = session.get(models.User, user_id)
            if user is not None:
                user.failed_auth_count += 1
                user.failed_auth_at = models.utcnow()
        self.db.write(record)

    def _record_success(self, user_id: str) -> None:
        def record(session):
            user = session.get(models.User, user_id)
            if user is not None:
                user.failed_auth_count = 0
        self.db.write(record)

    def _notify(self, action: str, user_id: str) -> None:
        if self.notifier is not None:
            self.notifier.resource_event("user", action, user_id)


def _compare(column, op: str, when: datetime.datetime):
    return {"lt": column < when, "lte": column <= when, "gt": column > when,
            "gte": column >= when, "eq": column == when, "neq": column != when}[op]
