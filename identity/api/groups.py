"""``/v3/groups``, their members, and ``/v3/users/{id}/groups``."""
import flask

from identity import exception
from identity.api import common, schemas
from identity.api import users as users_api
from identity.api.views import group_view, user_view

blueprint = flask.Blueprint("groups", __name__, url_prefix="/v3")

_PROPS = {"name": schemas.name(64), "description": schemas.DESCRIPTION,
          "domain_id": schemas.ID}
CREATE = schemas.entity("group", _PROPS, required=("name",))
UPDATE = schemas.entity("group", _PROPS, min_properties=1)
USER_FILTERS = ["name", "domain_id", "enabled", "password_expires_at"]


def _groups():
    return common.service().groups


def _target(group_id: str, user_id: str | None = None):
    """(policy target, group) for an existing group (and user); 404 if missing."""
    group = _groups().get_group(group_id)
    target = {"group": {"id": group.id, "domain_id": group.domain_id}}
    if user_id is not None:
        target.update(users_api.user_target(user_id)[0])
    return target, group


@blueprint.post("/groups")
def create_group():
    data = common.body(CREATE)["group"]
    data.setdefault("domain_id", users_api.default_domain_id(common.context()))
    common.authorize("create_group", {"group": {"domain_id": data["domain_id"]}})
    return common.created({"group": group_view(_groups().create_group(data))})


@blueprint.get("/groups")
def list_groups():
    filters = common.query(["name", "domain_id"])
    ctx = common.authorize(
        "list_groups", {"domain_id": filters.get("domain_id") or common.context().domain_id})
    if ctx.domain_id and filters.setdefault("domain_id", ctx.domain_id) != ctx.domain_id:
        return common.collection("groups", [])
    return common.collection("groups", [group_view(g) for g in _groups().list_groups(filters)])


@blueprint.get("/groups/<group_id>")
def get_group(group_id):
    target, group = _target(group_id)
    common.authorize("get_group", target)
    return {"group": group_view(group)}


@blueprint.patch("/groups/<group_id>")
def update_group(group_id):
    changes = common.body(UPDATE)["group"]
    target, _ = _target(group_id)
    common.authorize("update_group", target)
    if changes.pop("id", group_id) != group_id:
        raise exception.ValidationError(field="id", detail="a group's id cannot be changed")
    return {"group": group_view(_groups().update_group(group_id, changes))}


@blueprint.delete("/groups/<group_id>")
def delete_group(group_id):
    target, _ = _target(group_id)
    common.authorize("delete_group", target)
    _groups().delete_group(group_id)
    return common.no_content()


@blueprint.get("/groups/<group_id>/users")
def list_users_in_group(group_id):
    args = common.query(USER_FILTERS, bools=["enabled"])
    target, _ = _target(group_id)
    ctx = common.authorize("list_users_in_group", target)
    filters = users_api.list_filters(args, ctx)
    users = [] if filters is None else common.service().users.list_users(
        {**filters, "group_id": group_id})
    return common.collection("users", [user_view(u) for u in users])


@blueprint.get("/groups/<group_id>/users/<user_id>")
def check_user_in_group(group_id, user_id):
    target, _ = _target(group_id, user_id)
    common.authorize("check_user_in_group", target)
    _groups().check_user(group_id, user_id)
    return common.no_content()


@blueprint.put("/groups/<group_id>/users/<user_id>")
def add_user_to_group(group_id, user_id):
    target, _ = _target(group_id, user_id)
    common.authorize("add_user_to_group", target)
    _groups().add_user(group_id, user_id)
    return common.no_content()


@blueprint.delete("/groups/<group_id>/users/<user_id>")
def remove_user_from_group(group_id, user_id):
    target, _ = _target(group_id, user_id)
    common.authorize("remove_user_from_group", target)
    _groups().remove_user(group_id, user_id)
    return common.no_content()


@blueprint.get("/users/<user_id>/groups")
def list_groups_for_user(user_id):
    args = common.query(["name"])
    target, _ = users_api.user_target(user_id)
    ctx = common.authorize("list_groups_for_user", target)
    groups = [g for g in _groups().list_groups_for_user(user_id)
              if args.get("name") in (None, g.name)
              and ctx.domain_id in (None, g.domain_id)]
    return common.collection("groups", [
        {**group_view(g), "membership_expires_at": None} for g in groups])
