"""Credentials: opaque secrets (EC2 keys, TOTP seeds, certificates) kept for users.

Guarantees: a blob is stored only encrypted, with the Fernet keys of
``[credential] key_repository`` (the newest key encrypts, every key
decrypts, so rotating keys never loses a blob); an ``ec2`` credential's id
is the SHA-256 hex digest of its blob's ``access`` key, so the same key
cannot be stored twice (409), and it names a project, as in Keystone.
"""
from __future__ import annotations

import hashlib
import json
import uuid

import sqlalchemy as sa
from cryptography import fernet

from identity import exception, models
from identity.database import IdentityDatabase
from identity.tokens.fernet import KeyRepository

_FIELDS = ("user_id", "project_id", "type")
_NOT_EXTRA = (*_FIELDS, "id", "blob", "links")
_DELEGATION_KEYS = ("trust_id", "app_cred_id", "access_token_id", "access_id")


class Credentials:

    def __init__(self, db: IdentityDatabase, conf, notifier=None):
        self.db = db
        self.conf = conf
        self.notifier = notifier

    def create(self, data: dict, app_cred_id: str | None = None
               ) -> tuple[models.Credential, str]:
        """Store a credential; returns the row and its clear blob.

        Raises ValidationError for an ec2 credential without a project or
        with a blob that is not a JSON object holding an ``access`` string,
        Duplicate when the id (an ec2 access key) is taken. An ec2 blob
        created through an application credential records its id
        (``app_cred_id``), which no later update may change, as in Keystone.
        """
        _check(data)
        if _is_ec2(data) and app_cred_id is not None:
            data = {**data, "blob": json.dumps({**json.loads(data["blob"]),
                                                "app_cred_id": app_cred_id})}
        credential_id = _ec2_id(data["blob"]) if _is_ec2(data) else uuid.uuid4().hex
        encrypted = self._crypto().encrypt(data["blob"].encode()).decode()

        def create(session):
            if session.get(models.Credential, credential_id) is not None:
                raise exception.Duplicate(
                    type="credential", details=f"Duplicate ID, {credential_id}.")
            credential = models.Credential(
                id=credential_id, user_id=data["user_id"], project_id=data.get("project_id"),
                type=data["type"], encrypted_blob=encrypted, extra=_extra(data))
            session.add(credential)
            session.flush()
            return credential
        credential = self.db.write(create)
        self._notify("created", credential.id)
        return credential, data["blob"]

    def get(self, credential_id: str) -> tuple[models.Credential, str]:
        """The row and its clear blob; EntityNotFound if there is none."""
        with self.db.reader() as session:
            credential = session.get(models.Credential, credential_id)
        if credential is None:
            raise exception.EntityNotFound(target="credential", id=credential_id)
        return credential, self._decrypt(credential)

    def create_ec2(self, user_id: str, project_id: str, app_cred_id: str | None = None
                   ) -> tuple[models.Credential, str]:
        """A new ec2 key pair (random ``access`` and ``secret``) for the user in
        the project, as Keystone's OS-EC2 API makes them; returns the row and
        its clear blob."""
        blob = json.dumps({"access": uuid.uuid4().hex, "secret": uuid.uuid4().hex,
                           "trust_id": None})
        return self.create({"user_id": user_id, "project_id": project_id, "type": "ec2",
                            "blob": blob}, app_cred_id=app_cred_id)

    def get_ec2(self, access: str) -> tuple[models.Credential, str]:
        """The ec2 credential of an access key; EntityNotFound naming the key
        when there is none."""
        try:
            credential, blob = self.get(hashlib.sha256(access.encode()).hexdigest())
        except exception.EntityNotFound:
            credential = None
        if credential is None or not _is_ec2({"type": credential.type}):
            raise exception.EntityNotFound(target="credential", id=access)
        return credential, blob

    def list(self, filters: dict) -> list[tuple[models.Credential, str]]:
        """Credentials matching ``user_id`` and ``type`` when given, with clear blobs."""
        c = models.Credential
        query = sa.select(c).order_by(c.id)
        for key in ("user_id", "type"):
            if filters.get(key) is not None:
                query = query.where(getattr(c, key) == filters[key])
        with self.db.reader() as session:
            rows = list(session.execute(query).scalars())
        crypto = self._crypto()
        return [(row, self._decrypt(row, crypto)) for row in rows]

    def update(self, credential_id: str, changes: dict) -> tuple[models.Credential, str]:
        """Change a credential; its id never changes, even if an ec2 key does."""
        current, blob = self.get(credential_id)
        merged = {"user_id": current.user_id, "project_id": current.project_id,
                  "type": current.type, "blob": blob, **changes}
        _check(merged)
        if _is_ec2(merged) and _is_ec2({"type": current.type}):
            _check_delegation_kept(blob, merged["blob"])
        encrypted = (self._crypto().encrypt(changes["blob"].encode()).decode()
                     if "blob" in changes else None)

        def update(session):
            credential = session.get(models.Credential, credential_id)
            if credential is None:
                raise exception.EntityNotFound(target="credential", id=credential_id)
            for key in _FIELDS:
                if key in changes:
                    setattr(credential, key, changes[key])
            if encrypted is not None:
                credential.encrypted_blob = encrypted
            extra = _extra(changes)
            if extra:
                credential.extra = {**credential.extra, **extra}
            session.flush()
            return credential
        credential = self.db.write(update)
        self._notify("updated", credential_id)
        return credential, merged["blob"]

    def delete(self, credential_id: str) -> None:
        def delete(session):
            credential = session.get(models.Credential, credential_id)
            if credential is None:
                raise exception.EntityNotFound(target="credential", id=credential_id)
            session.delete(credential)
        self.db.write(delete)
        self._notify("deleted", credential_id)

    # -- internals -------------------------------------------------------

    def _crypto(self) -> fernet.MultiFernet:
        keys = KeyRepository(self.conf.credential.key_repository, 1).keys()
        return fernet.MultiFernet([fernet.Fernet(k) for k in keys])

    def _decrypt(self, credential: models.Credential,
                 crypto: fernet.MultiFernet | None = None) -> str:
        try:
            return (crypto or self._crypto()).decrypt(
                credential.encrypted_blob.encode()).decode()
        except fernet.InvalidToken:
            raise exception.StratusError(
                f"Credential {credential.id} cannot be decrypted with the keys in "
                f"{self.conf.credential.key_repository}.")

    def _notify(self, action: str, credential_id: str) -> None:
        if self.notifier is not None:
            self.notifier.resource_event("credential", action, credential_id)


def _is_ec2(data: dict) -> bool:
    return (data.get("type") or "").lower() == "ec2"


def _check(data: dict) -> None:
    if not _is_ec2(data):
        return
    _ec2_id(data["blob"])
    if not data.get("project_id"):
        raise exception.ValidationError(
            field="credential/project_id", detail="is required for an ec2 credential")


def _check_delegation_kept(old_blob: str, new_blob: str) -> None:
    """An ec2 blob's delegation (trust, application credential, access token)
    is fixed at creation: changing it would widen what the key can do."""
    old, new = json.loads(old_blob), json.loads(new_blob)
    for key in _DELEGATION_KEYS:
        if old.get(key) != new.get(key):
            raise exception.ValidationError(field="credential/blob",
                                            detail=f"{key} cannot be changed")


def _ec2_id(blob: str) -> str:
    try:
        parsed = json.loads(blob)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict) or not isinstance(parsed.get("access"), str):
        raise exception.ValidationError(
            field="credential/blob",
            detail="an ec2 blob must be a JSON object with an 'access' string")
    return hashlib.sha256(parsed["access"].encode()).hexdigest()


def _extra(data: dict) -> dict:
    return {k: v for k, v in data.items() if k not in _NOT_EXTRA}
