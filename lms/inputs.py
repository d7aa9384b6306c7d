"""Limits every request's input keeps, whatever route it reaches: ids in URLs stay within
the database's integer range, JSON bodies hold only what JSON can say, and no text holds
a character no database column can store.

They turn hostile or broken input into the ordinary answers (404 for an id that cannot
exist, 400 for a body that is not JSON) before any view or query sees it.
"""

import json
import math

from flask import Flask, abort, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import IntegerConverter

# Every id column is an SQL INTEGER: 32 bits on PostgreSQL. A larger number names nothing,
# and would overflow a query parameter on SQLite (64 bits) or PostgreSQL.
MAX_DATABASE_INTEGER = 2**31 - 1


class DatabaseIntegerConverter(IntegerConverter):
    """`<int:...>` in every route: a number beyond the database's range does not match,
    so the URL answers 404 like any id that does not exist."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_DATABASE_INTEGER)
        super().__init__(map, *args, **kwargs)
        # Refused by the pattern, not only in to_python: Werkzeug notes a rule's other
        # methods before converting, so a GET and a POST rule on one path gave 405.
        self.regex = _digits_up_to(MAX_DATABASE_INTEGER)


def _digits_up_to(limit: int) -> str:
    """A pattern for the whole numbers 0..limit, written digit by digit."""
    text = str(limit)
    parts = ["\\d{1," + str(len(text) - 1) + "}"] if len(text) > 1 else []
    for position, digit in enumerate(text):
        lowest = 1 if position == 0 else 0
        rest = len(text) - position - 1
        if int(digit) > lowest:
            parts.append(text[:position] + f"[{lowest}-{int(digit) - 1}]"
                         + ("\\d{" + str(rest) + "}" if rest else ""))
    parts.append(text)
    return "(?:" + "|".join(parts) + ")"


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):  # e.g. 1e400
        raise ValueError("number out of range")
    return number


def storable(text: str) -> bool:
    """Text a database can hold: PostgreSQL refuses NUL, UTF-8 has no lone surrogates."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_strings(value) -> None:
    pending = [value]
    while pending:  # a loop, not recursion: the parser already bounded the depth
        item = pending.pop()
        if isinstance(item, str):
            if not storable(item):
                raise ValueError("JSON text holds a character that cannot be stored")
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


class StrictJSONProvider(DefaultJSONProvider):
    """JSON as RFC 8259 defines it: NaN and Infinity, numbers too large for a float,
    nesting too deep for the parser and text no column can store are malformed input
    (a 400), never a crash."""

    def loads(self, s: str | bytes, **kwargs):
        kwargs.setdefault("parse_constant", _refuse_constant)
        kwargs.setdefault("parse_float", _finite_float)
        try:
            value = json.loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None
        _check_strings(value)
        return value


def refuse_unstorable_text() -> None:
    """A 400 for a URL, query or form holding NUL, before a query would fail on it."""
    texts = [request.path, *(request.view_args or {}).values()]
    for source in (request.args, request.form):
        for key, value in source.items(multi=True):
            texts += (key, value)
    if any(isinstance(text, str) and "\x00" in text for text in texts):
        abort(400)


def init_app(app: Flask) -> None:
    """Call before any route is registered: rules pick their converter when added."""
    app.url_map.converters["int"] = DatabaseIntegerConverter
    app.json_provider_class = StrictJSONProvider
    app.json = StrictJSONProvider(app)
    app.before_request(refuse_unstorable_text)
