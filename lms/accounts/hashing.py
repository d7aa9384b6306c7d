"""Hashing PINs and passwords: argon2id by default, werkzeug's scrypt hashes still read.

LMS_SECRET_HASH_METHOD names the method: `argon2id:<memory KiB>:<iterations>:<lanes>`,
or a werkzeug method such as `scrypt:32768:8:1`. The default, argon2id with 7 MiB and 5
iterations, is one of OWASP's equal-strength minimum settings (Password Storage Cheat
Sheet); of them it needs the least memory, so a sign-in costs a worker 7 MiB for a moment
instead of scrypt's 32 MiB, and keeps it within its 80 MB budget. A hash made with other
settings still verifies and is replaced at the next successful sign-in.
"""

from functools import cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

ARGON2 = "argon2id"
ARGON2_PREFIX = "$argon2"


@cache
def _argon2(method: str) -> PasswordHasher:
    name, memory, iterations, lanes = method.split(":")
    if name != ARGON2:
        raise ValueError(f"not an argon2id method: {method}")
    return PasswordHasher(memory_cost=int(memory), time_cost=int(iterations),
                          parallelism=int(lanes), type=Type.ID)


def _method() -> str:
    return current_app.config["LMS_SECRET_HASH_METHOD"]


def hash_secret(secret: str) -> str:
    method = _method()
    if method.startswith(ARGON2):
        return _argon2(method).hash(secret)
    return generate_password_hash(secret, method=method)


def verify_secret(stored: str, secret: str) -> bool:
    if stored.startswith(ARGON2_PREFIX):
        try:
            return _argon2_verifier().verify(stored, secret)
        except (VerificationError, InvalidHashError):
            return False
    return check_password_hash(stored, secret)


@cache
def _argon2_verifier() -> PasswordHasher:
    # Verifying reads the settings from the hash itself, whatever they were.
    return PasswordHasher(type=Type.ID)


def needs_rehash(stored: str) -> bool:
    """Whether a hash that just verified was made otherwise than the method says now."""
    method = _method()
    if method.startswith(ARGON2):
        return not stored.startswith(ARGON2_PREFIX) or _argon2(method).check_needs_rehash(
            stored)
    made_with = stored.split("$", 1)[0]  # werkzeug's "scrypt:32768:8:1$salt$hash"
    return made_with != method and made_with.split(":")[0] != method
