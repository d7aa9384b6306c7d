"""The JSON API under /api/v1 (see DESIGN.md §4.4)."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import events, fieldwork, views  # noqa: E402,F401  (routes register on bp)
