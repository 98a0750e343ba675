"""The analyst workbench: a Flask app factory that reads like a table of contents."""

from flask import Flask
from flask_wtf import CSRFProtect

from counterclaim import config
from counterclaim.paths import resource_dir

from . import database, errors, filters, heavy, params, security, streaming
from .auth import login

csrf = CSRFProtect()


def create_app(test_config: dict | None = None) -> Flask:
    """Create the workbench app; `test_config` overrides the environment's settings."""
    app = Flask(
        __name__,
        template_folder=str(resource_dir("templates")),
        instance_path=config.instance_path(),
    )
    configure(app, test_config)
    params.init_app(app)  # before CSRF: it reads the body, under the route's limit
    csrf.init_app(app)
    database.init_app(app)
    security.init_app(app)
    login.init_app(app)
    errors.init_app(app)
    heavy.init_app(app)
    streaming.init_app(app)
    filters.init_app(app)
    register_blueprints(app)
    return app


def configure(app: Flask, test_config: dict | None) -> None:
    app.config.from_mapping(config.from_environment(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config.instance_secret_key(app.instance_path)


def register_blueprints(app: Flask) -> None:
    from .actors.routes import bp as actors
    from .audit.routes import bp as audit
    from .auth.routes import bp as auth
    from .claims.routes import bp as claims
    from .corroboration.routes import bp as corroboration
    from .evidence.routes import bp as evidence
    from .exchange import bp as exchange
    from .links.routes import bp as links
    from .main.routes import bp as main
    from .notes.routes import bp as notes
    from .pickers.routes import bp as pickers
    from .reports.routes import bp as reports
    from .schema.routes import bp as schema
    from .search.routes import bp as search
    from .sources.routes import bp as sources
    from .sql.routes import bp as sql
    from .tags.routes import bp as tags
    from .users.routes import bp as users

    blueprints = (
        main, auth, claims, links, evidence, sources, actors, tags, audit, users,
        schema, sql, exchange, reports, search, notes, corroboration, pickers,
    )  # fmt: skip
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
