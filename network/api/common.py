"""What every network handler uses: the service, the caller, policy, bodies, links."""
import flask

from network import exception, policies
from network.manager import Caller
from stratus.wsgi import app as wsgi_app
from stratus.wsgi import validation

# Rules with in-code defaults: a get_<member>:<attribute> rule that does not
# exist shows the attribute (Neutron's might_not_exist).
RULE_NAMES = frozenset(rule.name for rule in policies.list_rules())


def service():
    """The :class:`network.service.NetworkService` behind this app."""
    return flask.current_app.extensions["network"]


def context():
    """The authenticated caller; 401 when the request carries no valid token."""
    return wsgi_app.authenticated_context()


def caller() -> Caller:
    ctx = context()
    return Caller(ctx.project_id, service().enforcer.check("context_is_admin", ctx))


def check(action: str, target: dict | None = None) -> bool:
    return service().enforcer.check(action, context(), target or {})


def authorize(action: str, target: dict | None = None) -> None:
    """403 PolicyNotAuthorized unless the caller may do ``action`` on ``target``."""
    service().enforcer.authorize(action, context(), target or {})


def body() -> dict:
    return validation.json_body()


def revision() -> int | None:
    """The revision an ``If-Match: revision_number=N`` header demands, if any."""
    expected = None
    for tag in flask.request.if_match.as_set():
        if not tag.startswith("revision_number="):
            continue
        if expected is not None:
            raise exception.BadRequest(
                resource="if-match", msg="Multiple revision_number etags are not supported.")
        try:
            expected = int(tag.split("=", 1)[1])
        except ValueError:
            raise exception.BadRequest(
                resource="if-match",
                msg="Revision number etag must be in the format of revision_number=<int>")
    return expected


def base_url() -> str:
    return wsgi_app.public_url(service().conf)


def no_content():
    return "", 204
