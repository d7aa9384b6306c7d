"""Configuration from `LMS_*` environment variables, checked once at start-up."""

import os
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """The environment does not describe a usable configuration."""


def from_environment(instance_path: str, testing: bool = False) -> dict:
    """Build the Flask config mapping from the process environment."""
    env = os.environ
    debug = env.get("FLASK_DEBUG") in ("1", "true") or env.get("LMS_ENV") == "development"
    secret = env.get("LMS_SECRET_KEY")
    if not secret and not (debug or testing):
        raise ConfigError(
            "LMS_SECRET_KEY must be set outside debug and tests "
            "(make one with: python -c 'import secrets; print(secrets.token_hex(32))')"
        )
    database_url = env.get("LMS_DATABASE_URL") or (
        "sqlite:///" + str(Path(instance_path) / "lms.sqlite")
    )
    redis_url = env.get("LMS_REDIS_URL") or None
    return {
        "LMS_ENV": env.get("LMS_ENV", "development" if debug else "production"),
        # A development secret is made per process, never written in the code: sessions
        # simply end when a debug server restarts.
        "SECRET_KEY": secret or os.urandom(32).hex(),
        "LMS_SECRET_KEY_SET": bool(secret),
        # Proxies in front of gunicorn (nginx: 1) whose X-Forwarded-For/-Proto are trusted;
        # without it every villager behind nginx shares one address for the rate limits.
        "LMS_TRUSTED_PROXIES": _whole_number(env.get("LMS_TRUSTED_PROXIES", "0"),
                                             "LMS_TRUSTED_PROXIES"),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "LMS_REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "LMS_LOGIN_RATE_LIMIT": env.get("LMS_LOGIN_RATE_LIMIT") or "60 per minute; 600 per hour",
        "LMS_COURSES_DIR": env.get("LMS_COURSES_DIR") or str(PROJECT_ROOT / "courses"),
        # A web worker prepares itself as it starts (lms/worker.py: the course catalog is
        # read, malloc tuned); `flask` commands (which often change the courses) and tests
        # read the catalog when they first need it.
        "LMS_WEB_WORKER": not testing and env.get("FLASK_RUN_FROM_CLI") != "true",
        # The facts courses may teach; lesson `sources:` must cite its sections.
        "LMS_CURRICULUM_FILE": env.get("LMS_CURRICULUM_FILE")
        or str(PROJECT_ROOT / "docs" / "curriculum.md"),
        # The province's Digital Family criteria (lms/families/criteria.py).
        "LMS_DIGITAL_FAMILY_FILE": env.get("LMS_DIGITAL_FAMILY_FILE")
        or str(PROJECT_ROOT / "lms" / "families" / "digital_family.yaml"),
        "LMS_TRANSLATIONS_DIR": str(PROJECT_ROOT / "translations"),
        "LMS_STATIC_DIR": str(PROJECT_ROOT / "static"),
        # Community recordings, one file per content hash (lms/narration/storage.py).
        "LMS_NARRATION_DIR": env.get("LMS_NARRATION_DIR")
        or str(Path(instance_path) / "recordings"),
        "LMS_NARRATION_MAX_BYTES": _whole_number(
            env.get("LMS_NARRATION_MAX_BYTES", str(2 * 1024 * 1024)), "LMS_NARRATION_MAX_BYTES"),
        "LMS_NARRATION_MAX_SECONDS": _whole_number(
            env.get("LMS_NARRATION_MAX_SECONDS", "120"), "LMS_NARRATION_MAX_SECONDS"),
        "MAX_CONTENT_LENGTH": 1 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": not (debug or testing),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": not (debug or testing),
        # A household's shared phone stays signed in; staff sessions end sooner.
        "LMS_HOUSEHOLD_SESSION": timedelta(days=180),
        "LMS_STAFF_SESSION": timedelta(hours=12),
        # ...and sooner still when left idle (an office PC, a borrowed phone).
        "LMS_STAFF_IDLE": timedelta(minutes=30),
        "PERMANENT_SESSION_LIFETIME": timedelta(days=180),
        # The cookie is set at sign-in, not on every response: each response is smaller,
        # and pictures and scripts carry no cookie to re-send.
        "SESSION_REFRESH_EACH_REQUEST": False,
        # Static URLs carry their content hash (templating.static_url).
        "SEND_FILE_MAX_AGE_DEFAULT": 365 * 24 * 3600,
        # argon2id, 7 MiB, 5 iterations, 1 lane: OWASP's minimum that needs least memory
        # (accounts/hashing.py).
        "LMS_SECRET_HASH_METHOD": "argon2id:7168:5:1",
        # Every byte costs a villager money: pages, scripts, JSON and pictures go compressed.
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        "COMPRESS_MIMETYPES": ["text/html", "text/css", "application/javascript",
                               "text/javascript", "application/json", "image/svg+xml",
                               "application/manifest+json"],
        "COMPRESS_MIN_SIZE": 300,
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
    }


def _whole_number(value: str, name: str) -> int:
    if not value.isdigit():
        raise ConfigError(f"{name} must be a whole number, not {value!r}")
    return int(value)
