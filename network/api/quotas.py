"""``/v2.0/quotas``: per-project quotas (``quotas``, ``quota_details``)."""
import flask

from network import exception
from network.api import attributes, common
from network.manager.quotas import RESOURCES

blueprint = flask.Blueprint("quotas", __name__)

LIMIT = attributes.Attribute("quota", convert=attributes.to_int,
                             schema={"type": "integer", "minimum": -1})


@blueprint.get("/v2.0/quotas")
def list_quotas():
    common.authorize("context_is_admin")
    return {"quotas": common.service().quotas.list()}


@blueprint.get("/v2.0/quotas/<project_id>")
def show_quota(project_id):
    common.authorize("get_quota", _target(project_id))
    return {"quota": common.service().quotas.get(project_id)}


@blueprint.get("/v2.0/quotas/<project_id>/default")
def show_default(project_id):
    common.authorize("get_quota", _target(project_id))
    return {"quota": common.service().quotas.defaults()}


@blueprint.get("/v2.0/quotas/<project_id>/details")
def show_details(project_id):
    common.authorize("get_quota", _target(project_id))
    return {"quota": common.service().quotas.details(project_id)}


@blueprint.put("/v2.0/quotas/<project_id>")
def update_quota(project_id):
    body = common.body().get("quota")
    if not isinstance(body, dict):
        raise exception.HTTPBadRequest(msg="Unable to find 'quota' in request body")
    unknown = [name for name in body if name not in RESOURCES]
    if unknown:
        raise exception.HTTPBadRequest(msg=f"Unrecognized attribute(s) '{', '.join(unknown)}'")
    values = {name: _limit(name, value) for name, value in body.items()}
    common.authorize("update_quota", _target(project_id))
    return {"quota": common.service().quotas.update(project_id, values)}


@blueprint.delete("/v2.0/quotas/<project_id>")
def delete_quota(project_id):
    common.authorize("delete_quota", _target(project_id))
    common.service().quotas.delete(project_id)
    return common.no_content()


def _limit(name: str, value) -> int:
    try:
        return LIMIT.parse(value)
    except exception.HTTPBadRequest:
        raise exception.HTTPBadRequest(
            msg=f"Invalid input for {name}. Reason: '{value}' is not a valid quota limit; it "
                "must be an integer of -1 or more.")


def _target(project_id: str) -> dict:
    return {"project_id": project_id, "tenant_id": project_id}
