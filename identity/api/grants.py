"""Role grants: on projects and domains (``/v3/{projects,domains}/{id}/{users,groups}/
{id}/roles``), inherited to projects (``/v3/OS-INHERIT/...``) and on the system
(``/v3/system/{users,groups}/{id}/roles``). PUT, HEAD/GET (check) and DELETE
answer 204; listing answers ``{"roles": [...]}``.
"""
import typing

import flask

from identity.api import common
from identity.api.views import role_view

blueprint = flask.Blueprint("grants", __name__, url_prefix="/v3")

_ON = "<any(projects, domains):targets>/<target_id>/<any(users, groups):actors>/<actor_id>"
_SYSTEM = "/system/<any(users, groups):actors>/<actor_id>/roles"
GRANT = f"/{_ON}/roles/<role_id>"
GRANTS = f"/{_ON}/roles"
INHERITED = f"/OS-INHERIT/{_ON}/roles/<role_id>/inherited_to_projects"
INHERITED_LIST = ("/OS-INHERIT/<any(domains):targets>/<target_id>/<any(users, groups):actors>"
                  "/<actor_id>/roles/inherited_to_projects")


class Grant(typing.NamedTuple):
    """One grant as a URL names it; ``role_id`` is None for a listing."""

    actor: str
    actor_id: str
    target: str
    target_id: str
    role_id: str | None = None
    inherited: bool = False

    @classmethod
    def from_url(cls, targets: str, target_id: str, actors: str, actor_id: str,
                 role_id: str | None = None, inherited: bool = False) -> "Grant":
        return cls(actors[:-1], actor_id, targets[:-1], target_id, role_id, inherited)

    def authorize(self, verb: str) -> None:
        """One policy check: ``<verb>_grant`` (``list_grants``), or the system
        variants such as ``create_system_grant_for_user``."""
        if self.target == "system":
            action = f"{verb}_system_grant{'s' if verb == 'list' else ''}_for_{self.actor}"
        else:
            action = "list_grants" if verb == "list" else f"{verb}_grant"
        common.authorize(action, common.service().role_assignments.grant_target(
            self.role_id, self.actor, self.actor_id, self.target, self.target_id))


def _create(grant: Grant):
    grant.authorize("create")
    common.service().role_assignments.check_assignable(grant.role_id, grant.target, grant.target_id)
    common.service().assignments.create_grant(
        grant.role_id, grant.actor, grant.actor_id, grant.target, grant.target_id,
        grant.inherited)
    return common.no_content()


def _check(grant: Grant):
    grant.authorize("check")
    common.service().assignments.check_grant(
        grant.role_id, grant.actor, grant.actor_id, grant.target, grant.target_id,
        grant.inherited)
    return common.no_content()


def _revoke(grant: Grant):
    grant.authorize("revoke")
    common.service().assignments.delete_grant(
        grant.role_id, grant.actor, grant.actor_id, grant.target, grant.target_id,
        grant.inherited)
    return common.no_content()


def _list(grant: Grant):
    grant.authorize("list")
    roles = common.service().assignments.list_grants(
        grant.actor, grant.actor_id, grant.target, grant.target_id, grant.inherited)
    return common.collection("roles", [role_view(r) for r in roles])


@blueprint.put(GRANT)
def create_grant(**parts):
    return _create(Grant.from_url(**parts))


@blueprint.get(GRANT)
def check_grant(**parts):
    return _check(Grant.from_url(**parts))


@blueprint.delete(GRANT)
def revoke_grant(**parts):
    return _revoke(Grant.from_url(**parts))


@blueprint.get(GRANTS)
def list_grants(**parts):
    return _list(Grant.from_url(**parts))


@blueprint.put(INHERITED)
def create_inherited_grant(**parts):
    return _create(Grant.from_url(**parts, inherited=True))


@blueprint.get(INHERITED)
def check_inherited_grant(**parts):
    return _check(Grant.from_url(**parts, inherited=True))


@blueprint.delete(INHERITED)
def revoke_inherited_grant(**parts):
    return _revoke(Grant.from_url(**parts, inherited=True))


@blueprint.get(INHERITED_LIST)
def list_inherited_grants(**parts):
    return _list(Grant.from_url(**parts, inherited=True))


@blueprint.put(f"{_SYSTEM}/<role_id>")
def create_system_grant(actors, actor_id, role_id):
    return _create(Grant.from_url("systems", "system", actors, actor_id, role_id))


@blueprint.get(f"{_SYSTEM}/<role_id>")
def check_system_grant(actors, actor_id, role_id):
    return _check(Grant.from_url("systems", "system", actors, actor_id, role_id))


@blueprint.delete(f"{_SYSTEM}/<role_id>")
def revoke_system_grant(actors, actor_id, role_id):
    return _revoke(Grant.from_url("systems", "system", actors, actor_id, role_id))


@blueprint.get(_SYSTEM)
def list_system_grants(actors, actor_id):
    return _list(Grant.from_url("systems", "system", actors, actor_id))
