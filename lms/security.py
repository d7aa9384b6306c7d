"""Response headers: CSP with a per-request nonce, no caching of signed-in pages."""

import secrets

from flask import Flask, Response, g, request
from flask_login import current_user


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def content_security_policy(nonce: str, media: str = "'self'") -> str:
    """The site's policy; a page that plays what it has just recorded adds `blob:` media."""
    return (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        f"style-src 'self' 'nonce-{nonce}'; "
        f"img-src 'self' data:; media-src {media}; connect-src 'self'; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
        "form-action 'self'; manifest-src 'self'; worker-src 'self'"
    )


def init_app(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    debug = app.debug or app.config["LMS_ENV"] == "development"

    @app.after_request
    def set_security_headers(response: Response) -> Response:
        nonce = csp_nonce()
        response.headers.setdefault("Content-Security-Policy", content_security_policy(nonce))
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        response.headers["X-Frame-Options"] = "DENY"
        if not debug and not app.testing:
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        long_cached = response.cache_control.public or request.endpoint == "static"
        if not long_cached and current_user and current_user.is_authenticated:
            response.headers["Cache-Control"] = "no-store"
        response.vary.add("Cookie")
        return response
