"""Token validation for every API except identity's own: keystonemiddleware.

The real OpenStack ``auth_token`` middleware validates the caller's token
against the identity service (and caches the result, with
``[keystone_authtoken]`` settings read from the service's config file); this
module puts it in front of a Flask app and turns what it found into the
request's :class:`stratus.context.RequestContext`.

Paths listed as public (version discovery) answer without a token; any
other request without a valid token gets 401 in the service's fault format.
"""
from collections.abc import Iterable

import flask
from keystonemiddleware import auth_token

from stratus import context as ctx
from stratus import exception

GROUP = "keystone_authtoken"


def register(conf) -> None:
    """Register ``[keystone_authtoken]`` on ``conf`` (for sample configs and tests)."""
    for group, opts in auth_token.list_opts():
        conf.register_opts(opts, group=group)


def protect(app: flask.Flask, conf, public_paths: Iterable[str] = ("/",)) -> None:
    """Require a valid token on every path of ``app`` except ``public_paths``.

    The middleware runs with ``delay_auth_decision`` so that the app itself
    answers unauthenticated requests: version documents for public paths,
    the service's own 401 fault for the rest.
    """
    register(conf)
    conf.set_override("delay_auth_decision", True, group=GROUP)
    app.wsgi_app = auth_token.AuthProtocol(app.wsgi_app, {"oslo_config_config": conf})
    public = {p.rstrip("/") for p in public_paths}

    def authenticate():
        request = flask.request
        if request.environ.get("HTTP_X_IDENTITY_STATUS") == "Confirmed":
            flask.g.context = ctx.RequestContext.from_environ(
                request.environ, request_id=flask.g.request_id, overwrite=True)
        elif request.path.rstrip("/") not in public:
            error = exception.Unauthorized()
            uri = conf.keystone_authtoken.www_authenticate_uri
            if uri:
                error.headers = {"WWW-Authenticate": f'Keystone uri="{uri}"'}
            raise error

    app.before_request(authenticate)
