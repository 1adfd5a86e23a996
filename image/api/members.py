"""``/v2/images/{id}/members``: the owner offers a shared image, members answer."""
import flask

from image import models
from image.api import common, views

blueprint = flask.Blueprint("members", __name__)

ADD = {"type": "object", "properties": {"member": {"type": "string", "minLength": 1,
                                                   "maxLength": 255}},
       "required": ["member"], "additionalProperties": False}
# Only "status" counts; like Glance, other members are ignored (openstacksdk,
# hence `openstack image set --accept`, also sends "member").
UPDATE = {"type": "object",
          "properties": {"status": {"enum": list(models.MEMBER_STATUSES)}},
          "required": ["status"]}


@blueprint.post("/v2/images/<image_id>/members")
def add_member(image_id):
    data = common.body(ADD)
    common.authorize("add_member", common.target(common.image(image_id)))
    member = common.service().members.add(common.caller(), image_id, data["member"])
    return views.member(member)


@blueprint.get("/v2/images/<image_id>/members")
def list_members(image_id):
    common.authorize("get_members", common.target(common.image(image_id)))
    members = common.service().members.list(common.caller(), image_id)
    return {"members": [views.member(m) for m in members], "schema": "/v2/schemas/members"}


@blueprint.get("/v2/images/<image_id>/members/<member_id>")
def show_member(image_id, member_id):
    target = {**common.target(common.image(image_id)), "member_id": member_id}
    common.authorize("get_member", target)
    return views.member(common.service().members.get(common.caller(), image_id, member_id))


@blueprint.put("/v2/images/<image_id>/members/<member_id>")
def update_member(image_id, member_id):
    data = common.body(UPDATE)
    target = {**common.target(common.image(image_id)), "member_id": member_id}
    common.authorize("modify_member", target)
    member = common.service().members.update(common.caller(), image_id, member_id,
                                             data["status"])
    return views.member(member)


@blueprint.delete("/v2/images/<image_id>/members/<member_id>")
def delete_member(image_id, member_id):
    target = {**common.target(common.image(image_id)), "member_id": member_id}
    common.authorize("delete_member", target)
    common.service().members.delete(common.caller(), image_id, member_id)
    return common.no_content()
