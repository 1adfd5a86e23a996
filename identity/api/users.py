"""``/v3/users``: users, their passwords and their projects."""
import datetime

import flask
from oslo_utils import timeutils

from identity import exception
from identity.api import common, schemas
from identity.api.views import project_view, user_view

blueprint = flask.Blueprint("users", __name__, url_prefix="/v3/users")

_FLAG = {"type": ["boolean", "null"]}
_MFA_RULES = {"type": ["array", "null"], "uniqueItems": True, "items": {
    "type": "array", "minItems": 1, "uniqueItems": True,
    "items": {"type": "string", "minLength": 1, "maxLength": 255}}}
OPTIONS = {"type": "object", "additionalProperties": False, "properties": {
    "ignore_change_password_upon_first_use": _FLAG, "ignore_password_expiry": _FLAG,
    "ignore_lockout_failure_attempts": _FLAG, "lock_password": _FLAG,
    "multi_factor_auth_enabled": _FLAG, "multi_factor_auth_rules": _MFA_RULES}}
_PROPS = {"name": schemas.name(255), "password": {"type": ["string", "null"]},
          "enabled": schemas.BOOLEAN, "default_project_id": schemas.NULLABLE_ID,
          "domain_id": schemas.ID, "description": schemas.DESCRIPTION, "options": OPTIONS}
CREATE = schemas.entity("user", _PROPS, required=("name",))
UPDATE = schemas.entity("user", _PROPS, min_properties=1)
PASSWORD = schemas.entity("user", {"original_password": {"type": "string"},
                                   "password": {"type": "string"}},
                          required=("original_password", "password"), extra=False)
FILTERS = ["name", "domain_id", "enabled", "password_expires_at", "idp_id", "protocol_id",
           "unique_id"]
# Keystone returns these; a client echoing them back must not store them as extras.
_READ_ONLY = ("id", "links", "password_expires_at")
_OPERATORS = ("lt", "lte", "gt", "gte", "eq", "neq")


def user_target(user_id: str):
    """(policy target, user) for an existing user; 404 if there is none."""
    user = common.service().users.get_user(user_id)
    return {"user": {"id": user.id, "domain_id": user.domain_id}}, user


def default_domain_id(ctx) -> str:
    """Where a new user or group goes when the request names no domain."""
    return ctx.domain_id or ctx.user_domain_id or \
        common.service().conf.identity.default_domain_id


def list_filters(args: dict, ctx) -> dict | None:
    """Manager filters from a user-list query, or None when nothing can match
    (federation filters, or a domain outside the caller's domain scope)."""
    filters = dict(args)
    if any(filters.pop(k, None) is not None for k in ("idp_id", "protocol_id", "unique_id")):
        return None
    if filters.get("password_expires_at") is not None:
        filters["password_expires_at"] = password_expiry(filters["password_expires_at"])
    if ctx.domain_id:
        if filters.get("domain_id") not in (None, ctx.domain_id):
            return None
        filters["domain_id"] = ctx.domain_id
    return filters


def password_expiry(value: str) -> tuple[str, datetime.datetime]:
    """Keystone's ``[op:]timestamp`` filter as (op, naive UTC time); 400 if malformed."""
    op, when = value.split(":", 1) if ":" in value[2:4] else ("eq", value)
    if op not in _OPERATORS:
        raise exception.ValidationError(
            field="password_expires_at",
            detail=f"'{op}' is not one of {', '.join(_OPERATORS)}")
    try:
        return op, timeutils.normalize_time(timeutils.parse_isotime(when))
    except ValueError:
        raise exception.ValidationError(
            field="password_expires_at",
            detail="the timestamp is not of the form YYYY-MM-DDTHH:mm:ssZ") from None


def _writable(data: dict) -> dict:
    return {k: v for k, v in data.items() if k not in _READ_ONLY}


@blueprint.post("")
def create_user():
    data = _writable(common.body(CREATE)["user"])
    data.setdefault("domain_id", default_domain_id(common.context()))
    if data.get("options"):
        data["options"] = {k: v for k, v in data["options"].items() if v is not None}
    common.authorize("create_user", {"user": {"domain_id": data["domain_id"]}})
    return common.created({"user": user_view(common.service().users.create_user(data))})


@blueprint.get("")
def list_users():
    args = common.query(FILTERS, bools=["enabled"])
    ctx = common.authorize(
        "list_users", {"domain_id": args.get("domain_id") or common.context().domain_id})
    filters = list_filters(args, ctx)
    users = common.service().users.list_users(filters) if filters is not None else []
    return common.collection("users", [user_view(u) for u in users])


@blueprint.get("/<user_id>")
def get_user(user_id):
    target, user = user_target(user_id)
    common.authorize("get_user", target)
    return {"user": user_view(user)}


@blueprint.patch("/<user_id>")
def update_user(user_id):
    changes = common.body(UPDATE)["user"]
    target, _ = user_target(user_id)
    common.authorize("update_user", target)
    if changes.get("id", user_id) != user_id:
        raise exception.ValidationError(field="id", detail="a user's id cannot be changed")
    return {"user": user_view(common.service().users.update_user(user_id, _writable(changes)))}


@blueprint.delete("/<user_id>")
def delete_user(user_id):
    target, _ = user_target(user_id)
    common.authorize("delete_user", target)
    common.service().users.delete_user(user_id)
    return common.no_content()


@blueprint.post("/<user_id>/password")
def change_password(user_id):
    """Self-service. As in Keystone, no policy applies: the original password is
    the credential, so a caller without a token (say, one whose password
    expired) may use it too."""
    data = common.body(PASSWORD)["user"]
    common.service().users.change_password(user_id, data["original_password"],
                                           data["password"])
    return common.no_content()


@blueprint.get("/<user_id>/projects")
def list_user_projects(user_id):
    args = common.query(["name", "domain_id", "enabled"], bools=["enabled"])
    target, _ = user_target(user_id)
    common.authorize("list_user_projects", target)
    projects = common.service().assignments.projects_for_user(user_id)
    return common.collection("projects", [
        project_view(p) for p in projects
        if all(getattr(p, key) == value for key, value in args.items())])
