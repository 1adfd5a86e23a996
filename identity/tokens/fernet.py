"""Fernet key repositories and the token payload format.

A key repository is a directory of files named by integers, each holding one
Fernet key. ``0`` is the *staged* key (the next primary), the highest number
is the *primary* key (encrypts new tokens), the others are *secondary*
(decrypt only). Rotation promotes the staged key to primary, stages a new
key and drops the oldest secondaries beyond ``max_active_keys``; since the
staged key was already distributed and accepted, rotation never invalidates
a live token.
"""
import base64
import os
import tempfile
import time
import uuid

import msgpack
from cryptography import fernet

from identity import exception


class KeyRepository:
    """The keys in one directory."""

    def __init__(self, path: str, max_active_keys: int = 3):
        self.path = path
        self.max_active_keys = max_active_keys

    def exists(self) -> bool:
        return bool(self._indexes())

    def setup(self) -> bool:
        """Create the directory with a staged and a primary key; False if present."""
        os.makedirs(self.path, mode=0o700, exist_ok=True)
        if self.exists():
            return False
        self._write(0, fernet.Fernet.generate_key())
        self.rotate()
        return True

    def rotate(self) -> int:
        """Promote the staged key, stage a new one; returns the new primary index."""
        indexes = self._indexes()
        if 0 not in indexes:
            self._write(0, fernet.Fernet.generate_key())
            indexes = self._indexes()
        primary = max(indexes) + 1
        os.replace(os.path.join(self.path, "0"), os.path.join(self.path, str(primary)))
        self._write(0, fernet.Fernet.generate_key())
        secondaries = sorted(i for i in self._indexes() if i)
        while len(secondaries) + 1 > self.max_active_keys and len(secondaries) > 1:
            os.remove(os.path.join(self.path, str(secondaries.pop(0))))
        return primary

    def keys(self) -> list[bytes]:
        """Keys newest-primary first, then secondaries, then staged."""
        indexes = sorted(self._indexes(), reverse=True)
        if not indexes:
            raise RuntimeError(f"no Fernet keys in {self.path}: run "
                               "'stratus-manage identity fernet setup'")
        keys = []
        for index in indexes:
            with open(os.path.join(self.path, str(index)), "rb") as f:
                keys.append(f.read().strip())
        return keys

    def _indexes(self) -> list[int]:
        try:
            names = os.listdir(self.path)
        except FileNotFoundError:
            return []
        return [int(n) for n in names if n.isdigit()]

    def _write(self, index: int, key: bytes) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.path)
        with os.fdopen(fd, "wb") as f:
            f.write(key)
        os.chmod(tmp, 0o600)
        os.replace(tmp, os.path.join(self.path, str(index)))


class TokenFormatter:
    """Packs token facts into an encrypted, URL-safe string and back.

    Payload (msgpack list): version, user id, method names, scope kind,
    scope id, expires_at, issued_at (float seconds), audit ids,
    application credential id.
    """

    VERSION = 1
    _CACHE_EVERY = 60.0  # seconds between re-reads of the key repository

    def __init__(self, repository: KeyRepository):
        self.repository = repository
        self._crypto: fernet.MultiFernet | None = None
        self._loaded_at = 0.0

    def crypto(self) -> fernet.MultiFernet:
        now = time.monotonic()
        if self._crypto is None or now - self._loaded_at > self._CACHE_EVERY:
            self._crypto = fernet.MultiFernet(
                [fernet.Fernet(k) for k in self.repository.keys()])
            self._loaded_at = now
        return self._crypto

    def pack(self, user_id: str, methods: list[str], scope: tuple[str, str] | None,
             expires_at: float, issued_at: float, audit_ids: list[str],
             app_cred_id: str | None = None) -> str:
        kind, scope_id = scope or (None, None)
        payload = msgpack.packb([self.VERSION, _compact(user_id), methods, kind,
                                 _compact(scope_id), expires_at, issued_at,
                                 [_b64decode(a) for a in audit_ids],
                                 _compact(app_cred_id)])
        token = self.crypto().encrypt(payload).decode()
        return token.rstrip("=")

    def unpack(self, token: str) -> dict:
        """Decrypt ``token``; raises TokenNotFound when it is not ours or corrupt."""
        if not token or len(token) > 1024:
            raise exception.TokenNotFound()
        padded = token + "=" * (-len(token) % 4)
        try:
            payload = msgpack.unpackb(self.crypto().decrypt(padded.encode()))
            (version, user_id, methods, kind, scope_id, expires_at, issued_at,
             audit_ids, app_cred_id) = payload
        except (fernet.InvalidToken, ValueError, TypeError, msgpack.UnpackException):
            raise exception.TokenNotFound()
        if version != self.VERSION:
            raise exception.TokenNotFound()
        return {"user_id": _expand(user_id), "methods": methods,
                "scope": (kind, _expand(scope_id)) if kind else None,
                "expires_at": expires_at, "issued_at": issued_at,
                "audit_ids": [_b64encode(a) for a in audit_ids],
                "app_cred_id": _expand(app_cred_id)}


def new_audit_id() -> str:
    return _b64encode(uuid.uuid4().bytes)


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _compact(value: str | None):
    """uuid4 hex ids travel as 16 bytes, anything else as text."""
    if value and len(value) == 32:
        try:
            return uuid.UUID(hex=value).bytes if uuid.UUID(hex=value).hex == value else value
        except ValueError:
            return value
    return value


def _expand(value):
    if isinstance(value, bytes):
        return uuid.UUID(bytes=value).hex
    return value
