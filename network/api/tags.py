"""``/v2.0/{resources}/{id}/tags``: list, replace, clear, and check, add or
remove one tag, on any resource in :data:`network.manager.tags.TAGGABLE`.

The resource must be visible to the caller (404 otherwise); then
``get_<member>:tags``, ``update_<member>:tags`` (replace),
``create_<member>:tags`` (add one) and ``delete_<member>:tags`` (remove one
or all) decide.
"""
import flask

from network import exception
from network.api import attributes, common
from network.api.resource import target
from network.manager.tags import TAGGABLE

blueprint = flask.Blueprint("tags", __name__)

TAG = {"type": "string", "minLength": 1, "maxLength": 255}
TAGS = attributes.Attribute("tags", schema={"type": "array", "items": TAG,
                                            "uniqueItems": True})
ONE_TAG = attributes.Attribute("tag", schema=TAG)
PATH = "/v2.0/<collection>/<resource_id>/tags"


@blueprint.url_value_preprocessor
def _collection_name(endpoint, values):
    """URLs hyphenate collections (security-groups) that TAGGABLE, the service
    and the policy rules spell with underscores."""
    if values and "collection" in values:
        values["collection"] = values["collection"].replace("-", "_")


def _authorize(collection: str, resource_id: str, action: str) -> None:
    """404 unless the caller sees the resource; 403 unless policy allows ``action``."""
    if collection not in TAGGABLE:
        raise exception.NotFound(msg="The resource could not be found.")
    manager = getattr(common.service(), collection)
    view = manager.get(common.caller(), resource_id)
    member = collection[:-1]
    common.authorize(f"{action}_{member}:tags", target(view))


@blueprint.get(PATH)
def list_tags(collection, resource_id):
    _authorize(collection, resource_id, "get")
    return {"tags": common.service().tags.list(collection, resource_id)}


@blueprint.put(PATH)
def replace_tags(collection, resource_id):
    body = common.body()
    if "tags" not in body:
        raise exception.InvalidInput(error_message="Invalid tags body")
    tags = TAGS.parse(body["tags"])
    _authorize(collection, resource_id, "update")
    return {"tags": common.service().tags.replace(collection, resource_id, tags)}


@blueprint.delete(PATH)
def clear_tags(collection, resource_id):
    _authorize(collection, resource_id, "delete")
    common.service().tags.clear(collection, resource_id)
    return common.no_content()


@blueprint.get(f"{PATH}/<tag>")
def check_tag(collection, resource_id, tag):
    _authorize(collection, resource_id, "get")
    if tag not in common.service().tags.list(collection, resource_id):
        raise exception.TagNotFound(tag=tag)
    return common.no_content()


@blueprint.put(f"{PATH}/<tag>")
def add_tag(collection, resource_id, tag):
    ONE_TAG.parse(tag)
    _authorize(collection, resource_id, "create")
    common.service().tags.add(collection, resource_id, tag)
    return "", 201


@blueprint.delete(f"{PATH}/<tag>")
def remove_tag(collection, resource_id, tag):
    _authorize(collection, resource_id, "delete")
    common.service().tags.remove(collection, resource_id, tag)
    return common.no_content()
