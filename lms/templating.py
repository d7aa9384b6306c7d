"""Jinja set-up: the inlined stylesheet, fingerprinted static URLs, the number filter."""

import hashlib
from functools import cache
from pathlib import Path

from babel import numbers
from flask import Flask, current_app, url_for
from flask_babel import format_decimal, get_locale
from markupsafe import Markup


@cache
def _fingerprint(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:10]


def static_url(filename: str) -> str:
    """A static file's URL with its content hash: cached for a year, never stale."""
    folder = Path(current_app.config["LMS_STATIC_DIR"])
    return url_for("static", filename=filename, v=_fingerprint(str(folder / filename)))


@cache
def _integer_grouping(locale) -> tuple[str, str] | None:
    """(minus sign, group separator) where Babel writes this locale's integers in plain
    groups of three (-1.234.567 in Vietnamese), else None: then every number goes through
    Babel."""
    def babel(n: int) -> str:
        return numbers.format_decimal(n, locale=locale)

    group = babel(1234567)[1:2]
    minus = babel(-1234)[:-len(babel(1234))]
    expected = {1234567: f"1{group}234{group}567", 1234: f"1{group}234", 999: "999",
                -1234: f"{minus}1{group}234", 0: "0"}
    if group.isdigit() or not all(babel(n) == text for n, text in expected.items()):
        return None
    return minus, group


def number(value) -> str:
    """A number in the page's language. A figures page shows hundreds of integers, and
    Babel takes about 30 µs for each: those with plain grouping are written here."""
    if isinstance(value, int) and not isinstance(value, bool):
        grouping = _integer_grouping(get_locale())  # a babel Locale: hashable, cheap
        if grouping:
            minus, group = grouping
            text = f"{abs(value):,}".replace(",", group)
            return minus + text if value < 0 else text
    return format_decimal(value)


def init_app(app: Flask) -> None:
    # The stylesheet is small and inlined: a lesson page then costs one round trip.
    css = (Path(app.config["LMS_STATIC_DIR"]) / "css" / "app.css").read_text("utf-8")
    app.jinja_env.globals["inline_css"] = Markup(css)  # noqa: S704 (our own file, not input)
    app.jinja_env.globals["static_url"] = static_url
    app.jinja_env.filters["number"] = number
