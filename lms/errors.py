"""Translated error pages, and JSON errors under /api/."""

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, InternalServerError

MESSAGES = {
    400: (_l("Something in the request was not right"),
          _l("Go back and try again. If it happens again, ask your Digital Ambassador.")),
    401: (_l("Please sign in"), _l("Sign in with your phone number to continue.")),
    403: (_l("This is not allowed"), _l("Go back, reload the page and try again.")),
    404: (_l("We could not find this page"),
          _l("It may have moved, or it is not yours to see. Go back to your home page.")),
    405: (_l("Something in the request was not right"), _l("Go back and try again.")),
    413: (_l("What you sent is too large"), _l("Send less at once and try again.")),
    429: (_l("Too many tries"), _l("Please wait a little, then try again.")),
    500: (_l("Something went wrong on our side"),
          _l("Your work is saved where it could be. Please try again in a few minutes.")),
}


def _respond(error: HTTPException):
    code = error.code or 500
    title, advice = MESSAGES.get(code, MESSAGES[500])
    if request.path.startswith("/api/"):
        body = {"error": str(title), "advice": str(advice), "status": code}
        response = jsonify(body)
    else:
        response = render_template("errors/error.html", code=code, title=title, advice=advice)
    return response, code


def init_app(app: Flask) -> None:
    for code in MESSAGES:
        app.register_error_handler(code, _respond)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return _respond(error)
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return _respond(InternalServerError())
