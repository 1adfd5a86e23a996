"""``/v3/users/{user_id}/application_credentials``."""
import flask

from identity import exception, models
from identity.api import common, schemas

blueprint = flask.Blueprint("application_credentials", __name__,
                            url_prefix="/v3/users/<user_id>/application_credentials")

_ROLE = {"type": "object", "properties": {"id": schemas.ID, "name": schemas.name(255),
                                          "domain_id": schemas.NULLABLE_ID}}
_PROPS = {"name": schemas.name(255), "description": schemas.DESCRIPTION,
          "secret": {"type": ["string", "null"], "minLength": 1, "maxLength": 4096},
          "expires_at": {"type": ["string", "null"]},
          "roles": {"type": "array", "items": _ROLE},
          "unrestricted": {"type": ["boolean", "null"]},
          "access_rules": {"type": "array", "items": {"type": "object"}}}
CREATE = schemas.entity("application_credential", _PROPS, required=("name",))


def app_cred_view(cred: models.ApplicationCredential, roles: dict[str, models.Role],
                  secret: str | None = None) -> dict:
    view = {
        "id": cred.id, "name": cred.name, "description": cred.description,
        "project_id": cred.project_id,
        "expires_at": cred.expires_at.isoformat() if cred.expires_at else None,
        "unrestricted": cred.unrestricted, "access_rules": list(cred.access_rules),
        "roles": [_role_ref(roles[r]) for r in cred.roles if r in roles],
        "links": {"self": f"{common.base_url()}/v3/users/{cred.user_id}"
                          f"/application_credentials/{cred.id}"}}
    if secret is not None:
        view["secret"] = secret
    return view


def _role_ref(role: models.Role) -> dict:
    domain_id = None if role.domain_id == models.GLOBAL_ROLE else role.domain_id
    return {"id": role.id, "name": role.name, "domain_id": domain_id}


def refuse_restricted_app_cred(ctx) -> None:
    """A token from a restricted application credential manages no credentials
    (it would let a leaked credential mint new, longer-lived ones)."""
    info = ctx.token_data or {}
    if info.get("app_cred_id"):
        token_cred = info["body"]["token"].get("application_credential", {})
        if token_cred.get("restricted", True):
            raise exception.ForbiddenAction(
                action="using method 'application_credential' is not allowed for "
                       "managing additional application credentials")


@blueprint.post("")
def create_application_credential(user_id):
    ctx = common.authorize("create_application_credential", {"user_id": user_id})
    refuse_restricted_app_cred(ctx)
    data = common.body(CREATE)["application_credential"]
    app_creds = common.service().app_creds
    cred, secret = app_creds.create(user_id, ctx.project_id, data, ctx.token_data["role_ids"],
                                    system=ctx.system_scope)
    return common.created({"application_credential": app_cred_view(
        cred, app_creds.role_map([cred]), secret)})


@blueprint.get("")
def list_application_credentials(user_id):
    filters = common.query(["name"])
    common.authorize("list_application_credentials", {"user_id": user_id})
    app_creds = common.service().app_creds
    creds = app_creds.list(user_id, filters.get("name"))
    roles = app_creds.role_map(creds)
    return common.collection("application_credentials",
                             [app_cred_view(c, roles) for c in creds])


@blueprint.get("/<app_cred_id>")
def get_application_credential(user_id, app_cred_id):
    common.authorize("get_application_credential", {"user_id": user_id})
    app_creds = common.service().app_creds
    cred = app_creds.get(app_cred_id, user_id=user_id)
    return {"application_credential": app_cred_view(cred, app_creds.role_map([cred]))}


@blueprint.delete("/<app_cred_id>")
def delete_application_credential(user_id, app_cred_id):
    ctx = common.authorize("delete_application_credential", {"user_id": user_id})
    refuse_restricted_app_cred(ctx)
    common.service().app_creds.delete(app_cred_id, user_id=user_id)
    return common.no_content()
