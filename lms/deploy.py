"""`flask --app lms deploy check`: the settings that must not reach production unsafe.

Each check returns a translated problem or nothing; the command prints one line per
problem and exits 1 if there is any, so that a deployment script can stop on it.
"""

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask
from flask_babel import gettext as _
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

MIN_SECRET_LENGTH = 32
# Bits per character below which a key is a word or a pattern, not random bytes.
MIN_SECRET_ENTROPY = 3.0
WEAK_SECRETS = frozenset({"secret", "changeme", "change-me", "dev", "development", "test",
                          "password", "hocso", "học số"})


@dataclass(frozen=True)
class Deployment:
    """What the operator says about the machines: gunicorn workers and machines."""

    workers: int
    machines: int


def _entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def _debug(app: Flask, _deployment: Deployment) -> str | None:
    if app.debug or app.config["LMS_ENV"] != "production":
        return _("Debug or development mode is on: set LMS_ENV=production and unset "
                 "FLASK_DEBUG.")
    return None


def _secret_key(app: Flask, _deployment: Deployment) -> str | None:
    secret = app.config["SECRET_KEY"] if app.config.get("LMS_SECRET_KEY_SET") else ""
    if not secret:
        return _("LMS_SECRET_KEY is not set: every restart would sign everyone out, and "
                 "several workers would not accept each other's cookies.")
    if (len(secret) < MIN_SECRET_LENGTH or secret.lower() in WEAK_SECRETS
            or _entropy(secret) < MIN_SECRET_ENTROPY):
        return _("LMS_SECRET_KEY is weak: use at least %(count)s random characters, e.g. "
                 "python -c 'import secrets; print(secrets.token_hex(32))'.",
                 count=MIN_SECRET_LENGTH)
    return None


def _rate_limits(app: Flask, deployment: Deployment) -> str | None:
    if deployment.workers * deployment.machines > 1 and \
            app.config["RATELIMIT_STORAGE_URI"].startswith("memory://"):
        return _("Rate limits are kept in each worker's memory, so %(count)s workers allow "
                 "%(count)s times the sign-in attempts: set LMS_REDIS_URL.",
                 count=deployment.workers * deployment.machines)
    return None


def _redis_reachable(app: Flask, _deployment: Deployment) -> str | None:
    url = app.config.get("LMS_REDIS_URL")
    if not url:
        return None
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except (redis.RedisError, ValueError) as error:
        return _("Redis at LMS_REDIS_URL does not answer: %(error)s", error=type(error).__name__)
    return None


def _cookies(app: Flask, _deployment: Deployment) -> str | None:
    insecure = [name for name in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE")
                if not app.config.get(name)]
    if insecure or not app.config.get("SESSION_COOKIE_HTTPONLY"):
        return _("Cookies would travel without TLS or be readable by scripts: "
                 "%(settings)s must be on.",
                 settings=", ".join(insecure or ["SESSION_COOKIE_HTTPONLY"]))
    return None


def _database(app: Flask, deployment: Deployment) -> str | None:
    from .extensions import db

    if db.engine.dialect.name == "sqlite" and deployment.machines > 1:
        return _("SQLite lives on one machine's disk: with %(count)s machines use "
                 "PostgreSQL (LMS_DATABASE_URL).", count=deployment.machines)
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        return _("The database does not answer: %(error)s", error=type(error).__name__)
    return None


CHECKS: tuple[Callable[[Flask, Deployment], str | None], ...] = (
    _debug, _secret_key, _cookies, _rate_limits, _redis_reachable, _database)


def problems(app: Flask, deployment: Deployment) -> list[str]:
    return [found for check in CHECKS if (found := check(app, deployment)) is not None]
