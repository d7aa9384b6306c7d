"""Jinja set-up: the inlined stylesheet, fingerprinted static URLs, the number filter."""

import hashlib
from functools import cache
from pathlib import Path

from flask import Flask, current_app, url_for
from flask_babel import format_decimal
from markupsafe import Markup


@cache
def _fingerprint(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:10]


def static_url(filename: str) -> str:
    """A static file's URL with its content hash: cached for a year, never stale."""
    folder = Path(current_app.config["LMS_STATIC_DIR"])
    return url_for("static", filename=filename, v=_fingerprint(str(folder / filename)))


def init_app(app: Flask) -> None:
    # The stylesheet is small and inlined: a lesson page then costs one round trip.
    css = (Path(app.config["LMS_STATIC_DIR"]) / "css" / "app.css").read_text("utf-8")
    app.jinja_env.globals["inline_css"] = Markup(css)  # noqa: S704 (our own file, not input)
    app.jinja_env.globals["static_url"] = static_url
    app.jinja_env.filters["number"] = format_decimal
