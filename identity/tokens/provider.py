"""Issuing and validating tokens.

A token is a Fernet-encrypted payload (:mod:`identity.tokens.fernet`): who,
how, which scope, when. Validation decrypts it and re-checks everything that
may have changed since it was issued — user and project still enabled, roles
still held, no revocation event matching — then renders Keystone's token body.

Validated tokens are cached per process, keyed by the token string and
tagged with the identity database's change counter: any write anywhere
(a revocation, a role removed, a user disabled) makes every cached entry
stale at once, so the cache never outlives the facts it was built from.
"""
import collections
import datetime
import threading
import time

from identity import exception, models
from identity.tokens import fernet, revoke

SYSTEM_ALL = ("system", "all")
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def isotime(when: float) -> str:
    return datetime.datetime.fromtimestamp(when, datetime.UTC).strftime(_TIME_FORMAT)


class TokenProvider:
    """Mints and checks tokens; reads users, projects, roles and the catalog."""

    def __init__(self, conf, db, resources, users, assignments, catalog, app_creds=None):
        self.conf = conf
        self.db = db
        self.resources = resources
        self.users = users
        self.assignments = assignments
        self.catalog = catalog
        self.app_creds = app_creds
        self.formatter = fernet.TokenFormatter(fernet.KeyRepository(
            conf.fernet_tokens.key_repository, conf.fernet_tokens.max_active_keys))
        self._cache = _Cache(conf.token.cache_size)

    # -- issuing -----------------------------------------------------------

    def issue(self, user_id: str, methods: list[str], scope: tuple[str, str] | None,
              parent_audit_ids: list[str] | None = None, expires_at: float | None = None,
              app_cred_id: str | None = None) -> tuple[str, dict]:
        """A new token and its validated body; 401 if the result would not validate."""
        now = time.time()
        if expires_at is None:
            expires_at = now + self.conf.token.expiration
        audit_ids = [fernet.new_audit_id()]
        if parent_audit_ids:
            audit_ids.append(parent_audit_ids[-1])
        token_id = self.formatter.pack(user_id, methods, scope, expires_at, now, audit_ids,
                                       app_cred_id)
        try:
            info = self.validate(token_id)
        except exception.TokenNotFound as error:
            raise exception.Unauthorized(error.message)
        return token_id, info

    # -- validating --------------------------------------------------------

    def validate(self, token_id: str, generation: int | None = None) -> dict:
        """The token's info dict (``body`` is Keystone's token body); 404 if invalid.

        ``generation`` lets a caller that validates several tokens in one
        request read the change counter once.
        """
        if generation is None:
            generation = self.db.generation()
        info = self._cache.get(token_id, generation)
        if info is None:
            payload = self.formatter.unpack(token_id)
            info = self._build(payload)
            self._cache.put(token_id, generation, info)
        if info["expires_at"] <= time.time():
            raise exception.TokenNotFound("The token has expired.")
        return info

    def revoke(self, info: dict) -> None:
        """Revoke one token (and only that one)."""
        self.db.write(lambda session: revoke.add_event(
            session, audit_id=info["audit_ids"][0]))

    def revocation_events(self, since: datetime.datetime | None = None
                          ) -> list[models.RevocationEvent]:
        """Recorded revocation events, oldest first; with ``since`` (naive UTC),
        only those recorded at or after it."""
        with self.db.reader() as session:
            return revoke.list_events(session, since)

    def _build(self, payload: dict) -> dict:
        if payload["expires_at"] <= time.time():
            raise exception.TokenNotFound("The token has expired.")
        user = self._live_user(payload["user_id"])
        domain = self.resources.find_project(user.domain_id)
        info = {
            "user_id": user.id, "user_domain_id": user.domain_id,
            "methods": payload["methods"], "audit_ids": payload["audit_ids"],
            "expires_at": payload["expires_at"], "issued_at": payload["issued_at"],
            "app_cred_id": payload["app_cred_id"],
            "project_id": None, "project_domain_id": None, "domain_id": None,
            "system": None, "role_ids": [], "roles": [], "project_name": None,
        }
        body = {
            "methods": payload["methods"],
            "user": {"domain": {"id": domain.id, "name": domain.name}, "id": user.id,
                     "name": user.name, "password_expires_at": _iso_or_none(
                         user.password_expires_at)},
            "audit_ids": payload["audit_ids"],
            "expires_at": isotime(payload["expires_at"]),
            "issued_at": isotime(payload["issued_at"]),
        }
        scope = payload["scope"]
        if scope is not None:
            roles = self._scope(scope, user, info, body)
            roles = self._restrict_to_app_cred(payload["app_cred_id"], roles, body)
            if not roles:
                raise exception.TokenNotFound(
                    "The user has no role on the token's scope any more.")
            info["role_ids"] = [r.id for r in roles]
            info["roles"] = [r.name for r in roles]
            body["roles"] = [{"id": r.id, "name": r.name} for r in roles]
            body["catalog"] = self.catalog.catalog_for(user.id, info["project_id"])
        with self.db.reader() as session:
            issued = datetime.datetime.fromtimestamp(payload["issued_at"], datetime.UTC)
            if revoke.is_revoked(session, {**info, "issued_at": issued.replace(tzinfo=None)}):
                raise exception.TokenNotFound("The token has been revoked.")
        info["body"] = {"token": body}
        return info

    def _live_user(self, user_id: str) -> models.User:
        try:
            user = self.users.get_user(user_id)
        except exception.NotFound:
            raise exception.TokenNotFound("The token's user no longer exists.")
        domain = self.resources.find_project(user.domain_id)
        if not user.enabled or domain is None or not domain.enabled:
            raise exception.TokenNotFound("The token's user is disabled.")
        return user

    def _scope(self, scope, user, info: dict, body: dict) -> list[models.Role]:
        kind, target_id = scope
        if kind == "system":
            info["system"] = "all"
            body["system"] = {"all": True}
            return self.assignments.effective_roles(user.id, system=True)
        target = self.resources.find_project(target_id)
        if target is None or not target.enabled:
            raise exception.TokenNotFound(f"The token's {kind} is gone or disabled.")
        if kind == "domain":
            info["domain_id"] = target.id
            body["domain"] = {"id": target.id, "name": target.name}
            return self.assignments.effective_roles(user.id, domain_id=target.id)
        domain = self.resources.find_project(target.domain_id)
        if domain is None or not domain.enabled:
            raise exception.TokenNotFound("The token's project's domain is disabled.")
        info.update(project_id=target.id, project_domain_id=domain.id,
                    project_name=target.name)
        body["project"] = {"domain": {"id": domain.id, "name": domain.name},
                           "id": target.id, "name": target.name}
        body["is_domain"] = False
        return self.assignments.effective_roles(user.id, project_id=target.id)

    def _restrict_to_app_cred(self, app_cred_id, roles, body):
        if app_cred_id is None:
            return roles
        if self.app_creds is None:
            raise exception.TokenNotFound("Application credentials are not available.")
        try:
            cred = self.app_creds.get(app_cred_id)
        except exception.NotFound:
            raise exception.TokenNotFound("The application credential is gone.")
        if cred.expires_at is not None and cred.expires_at <= models.utcnow():
            raise exception.TokenNotFound("The application credential has expired.")
        allowed = set(cred.roles)
        body["application_credential"] = {"id": cred.id, "name": cred.name,
                                          "restricted": not cred.unrestricted}
        return [r for r in roles if r.id in allowed]


def _iso_or_none(when: datetime.datetime | None) -> str | None:
    return when.strftime(_TIME_FORMAT) if when else None


class _Cache:
    """A bounded LRU of validated tokens, valid for one change-counter value."""

    def __init__(self, size: int):
        self.size = size
        self._items: collections.OrderedDict = collections.OrderedDict()
        self._lock = threading.Lock()

    def get(self, token_id: str, generation: int):
        with self._lock:
            entry = self._items.get(token_id)
            if entry is None or entry[0] != generation:
                return None
            self._items.move_to_end(token_id)
            return entry[1]

    def put(self, token_id: str, generation: int, info: dict) -> None:
        if not self.size:
            return
        with self._lock:
            self._items[token_id] = (generation, info)
            self._items.move_to_end(token_id)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
