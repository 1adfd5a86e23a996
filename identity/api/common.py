"""What every identity handler uses: the service, the caller, policy, links, lists."""
import flask

from identity import exception
from stratus.wsgi import app as wsgi_app
from stratus.wsgi import validation


def service():
    """The :class:`identity.service.IdentityService` behind this app."""
    return flask.current_app.extensions["identity"]


def context():
    """The authenticated caller; 401 when the request carries no valid token."""
    return wsgi_app.authenticated_context(exception.Unauthorized)


def authorize(action: str, target: dict | None = None):
    """Check ``identity:<action>`` for the caller against ``target``; 403 if denied.

    ``target`` is nested (``{"user": {"id": …, "domain_id": …}}``); rules read
    it flattened, as Keystone's do (``%(target.user.domain_id)s``), and its
    top-level plain values also bare (``%(user_id)s``). Returns the caller's
    context.
    """
    ctx = context()
    service().enforcer.authorize(f"identity:{action}", ctx, policy_target(target or {}))
    return ctx


def policy_target(target: dict) -> dict:
    """The flat dict oslo.policy reads; None values are left out, since a rule
    would otherwise compare against the string "None"."""
    flat: dict = {}

    def walk(prefix: str, value):
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}", inner)
        elif value is not None:
            flat[prefix] = value

    for key, value in target.items():
        if value is not None and not isinstance(value, dict):
            flat[key] = value
        walk(f"target.{key}", value)
    return flat


def base_url() -> str:
    return wsgi_app.public_url(service().conf)


def self_link(collection: str, entity_id: str) -> dict:
    return {"self": f"{base_url()}/v3/{collection}/{entity_id}"}


def collection(key: str, items: list[dict], truncated: bool = False) -> dict:
    """A Keystone list body: ``{key: [...], "links": {self, previous, next}}``."""
    body = {key: items, "links": {"self": base_url() + flask.request.full_path.rstrip("?"),
                                  "previous": None, "next": None}}
    if truncated:
        body["truncated"] = True
    return body


def created(body: dict):
    return flask.jsonify(body), 201


def no_content():
    return "", 204


def query(allowed, bools=()):
    return validation.query(allowed, bools)


def body(schema: dict) -> dict:
    return validation.json_body(schema)
