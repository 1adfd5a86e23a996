"""``/v3/domains``."""
import flask

from identity import exception
from identity.api import common, schemas
from identity.api.views import domain_view

blueprint = flask.Blueprint("domains", __name__, url_prefix="/v3/domains")

_PROPS = {"name": schemas.name(64), "description": schemas.DESCRIPTION,
          "enabled": schemas.BOOLEAN, "tags": schemas.TAGS,
          "options": {"type": "object"}, "explicit_domain_id": schemas.ID}
CREATE = schemas.entity("domain", _PROPS, required=("name",))
UPDATE = schemas.entity("domain", _PROPS, min_properties=1)


@blueprint.post("")
def create_domain():
    data = common.body(CREATE)["domain"]
    common.authorize("create_domain")
    data.pop("options", None)
    domain_id = data.pop("explicit_domain_id", None)
    return common.created({"domain": domain_view(
        common.service().resources.create_domain(data, domain_id))})


@blueprint.get("")
def list_domains():
    filters = common.query(["name", "enabled"], bools=["enabled"])
    common.authorize("list_domains")
    domains = common.service().resources.list_domains(filters)
    return common.collection("domains", [domain_view(d) for d in domains])


@blueprint.get("/<domain_id>")
def get_domain(domain_id):
    common.authorize("get_domain", {"domain": {"id": domain_id}})
    return {"domain": domain_view(common.service().resources.get_domain(domain_id))}


@blueprint.patch("/<domain_id>")
def update_domain(domain_id):
    changes = common.body(UPDATE)["domain"]
    common.authorize("update_domain", {"domain": {"id": domain_id}})
    if changes.pop("explicit_domain_id", None):
        raise exception.ValidationError(field="explicit_domain_id",
                                        detail="cannot be changed")
    changes.pop("options", None)
    return {"domain": domain_view(common.service().resources.update_domain(domain_id, changes))}


@blueprint.delete("/<domain_id>")
def delete_domain(domain_id):
    common.authorize("delete_domain", {"domain": {"id": domain_id}})
    common.service().resources.delete_domain(domain_id)
    return common.no_content()
