"""`flask deploy check` refuses unsafe production settings, one clear line each."""

import pytest

from lms import create_app
from lms.extensions import db

SAFE = {
    "LMS_ENV": "production",
    "DEBUG": False,
    "SECRET_KEY": "9f2c4e7a1b8d3f6e0a5c2b9d4e7f1a3c6b8e0d2f4a7c9e1b",
    "LMS_SECRET_KEY_SET": True,
    "SESSION_COOKIE_SECURE": True,
    "REMEMBER_COOKIE_SECURE": True,
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
    "LMS_REDIS_URL": "redis://127.0.0.1:6379/0",
}


def check(test_config, settings: dict, *args: str):
    app = create_app({**test_config, **SAFE, **settings})
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["deploy", "check", *args])
        db.engine.dispose()
    return result


def test_safe_settings_pass(test_config):
    result = check(test_config, {}, "--workers", "4")
    assert result.exit_code == 0, result.output
    assert "an toàn" in result.output


@pytest.mark.parametrize(("settings", "args", "words"), [
    ({"LMS_ENV": "development"}, (), "LMS_ENV=production"),
    ({"LMS_SECRET_KEY_SET": False}, (), "LMS_SECRET_KEY"),
    ({"SECRET_KEY": "changeme"}, (), "LMS_SECRET_KEY"),
    ({"SECRET_KEY": "a" * 64}, (), "LMS_SECRET_KEY"),
    ({"SESSION_COOKIE_SECURE": False}, (), "SESSION_COOKIE_SECURE"),
    ({"RATELIMIT_STORAGE_URI": "memory://", "LMS_REDIS_URL": None}, ("--workers", "4"),
     "LMS_REDIS_URL"),
    ({"LMS_REDIS_URL": "redis://127.0.0.1:1/0"}, (), "Redis"),
])
def test_each_unsafe_setting_is_one_clear_line(test_config, settings, args, words):
    result = check(test_config, settings, *args)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], result.output


def test_sqlite_on_several_machines_is_refused(test_config, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("the suite runs on PostgreSQL")
    result = check(test_config, {}, "--machines", "2")
    assert result.exit_code == 1 and "PostgreSQL" in result.output
    # One machine with several workers is what SQLite in WAL mode is set up for.
    assert check(test_config, {}, "--workers", "4").exit_code == 0


def test_one_worker_may_keep_rate_limits_in_memory(test_config):
    result = check(test_config, {"RATELIMIT_STORAGE_URI": "memory://", "LMS_REDIS_URL": None},
                   "--workers", "1")
    assert result.exit_code == 0, result.output


def test_a_trusted_proxy_gives_the_client_address(test_config):
    app = create_app({**test_config, "LMS_TRUSTED_PROXIES": 1})
    seen = {}

    @app.get("/_address")
    def address():
        from flask import request

        seen["ip"], seen["scheme"] = request.remote_addr, request.scheme
        return ""

    app.view_functions["address"].access_rules = frozenset({"public"})
    app.test_client().get("/_address", headers={"X-Forwarded-For": "203.0.113.9",
                                                "X-Forwarded-Proto": "https"})
    assert seen == {"ip": "203.0.113.9", "scheme": "https"}


def test_gunicorn_accepts_the_shipped_configuration(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    gunicorn = Path(sys.executable).with_name("gunicorn")
    env = {**os.environ, "LMS_SECRET_KEY": "k" * 8 + "9f2c4e7a1b8d3f6e0a5c2b9d4e7f1a3c",
           "LMS_DATABASE_URL": "sqlite:///" + str(tmp_path / "check.sqlite"),
           "LMS_INSTANCE_PATH": str(tmp_path)}
    done = subprocess.run([str(gunicorn), "--check-config", "-c", "deploy/gunicorn.conf.py",
                           "wsgi:app"], cwd=root, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
