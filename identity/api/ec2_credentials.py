"""``/v3/users/{user_id}/credentials/OS-EC2``: Keystone's EC2 key pairs.

An EC2 credential is an ``ec2`` credential of :mod:`identity.credentials`
(id = SHA-256 of the access key) shown in the OS-EC2 shape: ``access``,
``secret``, ``tenant_id``, ``user_id``, ``trust_id``.
"""
import json

import flask

from identity import exception, models
from identity.api import common
from identity.api.application_credentials import refuse_restricted_app_cred

blueprint = flask.Blueprint("ec2_credentials", __name__,
                            url_prefix="/v3/users/<user_id>/credentials/OS-EC2")

CREATE = {"type": "object",
          "properties": {"tenant_id": {"type": "string", "minLength": 1, "maxLength": 64}},
          "required": ["tenant_id"]}


def ec2_view(credential: models.Credential, blob: str) -> dict:
    parsed = json.loads(blob)
    return {"user_id": credential.user_id, "tenant_id": credential.project_id,
            "access": parsed.get("access"), "secret": parsed.get("secret"),
            "trust_id": parsed.get("trust_id"),
            "links": {"self": f"{common.base_url()}/v3/users/{credential.user_id}"
                              f"/credentials/OS-EC2/{parsed.get('access')}"}}


def _target(user_id: str) -> dict:
    return {"credential": {"user_id": user_id}}


@blueprint.post("")
def create_ec2_credential(user_id):
    project_id = common.body(CREATE)["tenant_id"]
    ctx = common.authorize("ec2_create_credential", _target(user_id))
    refuse_restricted_app_cred(ctx)
    _check_delegated_scope(ctx, project_id)
    service = common.service()
    service.users.get_user(user_id)
    service.resources.get_project(project_id)
    created = service.credentials.create_ec2(
        user_id, project_id, app_cred_id=ctx.token_data.get("app_cred_id"))
    return common.created({"credential": ec2_view(*created)})


@blueprint.get("")
def list_ec2_credentials(user_id):
    ctx = common.authorize("ec2_list_credentials", _target(user_id))
    service = common.service()
    service.users.get_user(user_id)
    credentials = service.credentials.list({"user_id": user_id, "type": "ec2"})
    if ctx.token_data.get("app_cred_id"):
        # A delegated token reaches only the keys of its own project.
        credentials = [c for c in credentials if c[0].project_id == ctx.project_id]
    return common.collection("credentials", [ec2_view(*c) for c in credentials])


@blueprint.get("/<access>")
def get_ec2_credential(user_id, access):
    credential, blob = _get(user_id, access, "ec2_get_credential")
    return {"credential": ec2_view(credential, blob)}


@blueprint.delete("/<access>")
def delete_ec2_credential(user_id, access):
    credential, _ = _get(user_id, access, "ec2_delete_credential")
    common.service().credentials.delete(credential.id)
    return common.no_content()


def _get(user_id: str, access: str, action: str) -> tuple[models.Credential, str]:
    """The user's credential for ``access`` once the caller may ``action`` it.

    404 when the key does not exist or belongs to another user than the
    path's (checked after policy, so a caller learns nothing about keys it
    may not see); 403 when policy or a delegated token's scope forbids it.
    """
    credential, blob = common.service().credentials.get_ec2(access)
    ctx = common.authorize(action, _target(credential.user_id))
    if credential.user_id != user_id:
        raise exception.EntityNotFound(target="credential", id=access)
    _check_delegated_scope(ctx, credential.project_id)
    return credential, blob


def _check_delegated_scope(ctx, project_id: str | None) -> None:
    """A token made from an application credential reaches only its own project."""
    if ctx.token_data.get("app_cred_id") and project_id != ctx.project_id:
        raise exception.ForbiddenAction(
            action="credential project does not match the project scope of the "
                   "delegated token")
