"""``/v3/auth``: issue, validate, check and revoke tokens; what a token may scope to."""
import flask

from identity import auth as auth_logic
from identity import exception
from identity.api import authn, common
from identity.api.views import domain_view, project_view

blueprint = flask.Blueprint("auth", __name__, url_prefix="/v3/auth")


def _token_response(token_id: str, info: dict, status: int):
    body = info["body"]
    if "nocatalog" in flask.request.args and "catalog" in body["token"]:
        body = {"token": {k: v for k, v in body["token"].items() if k != "catalog"}}
    response = flask.jsonify(body)
    response.status_code = status
    response.headers["X-Subject-Token"] = token_id
    return response


@blueprint.post("/tokens")
def issue_token():
    common.query(["nocatalog"])
    body = common.body(auth_logic.AUTH_SCHEMA)
    token_id, info = common.service().authenticator.authenticate(body["auth"])
    return _token_response(token_id, info, 201)


def _subject() -> tuple[str, dict]:
    subject = flask.request.headers.get("X-Subject-Token")
    if not subject:
        raise exception.NotFound("Could not find token: X-Subject-Token is missing.")
    try:
        info = common.service().tokens.validate(subject, authn.counters())
    except exception.NotFound:
        raise exception.TokenNotFound(id=subject)
    return subject, info


@blueprint.get("/tokens")
def validate_token():
    common.query(["nocatalog", "allow_expired"])
    subject, info = _subject()
    common.authorize("validate_token", {"token": {"user_id": info["user_id"]}})
    return _token_response(subject, info, 200)


@blueprint.route("/tokens", methods=["HEAD"])
def check_token():
    common.query(["allow_expired"])
    subject, info = _subject()
    common.authorize("check_token", {"token": {"user_id": info["user_id"]}})
    response = flask.make_response("", 200)
    response.headers["X-Subject-Token"] = subject
    return response


@blueprint.delete("/tokens")
def revoke_token():
    _, info = _subject()
    common.authorize("revoke_token", {"token": {"user_id": info["user_id"]}})
    common.service().tokens.revoke(info)
    return common.no_content()


@blueprint.get("/projects")
def auth_projects():
    ctx = common.authorize("get_auth_projects")
    projects = common.service().assignments.projects_for_user(ctx.user_id)
    return common.collection("projects", [project_view(p) for p in projects if p.enabled])


@blueprint.get("/domains")
def auth_domains():
    ctx = common.authorize("get_auth_domains")
    domains = common.service().assignments.domains_for_user(ctx.user_id)
    return common.collection("domains", [domain_view(d) for d in domains if d.enabled])


@blueprint.get("/system")
def auth_system():
    ctx = common.authorize("get_auth_system")
    roles = common.service().assignments.effective_roles(ctx.user_id, system=True)
    return common.collection("system", [{"all": True}] if roles else [])


@blueprint.get("/catalog")
def auth_catalog():
    ctx = common.authorize("get_auth_catalog")
    info = ctx.token_data
    if not (info["project_id"] or info["domain_id"] or info["system"]):
        raise exception.Forbidden("An unscoped token has no catalog.")
    catalog = common.service().catalog.catalog_for(ctx.user_id, info["project_id"])
    return {"catalog": catalog, "links": {
        "self": f"{common.base_url()}/v3/auth/catalog", "previous": None, "next": None}}
