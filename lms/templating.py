"""Jinja set-up: the inlined stylesheet and the number filter."""

from pathlib import Path

from flask import Flask
from flask_babel import format_decimal
from markupsafe import Markup


def init_app(app: Flask) -> None:
    # The stylesheet is small and inlined: a lesson page then costs one round trip.
    css = (Path(app.config["LMS_STATIC_DIR"]) / "css" / "app.css").read_text("utf-8")
    app.jinja_env.globals["inline_css"] = Markup(css)  # noqa: S704 (our own file, not input)
    app.jinja_env.filters["number"] = format_decimal
