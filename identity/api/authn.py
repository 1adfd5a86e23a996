"""Who is calling: the X-Auth-Token of each request, validated once."""
import flask

from identity import exception
from stratus import context as ctx
from stratus.wsgi import app as wsgi_app


def authenticate_request():
    """Turn a valid X-Auth-Token into the request context; 401 for an invalid one.

    A request without a token stays anonymous: handlers that need a caller
    ask :func:`identity.api.common.context`, which then answers 401.
    """
    token_id = flask.request.headers.get("X-Auth-Token")
    if not token_id:
        return
    service = flask.current_app.extensions["identity"]
    flask.g.counters = service.db.counters()
    try:
        info = service.tokens.validate(token_id, flask.g.counters)
    except exception.NotFound:
        if flask.request.path.rstrip("/") == "/v3/auth/tokens" and \
                flask.request.method == "POST":
            return  # authenticating anew: the old header does not matter
        raise exception.Unauthorized("The request you have made requires authentication.")
    flask.g.token_info = info
    flask.g.context = context_from(info, token_id, wsgi_app.context().request_id)


def context_from(info: dict, token_id: str, request_id: str) -> ctx.RequestContext:
    return ctx.RequestContext(
        auth_token=token_id, user_id=info["user_id"], user_domain_id=info["user_domain_id"],
        project_id=info["project_id"], project_domain_id=info["project_domain_id"],
        domain_id=info["domain_id"], system_scope=info["system"], roles=info["roles"],
        request_id=request_id, audit_ids=info["audit_ids"],
        project_name=info["project_name"], token_data=info, overwrite=True,
        is_admin_project=bool(info["project_id"]))


def counters():
    """The identity database's change counters as read for this request, if read."""
    return getattr(flask.g, "counters", None)
