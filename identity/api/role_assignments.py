"""``GET /v3/role_assignments``: who holds which role where."""
import dataclasses

import flask

from identity import exception
from identity.api import common
from identity.role_assignments import Filters, RoleAssignment

blueprint = flask.Blueprint("role_assignments", __name__, url_prefix="/v3")

FILTERS = ["user.id", "group.id", "role.id", "scope.project.id", "scope.domain.id",
           "scope.system", "scope.OS-INHERIT:inherited_to", "effective", "include_names",
           "include_subtree"]
_EXCLUSIVE = [("scope.domain.id", "scope.project.id", "Specify a domain or project, not both"),
              ("scope.domain.id", "scope.system", "Specify system or domain, not both"),
              ("scope.project.id", "scope.system", "Specify system or project, not both"),
              ("user.id", "group.id", "Specify a user or group, not both")]


@blueprint.get("/role_assignments")
def list_role_assignments():
    args = common.query(FILTERS)
    filters = _authorize(args, _filters(args))
    found = common.service().role_assignments.list_assignments(filters)
    return common.collection("role_assignments", [assignment_view(a) for a in found])


def _authorize(args: dict, filters: Filters) -> Filters:
    """One policy check, as Keystone makes it: ``list_role_assignments_for_tree``
    against the project for include_subtree; otherwise ``list_role_assignments``
    against the filtered user and domain, where a domain-scoped caller is
    checked against its own domain and then sees only that domain's
    assignments."""
    if filters.include_subtree:
        target = {}
        if filters.project_id:
            project = common.service().resources.get_project(filters.project_id)
            target = {"project": {"id": project.id, "domain_id": project.domain_id},
                      "domain_id": project.domain_id}
        common.authorize("list_role_assignments_for_tree", target)
        if not filters.project_id:
            raise exception.ValidationError(
                "scope.project.id must be specified if include_subtree is also specified")
        return filters
    ctx = common.context()
    target = {"domain_id": ctx.domain_id or args.get("scope.domain.id"),
              "user": {"id": args.get("user.id")}}
    common.authorize("list_role_assignments", target)
    if ctx.domain_id:
        return dataclasses.replace(filters, within_domain=ctx.domain_id)
    return filters


def _filters(args: dict) -> Filters:
    """Keystone's reading of the query: flags are true unless given as ``0``;
    combinations that can only be empty or ambiguous are 400."""
    for first, second, message in _EXCLUSIVE:
        if args.get(first) and args.get(second):
            raise exception.ValidationError(message)
    effective = _flag(args, "effective")
    inherited = None
    if "scope.OS-INHERIT:inherited_to" in args:
        inherited = args["scope.OS-INHERIT:inherited_to"] == "projects"
    if effective and args.get("group.id"):
        raise exception.ValidationError(
            "Combining effective and group filter will always result in an empty list.")
    if effective and inherited and args.get("scope.domain.id"):
        raise exception.ValidationError(
            "Combining effective, domain and inherited filters will always result in "
            "an empty list.")
    return Filters(role_id=args.get("role.id"), user_id=args.get("user.id"),
                   group_id=args.get("group.id"), project_id=args.get("scope.project.id"),
                   domain_id=args.get("scope.domain.id"),
                   system=args.get("scope.system") == "all", inherited=inherited,
                   effective=effective, include_subtree=_flag(args, "include_subtree"),
                   include_names=_flag(args, "include_names"))


def _flag(args: dict, name: str) -> bool:
    return name in args and args[name] != "0"


def assignment_view(found: RoleAssignment) -> dict:
    """Keystone's shape: ``scope``, ``user``/``group``, ``role`` and ``links``,
    where ``links.assignment`` is the grant's own URL (the inherited grant or
    the group grant it derives from) and ``links.membership`` /
    ``links.prior_role`` explain a derived assignment."""
    names = found.names
    links: dict = {}
    view: dict = {"links": links}
    path = _scope(view, found, names)
    if found.user_id:
        view["user"] = {"id": found.user_id, **names.get("user", {})}
        group_id = found.indirect.get("group_id")
        if group_id:
            links["membership"] = _url(f"/groups/{group_id}/users/{found.user_id}")
            path += f"/groups/{group_id}"
        else:
            path += f"/users/{found.user_id}"
    else:
        view["group"] = {"id": found.group_id, **names.get("group", {})}
        path += f"/groups/{found.group_id}"
    view["role"] = {"id": found.role_id, **names.get("role", {})}
    prior_id = found.indirect.get("role_id")
    path += f"/roles/{prior_id or found.role_id}"
    if found.inherited or "project_id" in found.indirect or "domain_id" in found.indirect:
        view["scope"]["OS-INHERIT:inherited_to"] = "projects"
        path = f"/OS-INHERIT{path}/inherited_to_projects"
    links["assignment"] = _url(path)
    if prior_id:
        # Keystone's wire format names the implied role first here.
        links["prior_role"] = _url(f"/prior_role/{found.role_id}/implies/{prior_id}")
    return view


def _scope(view: dict, found: RoleAssignment, names: dict) -> str:
    """Fill ``view["scope"]``; return the start of the grant's path."""
    if found.project_id:
        view["scope"] = {"project": {"id": found.project_id, **names.get("project", {})}}
        if "domain_id" in found.indirect:
            return f"/domains/{found.indirect['domain_id']}"
        if "project_id" in found.indirect:
            return f"/projects/{found.indirect['project_id']}"
        return f"/projects/{found.project_id}"
    if found.domain_id:
        view["scope"] = {"domain": {"id": found.domain_id, **names.get("domain", {})}}
        return f"/domains/{found.domain_id}"
    view["scope"] = {"system": {"all": True}}
    return "/system"


def _url(path: str) -> str:
    return f"{common.base_url()}/v3{path}"
