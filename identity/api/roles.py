"""``/v3/roles`` (global and domain-specific), implied roles and ``/v3/role_inferences``."""
import flask

from identity import exception, models
from identity.api import common, schemas
from identity.api.views import role_view

blueprint = flask.Blueprint("roles", __name__, url_prefix="/v3")

OPTIONS = {"type": "object", "properties": {"immutable": {"type": ["boolean", "null"]}},
           "additionalProperties": False}
_PROPS = {"name": schemas.name(255), "description": schemas.DESCRIPTION,
          "domain_id": schemas.NULLABLE_ID, "options": OPTIONS}
CREATE = schemas.entity("role", _PROPS, required=("name",))
UPDATE = schemas.entity("role", _PROPS, min_properties=1)
FILTERS = ["name", "domain_id"]


def _roles():
    return common.service().roles


def _authorized_role(kind: str, role_id: str) -> models.Role:
    """Check ``<kind>_role`` (``<kind>_domain_role`` for a domain's role) before
    saying whether the role exists, as Keystone does; then 404 if it does not."""
    role = _roles().find_role(role_id)
    domain_id = None if role is None or role.domain_id == models.GLOBAL_ROLE \
        else role.domain_id
    action = f"{kind}_domain_role" if domain_id else f"{kind}_role"
    common.authorize(action, {"role": {"id": role_id, "domain_id": domain_id},
                              "domain_id": domain_id})
    if role is None:
        raise exception.EntityNotFound(target="role", id=role_id)
    return role


@blueprint.post("/roles")
def create_role():
    data = common.body(CREATE)["role"]
    domain_id = data.get("domain_id")
    common.authorize("create_domain_role" if domain_id else "create_role",
                     {"role": {"domain_id": domain_id}, "domain_id": domain_id})
    return common.created({"role": role_view(_roles().create_role(data))})


@blueprint.get("/roles")
def list_roles():
    filters = common.query(FILTERS)
    action = "list_domain_roles" if filters.get("domain_id") else "list_roles"
    common.authorize(action, {"domain_id": filters.get("domain_id")})
    return common.collection("roles", [role_view(r) for r in _roles().list_roles(filters)])


@blueprint.get("/roles/<role_id>")
def get_role(role_id):
    return {"role": role_view(_authorized_role("get", role_id))}


@blueprint.patch("/roles/<role_id>")
def update_role(role_id):
    changes = common.body(UPDATE)["role"]
    _authorized_role("update", role_id)
    return {"role": role_view(_roles().update_role(role_id, changes))}


@blueprint.delete("/roles/<role_id>")
def delete_role(role_id):
    _authorized_role("delete", role_id)
    _roles().delete_role(role_id)
    return common.no_content()


# -- implied roles ---------------------------------------------------------------

def _rule_target(prior_id: str, implied_id: str | None = None) -> dict:
    target = {"prior_role": {"id": prior_id}}
    if implied_id is not None:
        target["implied_role"] = {"id": implied_id}
    return target


@blueprint.get("/roles/<prior_id>/implies")
def list_implied_roles(prior_id):
    common.authorize("list_implied_roles", _rule_target(prior_id))
    prior, implied = _roles().list_implied_roles(prior_id)
    return {"role_inference": {"prior_role": _brief(prior),
                               "implies": [_brief(r) for r in implied]},
            "links": {"self": _url(f"/roles/{prior_id}/implies")}}


@blueprint.put("/roles/<prior_id>/implies/<implied_id>")
def create_implied_role(prior_id, implied_id):
    common.authorize("create_implied_role", _rule_target(prior_id, implied_id))
    return common.created(_inference(*_roles().create_implied_role(prior_id, implied_id)))


@blueprint.get("/roles/<prior_id>/implies/<implied_id>")
def get_implied_role(prior_id, implied_id):
    """GET shows the rule; HEAD answers 204 when it exists (Keystone's contract)."""
    head = flask.request.method == "HEAD"
    common.authorize("check_implied_role" if head else "get_implied_role",
                     _rule_target(prior_id, implied_id))
    pair = _roles().get_implied_role(prior_id, implied_id)
    return common.no_content() if head else _inference(*pair)


@blueprint.delete("/roles/<prior_id>/implies/<implied_id>")
def delete_implied_role(prior_id, implied_id):
    common.authorize("delete_implied_role", _rule_target(prior_id, implied_id))
    _roles().delete_implied_role(prior_id, implied_id)
    return common.no_content()


@blueprint.get("/role_inferences")
def list_role_inferences():
    common.authorize("list_role_inference_rules")
    return {"role_inferences": [
        {"prior_role": _brief(prior), "implies": [_brief(r) for r in implied]}
        for prior, implied in _roles().list_role_inferences()]}


def _inference(prior: models.Role, implied: models.Role) -> dict:
    return {"role_inference": {"prior_role": _brief(prior), "implies": _brief(implied)},
            "links": {"self": _url(f"/roles/{prior.id}/implies/{implied.id}")}}


def _brief(role: models.Role) -> dict:
    return {"id": role.id, "links": common.self_link("roles", role.id), "name": role.name}


def _url(path: str) -> str:
    return f"{common.base_url()}/v3{path}"
