"""workshop: live co-production workshops that build a needs-assessment tool."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

__version__ = "0.1.0"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Create the Flask app: settings, database, blueprints."""
    # Imported here, not at module level, so that `workshop serve` can choose and
    # monkey-patch the async library before Flask or SQLAlchemy are loaded.
    from flask import Flask

    from . import compression, csrf, db, realtime, security
    from . import config as settings
    from .views import api, auth, console, downloads, health, history, participant, projector

    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(settings.from_environment(app.instance_path))
    if config:
        app.config.update(config)
    database = db.init_app(app)
    if app.config["AUTO_MIGRATE"]:
        database.upgrade()
    csrf.init_app(app)
    security.init_app(app)
    compression.init_app(app)
    for blueprint in (health.bp, auth.bp, api.bp, console.bp, downloads.bp, history.bp, projector.bp, participant.bp):
        app.register_blueprint(blueprint)
    if app.config.get("REALTIME", True):
        realtime.init_app(app)
    return app
