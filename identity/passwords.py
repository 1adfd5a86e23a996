"""Password hashing with bcrypt at a configurable cost (Keystone's default: 12)."""
import base64
import hashlib
import hmac

import bcrypt

# bcrypt reads at most 72 bytes; longer passwords are pre-hashed so every byte counts.
_BCRYPT_MAX = 72


def _prepare(password: str) -> bytes:
    raw = password.encode("utf-8")
    if len(raw) > _BCRYPT_MAX:
        # SHA-256 in base64 is 44 bytes: within bcrypt's limit (bcrypt >= 5
        # refuses longer input instead of truncating it).
        raw = base64.b64encode(hashlib.sha256(raw).digest())
    return raw


def hash_password(password: str, rounds: int) -> str:
    return bcrypt.hashpw(_prepare(password), bcrypt.gensalt(rounds)).decode()


def check_password(password: str | None, hashed: str | None) -> bool:
    """True when ``password`` matches ``hashed``; False for any missing value."""
    if password is None or not hashed:
        return False
    try:
        return bcrypt.checkpw(_prepare(password), hashed.encode())
    except ValueError:
        return False


# A real hash to check against when the user does not exist, so a failed login
# takes as long whether or not the name is known.
_DUMMY = {}


def burn_time(password: str, rounds: int) -> None:
    dummy = _DUMMY.get(rounds)
    if dummy is None:
        dummy = _DUMMY[rounds] = hash_password("not-a-password", rounds)
    bcrypt.checkpw(_prepare(password or ""), dummy.encode())


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
