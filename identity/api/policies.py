"""``/v3/policies``: policy blobs kept for other services (Keystone's policy API)."""
import flask

from identity import models, policy_blobs
from identity.api import common, schemas

blueprint = flask.Blueprint("policies", __name__, url_prefix="/v3/policies")

_PROPS = {"blob": {"type": "string", "maxLength": 65535},
          "type": {"type": "string", "maxLength": 255}}
CREATE = schemas.entity("policy", _PROPS, required=("blob", "type"))
UPDATE = schemas.entity("policy", _PROPS, min_properties=1)


def policy_view(policy: models.Policy) -> dict:
    return {**policy.extra, "id": policy.id, "type": policy.type, "blob": policy.blob,
            "links": common.self_link("policies", policy.id)}


def _manager() -> policy_blobs.PolicyBlobs:
    return common.service().policy_blobs


@blueprint.post("")
def create_policy():
    data = common.body(CREATE)["policy"]
    common.authorize("create_policy")
    return common.created({"policy": policy_view(_manager().create(data))})


@blueprint.get("")
def list_policies():
    filters = common.query(["type"])
    common.authorize("list_policies")
    return common.collection("policies", [policy_view(p) for p in _manager().list(filters)])


@blueprint.get("/<policy_id>")
def get_policy(policy_id):
    common.authorize("get_policy")
    return {"policy": policy_view(_manager().get(policy_id))}


@blueprint.patch("/<policy_id>")
def update_policy(policy_id):
    changes = common.body(UPDATE)["policy"]
    common.authorize("update_policy")
    return {"policy": policy_view(_manager().update(policy_id, changes))}


@blueprint.delete("/<policy_id>")
def delete_policy(policy_id):
    common.authorize("delete_policy")
    _manager().delete(policy_id)
    return common.no_content()
