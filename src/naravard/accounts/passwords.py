"""Password hashing with Argon2id and a minimal strength rule."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()
MIN_LENGTH = 12
_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class WeakPasswordError(ValueError):
    """The password is too short."""


def hash_password(password: str) -> str:
    """Argon2id hash of ``password``; refuses passwords shorter than :data:`MIN_LENGTH`."""
    if len(password) < MIN_LENGTH:
        raise WeakPasswordError(f"password must have at least {MIN_LENGTH} characters")
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash`` (false for a malformed hash)."""
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(stored_hash)


def generate_password(length: int = 16) -> str:
    """A random password from an alphabet without look-alike characters."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


DUMMY_HASH = _hasher.hash("not-a-real-password-used-for-timing")
