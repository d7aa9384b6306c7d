"""Structured logs: one JSON object a line, in UTC, saying who did what and when.

Sign-ins, refused sign-ins and refused accesses are logged at INFO. A log line never holds
a PIN, password, TOTP code, token or cookie: callers log ids and outcomes only, and the
request's query string is left out because a sign-in link may carry one.
"""

import json
import logging
import sys
from datetime import UTC, datetime

from flask import Flask, has_request_context, request

LOGGER_NAME = "lms"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "message": record.getMessage(),
        }
        if has_request_context():
            entry.update({"method": request.method, "path": request.path,
                          "ip": request.remote_addr})
            account = _account_id()
            if account is not None:
                entry["account"] = account
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def _account_id() -> int | None:
    from flask_login import current_user

    try:
        return int(current_user.id) if current_user and current_user.is_authenticated else None
    except (AttributeError, TypeError, ValueError, RuntimeError):
        return None


def init_app(app: Flask) -> None:
    """Send the app's log to stderr as JSON (gunicorn and systemd collect it)."""
    logger = logging.getLogger(LOGGER_NAME)
    if app.testing:
        # The test suite captures every record itself (and checks none holds a secret).
        logger.setLevel(logging.INFO)
        return
    if not any(isinstance(h.formatter, JsonFormatter) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    from flask.logging import default_handler

    logger.removeHandler(default_handler)
