"""Issuing and validating tokens.

A token is a Fernet-encrypted payload (:mod:`identity.tokens.fernet`): who,
how, which scope, when. Validation decrypts it and re-checks everything that
may have changed since it was issued — user and project still enabled, roles
still held, no revocation event matching — then renders Keystone's token body.

Two per-process caches keep this cheap, both keyed to the identity
database's change counters (:mod:`identity.database`), so neither outlives
the facts it was built from:

* the *facts* of a (user, scope, application credential) — see
  :mod:`identity.tokens.facts` — valid while the DATA counter stands still;
* validated *tokens*, valid while the DATA counter stands still, and
  re-checked against revocation events (one indexed query) whenever the
  REVOCATIONS counter has moved.
"""
import datetime
import time

from identity import exception, models
from identity.database import Counters
from identity.tokens import cache, facts, fernet, revoke

_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def isotime(when: float) -> str:
    return datetime.datetime.fromtimestamp(when, datetime.UTC).strftime(_TIME_FORMAT)


class TokenProvider:
    """Mints and checks tokens."""

    def __init__(self, conf, db, resources, users, assignments, catalog, app_creds):
        self.conf = conf
        self.db = db
        self.formatter = fernet.TokenFormatter(fernet.KeyRepository(
            conf.fernet_tokens.key_repository, conf.fernet_tokens.max_active_keys))
        self._facts = facts.FactsBuilder(resources, users, assignments, catalog, app_creds)
        self._facts_cache = cache.GenerationCache(conf.token.cache_size)
        self._token_cache = cache.GenerationCache(conf.token.cache_size)

    # -- issuing -----------------------------------------------------------

    def issue(self, user_id: str, methods: list[str], scope: tuple[str, str] | None,
              parent_audit_ids: list[str] | None = None, expires_at: float | None = None,
              app_cred_id: str | None = None) -> tuple[str, dict]:
        """A new token and its info; 401 if its user or scope does not allow one.

        A new token needs no revocation check: every recorded event predates it.
        """
        counters = self.db.counters()
        now = time.time()
        if expires_at is None:
            expires_at = now + self.conf.token.expiration
        audit_ids = [fernet.new_audit_id()]
        if parent_audit_ids:
            audit_ids.append(parent_audit_ids[-1])
        payload = {"user_id": user_id, "methods": methods, "scope": scope,
                   "expires_at": expires_at, "issued_at": now, "audit_ids": audit_ids,
                   "app_cred_id": app_cred_id}
        try:
            info = self._assemble(payload, counters.data)
        except exception.TokenNotFound as error:
            raise exception.Unauthorized(error.message)
        token_id = self.formatter.pack(user_id, methods, scope, expires_at, now, audit_ids,
                                       app_cred_id)
        self._token_cache.put(token_id, counters.data, (counters.revocations, info))
        return token_id, info

    # -- validating --------------------------------------------------------

    def validate(self, token_id: str, counters: Counters | None = None) -> dict:
        """The token's info dict (``body`` is Keystone's token body); 404 if invalid.

        ``counters`` lets a caller that validates several tokens in one request
        read the database's change counters once.
        """
        counters = counters or self.db.counters()
        cached = self._token_cache.get(token_id, counters.data)
        if cached is None:
            info = self._assemble(self.formatter.unpack(token_id), counters.data)
            self._check_not_revoked(info)
        else:
            checked_at, info = cached
            if checked_at == counters.revocations:
                self._check_fresh(info)
                return info
            self._check_not_revoked(info)
        self._token_cache.put(token_id, counters.data, (counters.revocations, info))
        self._check_fresh(info)
        return info

    def revoke(self, info: dict) -> None:
        """Revoke one token (and only that one)."""
        self.db.write(lambda session: revoke.add_event(
            session, audit_id=info["audit_ids"][0]), revocations_only=True)

    def revocation_events(self, since: datetime.datetime | None = None
                          ) -> list[models.RevocationEvent]:
        """Recorded revocation events, oldest first; with ``since`` (naive UTC),
        only those recorded at or after it."""
        with self.db.reader() as session:
            return revoke.list_events(session, since)

    # -- internals -----------------------------------------------------------

    def _assemble(self, payload: dict, generation: int) -> dict:
        """The info of a token with ``payload``, from (cached) facts."""
        if payload["expires_at"] <= time.time():
            raise exception.TokenNotFound("The token has expired.")
        key = (payload["user_id"], payload["scope"], payload["app_cred_id"])
        known = self._facts_cache.get(key, generation)
        if known is None:
            known = self._facts.build(*key)
            self._facts_cache.put(key, generation, known)
        info = dict(known["info"], methods=payload["methods"],
                    audit_ids=payload["audit_ids"], expires_at=payload["expires_at"],
                    issued_at=payload["issued_at"], app_cred_id=payload["app_cred_id"])
        body = {"methods": payload["methods"], **known["body"],
                "audit_ids": payload["audit_ids"],
                "expires_at": isotime(payload["expires_at"]),
                "issued_at": isotime(payload["issued_at"])}
        info["body"] = {"token": body}
        self._check_fresh(info)
        return info

    def _check_not_revoked(self, info: dict) -> None:
        issued = datetime.datetime.fromtimestamp(info["issued_at"], datetime.UTC)
        with self.db.reader() as session:
            if revoke.is_revoked(session, {**info, "issued_at": issued.replace(tzinfo=None)}):
                raise exception.TokenNotFound("The token has been revoked.")

    @staticmethod
    def _check_fresh(info: dict) -> None:
        now = time.time()
        if info["expires_at"] <= now:
            raise exception.TokenNotFound("The token has expired.")
        if info["facts_expire_at"] is not None and info["facts_expire_at"] <= now:
            raise exception.TokenNotFound("The application credential has expired.")
