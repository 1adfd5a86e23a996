"""``/v3/credentials``."""
import flask

from identity import exception, models
from identity.api import common, schemas
from identity.api.application_credentials import refuse_restricted_app_cred

blueprint = flask.Blueprint("credentials", __name__, url_prefix="/v3/credentials")

_PROPS = {"blob": {"type": "string", "maxLength": 65535},
          "type": {"type": "string", "minLength": 1, "maxLength": 255},
          "user_id": {"type": "string", "minLength": 1, "maxLength": 64},
          "project_id": schemas.NULLABLE_ID}
CREATE = schemas.entity("credential", _PROPS, required=("blob", "type", "user_id"))
UPDATE = schemas.entity("credential", _PROPS, min_properties=1)


def credential_view(credential: models.Credential, blob: str) -> dict:
    return {**credential.extra, "id": credential.id, "user_id": credential.user_id,
            "project_id": credential.project_id, "type": credential.type, "blob": blob,
            "links": common.self_link("credentials", credential.id)}


def _target(credential: models.Credential | dict) -> dict:
    """The policy target ``{"credential": {...}}`` for a row or a request body."""
    if isinstance(credential, models.Credential):
        credential = {"id": credential.id, "user_id": credential.user_id,
                      "project_id": credential.project_id}
    return {"credential": credential}


def _manager():
    manager = common.service().credentials
    if manager is None:
        raise exception.NotFound("Credentials are not available.")
    return manager


@blueprint.post("")
def create_credential():
    data = common.body(CREATE)["credential"]
    ctx = common.authorize("create_credential", _target(data))
    if data["type"].lower() == "ec2":
        refuse_restricted_app_cred(ctx)
    _check_delegated_scope(ctx, data.get("project_id"))
    created = _manager().create(data, app_cred_id=ctx.token_data.get("app_cred_id"))
    return common.created({"credential": credential_view(*created)})


@blueprint.get("")
def list_credentials():
    """Everyone may list; who may not see every credential sees only their own."""
    filters = common.query(["user_id", "type"])
    ctx = common.context()
    if not _sees_all(ctx):
        if filters.get("user_id", ctx.user_id) != ctx.user_id:
            return common.collection("credentials", [])
        filters["user_id"] = ctx.user_id
    common.authorize("list_credentials", _target({"user_id": filters.get("user_id")}))
    credentials = [c for c in _manager().list(filters) if _reachable(ctx, c[0])]
    return common.collection("credentials", [credential_view(*c) for c in credentials])


@blueprint.get("/<credential_id>")
def get_credential(credential_id):
    credential, blob = _manager().get(credential_id)
    ctx = common.authorize("get_credential", _target(credential))
    _check_delegated_scope(ctx, credential.project_id)
    return {"credential": credential_view(credential, blob)}


@blueprint.patch("/<credential_id>")
def update_credential(credential_id):
    changes = common.body(UPDATE)["credential"]
    current, _ = _manager().get(credential_id)
    ctx = common.authorize("update_credential", _target(current))
    _check_delegated_scope(ctx, current.project_id)
    # Also as the credential would be: nobody hands a credential to someone else
    # unless allowed to create one for them.
    common.authorize("update_credential", _target({**_target(current)["credential"],
                                                    **changes}))
    if changes.pop("id", credential_id) != credential_id:
        raise exception.ValidationError(field="credential/id", detail="cannot be changed")
    return {"credential": credential_view(*_manager().update(credential_id, changes))}


@blueprint.delete("/<credential_id>")
def delete_credential(credential_id):
    credential, _ = _manager().get(credential_id)
    ctx = common.authorize("delete_credential", _target(credential))
    _check_delegated_scope(ctx, credential.project_id)
    _manager().delete(credential_id)
    return common.no_content()


def _sees_all(ctx) -> bool:
    """Whether policy lets the caller list every user's credentials."""
    return common.service().enforcer.check("identity:list_credentials", ctx,
                                           _target({"user_id": None}))


def _reachable(ctx, credential: models.Credential) -> bool:
    """A token made from an application credential reaches only credentials of
    its own project: never a user's project-less secrets such as TOTP seeds
    (Keystone's rule for delegated tokens)."""
    return not ctx.token_data.get("app_cred_id") or credential.project_id == ctx.project_id


def _check_delegated_scope(ctx, project_id: str | None) -> None:
    if ctx.token_data.get("app_cred_id") and project_id != ctx.project_id:
        raise exception.ForbiddenAction(
            action="credential project does not match the project scope of the "
                   "delegated token")
