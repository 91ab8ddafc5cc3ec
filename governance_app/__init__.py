"""The owners' governance platform: application factory.

Importing the package imports nothing heavy: the pure parts (the counting rules
and the audit bundle used by ``governance-audit``) work without Flask or a
database.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from . import config as config_module

if TYPE_CHECKING:
    from flask import Flask


def create_app(config: dict | None = None) -> Flask:
    """Build the application; ``config`` overrides settings read from the environment."""
    from flask import Flask

    from .extensions import babel, csrf, db, limiter, migrate

    app = Flask(
        __name__,
        template_folder=str(config_module.beside_or_inside("templates")),
        instance_path=str(config_module.INSTANCE_DIR),
    )
    settings = config_module.from_environment()
    if config:
        settings.update(config)
    config_module.resolve_jobs_mode(settings)
    config_module.check(settings)
    settings.setdefault("SQLALCHEMY_ENGINE_OPTIONS", config_module.engine_options(
        settings["SQLALCHEMY_DATABASE_URI"], settings["GOVERNANCE_ENV"] == "production"))
    app.config.update(settings)
    # Flask and the app's parts are imported here, when an app is built (see the docstring).
    from .core import logs

    logs.register(app)  # first: the request's clock and id start before any extension's check
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        config_module.INSTANCE_DIR.mkdir(exist_ok=True)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(config_module.beside_or_inside("migrations")), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)

    from .core import i18n  # (imported when an app is built, as above)

    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)

    # (imported when an app is built, as above)
    from .auth import login
    from .core import errors, inputs, refusals, security, templating

    inputs.register(app)
    login.register(app)
    templating.register(app)
    errors.register(app)
    refusals.register(app)
    security.register(app)
    _register_blueprints(app)
    _register_cli(app)
    _register_tasks()
    return app


def _register_tasks() -> None:
    # The tasks a worker runs under a name, registered with the job system (jobs.registry.task) by
    # the packages that own them: imported when an app is built, as the pages are.
    from .notifications import mail, tasks  # noqa: F401
    from .voting import tasks as voting_tasks  # noqa: F401


def _register_blueprints(app: Flask) -> None:
    # The pages are imported when an app is built, not with the package (see the docstring).
    from .staff.accounts import bp as admin_bp
    from .staff.audit_log import bp as audit_bp
    from .auth.routes import bp as auth_bp
    from .core.health import bp as health_bp
    from .core.routes import bp as core_bp
    from .estates.routes import bp as estates_bp
    from .disclosure.routes import bp as disclosure_bp
    from .documents.routes import bp as documents_bp
    from .funds.routes import bp as funds_bp
    from .jobs.routes import bp as jobs_bp
    from .notifications.routes import bp as notifications_bp
    from .pledges.routes import bp as pledges_bp
    from .proposals.routes import bp as proposals_bp
    from .supervision.routes import bp as supervision_bp
    from .surveys.routes import bp as surveys_bp
    from .voting.routes import bp as voting_bp

    for blueprint in (core_bp, health_bp, auth_bp, admin_bp, estates_bp, audit_bp, voting_bp, funds_bp,
                      disclosure_bp, documents_bp, pledges_bp, surveys_bp, supervision_bp, jobs_bp,
                      notifications_bp, proposals_bp):
        app.register_blueprint(blueprint)


def _register_cli(app: Flask) -> None:
    # The commands are imported when an app is built, not with the package (see the docstring).
    from .audit.cli import audit_cli
    from .backup.cli import backup_cli
    from .auth.cli import auth_cli
    from .core.cli import demo_cli, doctor_command, ops_cli
    from .jobs.cli import jobs_cli
    from .estates.cli import estates_cli
    from .funds.cli import funds_cli
    from .voting.cli import voting_cli

    for command in (doctor_command, demo_cli, estates_cli, auth_cli, audit_cli, voting_cli, funds_cli, ops_cli,
                    backup_cli, jobs_cli):
        app.cli.add_command(command)
