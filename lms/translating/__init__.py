"""Community translation: who may translate and review (grants), the browser workbench,
and the export and import between saved translations and the repository's files."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Lay saved translations over the files' for learners (lessons and interface)."""
    from ..content.catalog import LESSON_OVERLAY
    from ..i18n import UI_OVERLAY
    from .admin_views import bp as admin_bp
    from .pieces import interface_overlay, lesson_overlay
    from .views import bp

    app.register_blueprint(bp)
    app.register_blueprint(admin_bp)
    app.extensions[LESSON_OVERLAY] = lesson_overlay
    app.extensions[UI_OVERLAY] = interface_overlay
