"""Học Số: short multilingual courses for the Digital Literacy movement in Son La."""

import os
from pathlib import Path

from flask import Flask

from . import config


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application; `test_config` overrides the environment (tests only)."""
    root = config.PROJECT_ROOT
    app = Flask(
        __name__,
        instance_path=os.environ.get("LMS_INSTANCE_PATH") or str(root / "instance"),
        static_folder=str(root / "static"),
        static_url_path="/static",
    )
    app.config.update(config.from_environment(app.instance_path, testing=bool(test_config)))
    if test_config:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from . import logs

    logs.init_app(app)

    if app.config["LMS_TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["LMS_TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from . import inputs

    inputs.init_app(app)
    register_extensions(app)
    register_blueprints(app)
    register_commands(app)

    from . import errors, security, templating, uploads

    errors.init_app(app)
    uploads.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    if app.config["LMS_WEB_WORKER"]:
        from . import worker

        worker.start(app)
    return app


def register_extensions(app: Flask) -> None:
    from . import audit as _audit  # noqa: F401
    from . import database, i18n

    # Every model module, so that the metadata (and migrations) know every table.
    from .accounts import models as _accounts  # noqa: F401
    from .accounts import second_factor as _second_factor  # noqa: F401
    from .ambassadors import models as _ambassadors  # noqa: F401
    from .content import models as _content  # noqa: F401
    from .events import models as _events  # noqa: F401
    from .extensions import compress, csrf, db, limiter, login_manager
    from .families import models as _families  # noqa: F401
    from .learning import models as _learning  # noqa: F401
    from .narration import models as _narration  # noqa: F401
    from .places import models as _places  # noqa: F401
    from .stats import models as _stats  # noqa: F401
    from .teams import models as _teams  # noqa: F401
    from .translating import models as _translating  # noqa: F401

    db.init_app(app)
    database.init_app(app)
    # Migrations run from the `flask` command; importing Alembic would cost every web
    # worker about 11 MB of its 80 MB budget.
    if app.testing or os.environ.get("FLASK_RUN_FROM_CLI") == "true":
        from flask_migrate import Migrate

        Migrate(app, db, directory=str(Path(__file__).parent / "migrations"))
    csrf.init_app(app)
    compress.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)

    from .accounts import sessions

    sessions.init_app(app)


def register_blueprints(app: Flask) -> None:
    from .accounts.password_views import bp as password_bp
    from .accounts.second_factor_views import bp as second_factor_bp
    from .accounts.views import bp as accounts_bp
    from .admin.audit_views import bp as admin_audit_bp
    from .admin.content_views import bp as admin_content_bp
    from .admin.people_views import bp as admin_people_bp
    from .admin.places_views import bp as admin_places_bp
    from .admin.staff_views import bp as admin_staff_bp
    from .admin.views import bp as admin_bp
    from .ambassadors.views import bp as ambassadors_bp
    from .api import bp as api_bp
    from .events.views import bp as events_bp
    from .families.views import bp as families_bp
    from .learning.views import bp as learning_bp
    from .narration.views import bp as narration_bp
    from .pwa.views import bp as pwa_bp
    from .stats.views import bp as stats_bp
    from .teams.views import bp as teams_bp

    for blueprint in (accounts_bp, learning_bp, ambassadors_bp, stats_bp, admin_bp, api_bp,
                      pwa_bp, second_factor_bp, password_bp, admin_places_bp, admin_staff_bp,
                      admin_audit_bp, admin_people_bp, admin_content_bp, families_bp,
                      teams_bp, events_bp, narration_bp):
        app.register_blueprint(blueprint)

    from .accounts import password_views, second_factor_views

    password_views.init_app(app)
    second_factor_views.init_app(app)

    from . import translating

    translating.init_app(app)

    from .auth import mark_public

    mark_public(app.view_functions["static"])


def register_commands(app: Flask) -> None:
    from . import cli

    cli.init_app(app)
