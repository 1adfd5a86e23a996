"""What every image handler uses: the service, the caller, policy, links, bodies."""
import flask

from image.manager import Caller
from stratus.wsgi import app as wsgi_app
from stratus.wsgi import validation


def service():
    """The :class:`image.service.ImageService` behind this app."""
    return flask.current_app.extensions["image"]


def context():
    """The authenticated caller; 401 when the request carries no valid token."""
    return wsgi_app.authenticated_context()


def authorize(action: str, target: dict | None = None):
    """Check ``<action>`` (Glance's rule names) for the caller; 403 if denied.

    ``target`` is flat (``owner``, ``visibility``, ``member_id``); ``project_id``
    defaults to ``owner`` as Glance's rules read either. Returns the context.
    """
    ctx = context()
    flat = {key: value for key, value in (target or {}).items() if value is not None}
    if "owner" in flat:
        flat.setdefault("project_id", flat["owner"])
    service().enforcer.authorize(action, ctx, flat)
    return ctx


def base_url() -> str:
    return wsgi_app.public_url(service().conf)


def body(schema: dict | None = None) -> dict:
    return validation.json_body(schema)


def no_content():
    return "", 204


def caller():
    """The caller as the managers see it: project and admin-ness."""
    ctx = context()
    return Caller(ctx.project_id, service().enforcer.check("context_is_admin", ctx))


def image(image_id: str):
    """The image if the caller may see it; 404 otherwise."""
    return service().images.get(caller(), image_id)


def target(record) -> dict:
    """The policy target of an image."""
    return {"owner": record.owner, "visibility": record.visibility}
