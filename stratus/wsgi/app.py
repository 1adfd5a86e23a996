"""The Flask app factory every service API is built with.

It guarantees: every response is JSON; every error becomes the service's
OpenStack fault body (never a traceback); every request has a request id,
accepted from and returned in ``X-Openstack-Request-Id`` and carried into the
log lines of the request; request bodies are size-capped.
"""
import re
import sys
import uuid
from collections.abc import Callable

import flask
from oslo_log import log
from werkzeug import exceptions as http

from stratus import context as ctx
from stratus import exception

LOG = log.getLogger(__name__)

REQUEST_ID_HEADER = "X-Openstack-Request-Id"
_REQUEST_ID_RE = re.compile(r"^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

FaultRenderer = Callable[[exception.StratusError], dict]

_HTTP_ERRORS = {
    400: exception.BadRequest, 401: exception.Unauthorized, 403: exception.Forbidden,
    404: exception.NotFound, 405: exception.MethodNotAllowed, 409: exception.Conflict,
    413: exception.RequestTooLarge, 415: exception.UnsupportedMediaType,
}


def create_app(conf, name: str, render_fault: FaultRenderer) -> flask.Flask:
    """A Flask app for service ``name`` whose errors render with ``render_fault``."""
    app = flask.Flask(name)
    app.config["STRATUS_CONF"] = conf
    app.config["MAX_CONTENT_LENGTH"] = conf.api.max_request_body_size
    app.json.sort_keys = False
    app.json.compact = True
    app.url_map.strict_slashes = False

    app.before_request(_start_request)
    app.after_request(_finish_request)

    def fault(error: exception.StratusError):
        body = render_fault(error)
        response = flask.jsonify(body)
        response.status_code = error.code
        for key, value in error.headers.items():
            response.headers[key] = value
        return response

    def on_stratus_error(error: exception.StratusError):
        if error.code >= 500:
            LOG.error("Request failed: %s", error.message)
        return fault(error)

    def on_http_error(error: http.HTTPException):
        cls = _HTTP_ERRORS.get(error.code, exception.StratusError)
        message = error.description if error.code != 404 else (
            "The resource could not be found.")
        converted = cls(message)
        converted.code = error.code
        if isinstance(error, http.MethodNotAllowed) and error.valid_methods:
            converted.headers = {"Allow": ", ".join(error.valid_methods)}
        return fault(converted)

    def on_unexpected(error: Exception):
        LOG.exception("Unexpected error in %s %s", flask.request.method, flask.request.path)
        return fault(exception.StratusError())

    app.register_error_handler(exception.StratusError, on_stratus_error)
    app.register_error_handler(http.HTTPException, on_http_error)
    app.register_error_handler(Exception, on_unexpected)
    return app


def streams_body(view):
    """Mark ``view`` as reading its body as a stream (image data, say): the
    JSON body size cap does not apply to it."""
    view.streams_body = True
    return view


def _start_request():
    given = flask.request.headers.get(REQUEST_ID_HEADER, "")
    request_id = given if _REQUEST_ID_RE.match(given) else f"req-{uuid.uuid4()}"
    flask.g.request_id = request_id
    flask.g.context = ctx.anonymous(request_id)
    view = flask.current_app.view_functions.get(flask.request.endpoint)
    if getattr(view, "streams_body", False):
        flask.request.max_content_length = sys.maxsize  # None would mean "use the config"
        return
    limit = flask.current_app.config["MAX_CONTENT_LENGTH"]
    if flask.request.content_length is not None and flask.request.content_length > limit:
        raise exception.RequestTooLarge()


def _finish_request(response: flask.Response) -> flask.Response:
    request_id = getattr(flask.g, "request_id", None)
    if request_id:
        response.headers[REQUEST_ID_HEADER] = request_id
    if response.status_code == 204:
        response.headers.pop("Content-Type", None)
        response.set_data(b"")
    return response


def context() -> ctx.RequestContext:
    """The context of the request being served."""
    return flask.g.context


def authenticated_context(unauthorized: type[exception.StratusError] = exception.Unauthorized
                          ) -> ctx.RequestContext:
    """The caller's context; ``unauthorized`` (401) when the request carries
    no valid token (a service may pass its own subclass, for its headers)."""
    current = context()
    if current.user_id is None:
        raise unauthorized()
    return current


def public_url(conf) -> str:
    """The API's base URL as clients see it: ``[api] public_endpoint``, else
    the request's host URL; without a trailing slash."""
    return (conf.api.public_endpoint or flask.request.host_url).rstrip("/")
