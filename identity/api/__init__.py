"""The identity HTTP API (Keystone v3)."""
import importlib

from identity import exception
from identity.api import authn
from identity.service import IdentityService
from stratus import notifications
from stratus.wsgi import app as wsgi_app

BLUEPRINTS = ("versions", "auth", "domains", "projects", "users", "groups", "roles",
              "grants", "role_assignments", "catalog", "credentials",
              "application_credentials", "revoke", "ec2_credentials", "policies")


def create_app(conf, service: IdentityService | None = None):
    """The identity Flask app; ``service`` is built from ``conf`` unless given.

    Build it after any fork (gunicorn calls this in each worker): the
    notifier's transport and thread belong to the process that made them.
    """
    app = wsgi_app.create_app(conf, "identity", exception.render_fault)
    if service is None:
        service = IdentityService(conf, notifications.Notifier.from_conf(conf))
    app.extensions["identity"] = service
    app.before_request(authn.authenticate_request)
    for name in BLUEPRINTS:
        try:
            module = importlib.import_module(f"identity.api.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"identity.api.{name}":
                raise
            continue
        app.register_blueprint(module.blueprint)
    return app
