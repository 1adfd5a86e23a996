"""``/v2/images``: create, list, show, JSON-patch update, delete, tags, actions."""
import json
import urllib.parse

import flask

from image import exception
from image.api import common, schemas, views
from image.manager import images as image_rules
from image.manager import listing
from stratus.wsgi import validation

blueprint = flask.Blueprint("images", __name__)

PATCH_TYPES = ("application/openstack-images-v2.1-json-patch",
               "application/openstack-images-v2.0-json-patch")
PATCH_V20 = "application/openstack-images-v2.0-json-patch"
PATCH_OP = {
    "type": "object",
    "properties": {"op": {"enum": ["add", "replace", "remove"]},
                   "path": {"type": "string", "pattern": "^/?[^/]+$"}, "value": {}},
    "required": ["op", "path"],
}


@blueprint.post("/v2/images")
def create_image():
    data = common.body()
    for name in data:
        if name in image_rules.READ_ONLY and name != "id":
            raise exception.ReadOnlyProperty(name=name)
        if image_rules.is_reserved(name):
            raise exception.ReservedProperty(name=name)
    validation.validate(data, schemas.WRITABLE_IMAGE)
    caller = common.caller()
    target = {"owner": data.get("owner") or caller.project_id,
              "visibility": data.get("visibility", "shared")}
    common.authorize("add_image", target)
    _authorize_visibility(data.get("visibility"), target)
    if data.get("owner") not in (None, caller.project_id):
        common.authorize("context_is_admin", target)
    image = common.service().images.create(caller, data)
    response = flask.jsonify(views.image(image))
    response.status_code = 201
    response.headers["Location"] = views.location(image)
    return response


@blueprint.get("/v2/images")
def list_images():
    common.authorize("get_images")
    conf = common.service().conf.image
    request = listing.parse(flask.request.args, conf.limit_param_default,
                            conf.api_limit_max)
    images, next_marker = common.service().listing.list(common.caller(), request)
    params = [(k, v) for k, v in flask.request.args.items(multi=True) if k != "marker"]
    first = "/v2/images" + (f"?{urllib.parse.urlencode(params)}" if params else "")
    body = {"images": [views.image(i) for i in images], "first": first,
            "schema": "/v2/schemas/images"}
    if next_marker:
        body["next"] = "/v2/images?" + urllib.parse.urlencode(
            [*params, ("marker", next_marker)])
    return body


@blueprint.route("/v2/images/", methods=["GET", "PATCH", "DELETE", "PUT"],
                 strict_slashes=True)
def empty_image_id():
    """``/v2/images/`` names an image with an empty id: 404 like Glance
    (the app's lenient slashes would otherwise make GET a list)."""
    raise exception.NotFound("The resource could not be found.")


@blueprint.get("/v2/images/<image_id>")
def show_image(image_id):
    image = common.image(image_id)
    common.authorize("get_image", common.target(image))
    return views.image(image)


@blueprint.patch("/v2/images/<image_id>")
def update_image(image_id):
    changes = _patch_body()
    image = common.image(image_id)
    target = common.target(image)
    common.authorize("modify_image", target)
    for change in changes:
        if change["name"] == "visibility" and change["op"] != "remove":
            _authorize_visibility(change.get("value"), target)
        if change["name"] == "owner" and change.get("value") != image.owner:
            common.authorize("context_is_admin", target)
    image = common.service().images.update(common.caller(), image_id, changes)
    return views.image(image)


@blueprint.delete("/v2/images/<image_id>")
def delete_image(image_id):
    image = common.image(image_id)
    common.authorize("delete_image", common.target(image))
    service = common.service()
    service.data.release(service.images.delete(common.caller(), image_id))
    return common.no_content()


@blueprint.put("/v2/images/<image_id>/tags/<tag>")
def add_tag(image_id, tag):
    common.authorize("modify_image", common.target(common.image(image_id)))
    if len(tag) > 255:
        raise exception.BadRequest("Image tag must be at most 255 characters.")
    common.service().images.add_tag(common.caller(), image_id, tag)
    return common.no_content()


@blueprint.delete("/v2/images/<image_id>/tags/<tag>")
def remove_tag(image_id, tag):
    common.authorize("modify_image", common.target(common.image(image_id)))
    common.service().images.remove_tag(common.caller(), image_id, tag)
    return common.no_content()


@blueprint.post("/v2/images/<image_id>/actions/<action>")
def image_action(image_id, action):
    if action not in ("deactivate", "reactivate"):
        raise exception.NotFound("The resource could not be found.")
    common.authorize(action, common.target(common.image(image_id)))
    getattr(common.service().images, action)(common.caller(), image_id)
    return common.no_content()


def _authorize_visibility(visibility: str | None, target: dict) -> None:
    if visibility == "public":
        common.authorize("publicize_image", target)
    elif visibility == "community":
        common.authorize("communitize_image", target)


def _patch_body() -> list[dict]:
    """The JSON-patch operations, each as {op, name, value}; 415 for another
    media type, 400 for malformed operations or values the schema rejects."""
    if flask.request.mimetype not in PATCH_TYPES:
        raise exception.UnsupportedMediaType(
            f"Unsupported Content-Type {flask.request.mimetype or 'none'}; use "
            f"{PATCH_TYPES[0]}.")
    try:
        ops = json.loads(flask.request.get_data() or b"null")
    except ValueError:
        raise exception.BadRequest("Malformed JSON in request body.")
    if not isinstance(ops, list):
        raise exception.BadRequest("Request body must be a JSON array of operation "
                                   "objects.")
    changes = []
    for op in ops:
        if not isinstance(op, dict):
            raise exception.BadRequest("Operations must be JSON objects.")
        if flask.request.mimetype == PATCH_V20:
            op = _from_draft4(op)
        validation.validate(op, PATCH_OP)
        if op["op"] != "remove" and "value" not in op:
            raise exception.BadRequest(f"Operation \"{op['op']}\" requires a member "
                                       "named \"value\".")
        name = op["path"].lstrip("/")
        if name in image_rules.READ_ONLY or name == "id":
            raise exception.ReadOnlyProperty(name=name)
        if image_rules.is_reserved(name):
            raise exception.ReservedProperty(name=name)
        if op["op"] != "remove":
            validation.validate({name: op["value"]}, schemas.WRITABLE_IMAGE)
        changes.append({"op": op["op"], "name": name, "value": op.get("value")})
    return changes


def _from_draft4(op: dict) -> dict:
    """An operation in the v2.0 media type's form ({"replace": "/name",
    "value": ...}, JSON-patch draft 4) as RFC 6902's {op, path, value}."""
    names = [name for name in ("add", "replace", "remove") if name in op]
    if len(names) != 1:
        raise exception.BadRequest('Operation objects must contain exactly one '
                                   'member named "add", "remove", or "replace".')
    converted = {"op": names[0], "path": op[names[0]]}
    if "value" in op:
        converted["value"] = op["value"]
    return converted
