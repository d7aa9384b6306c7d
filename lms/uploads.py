"""Upload limits per route: the app-wide MAX_CONTENT_LENGTH stays small, and a view
that takes a file declares its own limit with `@upload_limit(...)`.

The limit is set before any other request hook, because CSRF protection reads the form
(and so the whole body) before the view runs.
"""

from collections.abc import Callable

from flask import Flask, current_app, render_template, request
from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import RequestEntityTooLarge

from . import errors

MEGABYTE = 1024 * 1024


def upload_limit(size: int) -> Callable:
    def mark(view: Callable) -> Callable:
        view.upload_limit = size
        return view

    return mark


def _view_limit() -> int | None:
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, "upload_limit", None)


def init_app(app: Flask) -> None:
    def apply_upload_limit():
        limit = _view_limit()
        if limit is not None:
            request.max_content_length = limit
            request.max_form_memory_size = limit

    app.before_request_funcs.setdefault(None, []).insert(0, apply_upload_limit)

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error: RequestEntityTooLarge):
        limit = _view_limit()
        if limit is None or request.path.startswith("/api/"):
            return errors._respond(error)
        advice = _l("The file can be at most %(size)s MB. Split it into smaller files and "
                    "upload them one after the other.",
                    size=format_decimal(round(limit / MEGABYTE, 1)))
        return render_template("errors/error.html", code=413,
                               title=_l("This file is too large"), advice=advice), 413
