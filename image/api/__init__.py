"""The image HTTP API (Glance v2)."""
from image import exception
from image.api import data, images, info, members, schemas, versions
from image.service import ImageService
from stratus import notifications
from stratus.wsgi import app as wsgi_app
from stratus.wsgi import auth

BLUEPRINTS = (versions, images, members, data, schemas, info)
PUBLIC_PATHS = ("/", "/versions")


def create_app(conf, service: ImageService | None = None):
    """The image Flask app behind keystonemiddleware; ``service`` is built
    from ``conf`` unless given.

    Build it after any fork (gunicorn calls this in each worker): the
    notifier's transport and thread belong to the process that made them.
    """
    app = wsgi_app.create_app(conf, "image", exception.render_fault)
    if service is None:
        service = ImageService(conf, notifications.Notifier.from_conf(conf))
    app.extensions["image"] = service
    auth.protect(app, conf, public_paths=PUBLIC_PATHS)
    for module in BLUEPRINTS:
        app.register_blueprint(module.blueprint)
    return app

