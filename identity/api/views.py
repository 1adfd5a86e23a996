"""How identity entities look in responses (Keystone's shapes)."""
from identity import models
from identity.api import common


def domain_view(domain: models.Project) -> dict:
    return {"id": domain.id, "name": domain.name, "description": domain.description or "",
            "enabled": domain.enabled, "tags": [t.name for t in domain.tags],
            "options": {}, **domain.extra, "links": common.self_link("domains", domain.id)}


def project_view(project: models.Project) -> dict:
    if project.is_domain:
        domain_id, parent_id = None, None
    else:
        domain_id, parent_id = project.domain_id, project.parent_id
    return {"id": project.id, "name": project.name, "domain_id": domain_id,
            "description": project.description or "", "enabled": project.enabled,
            "parent_id": parent_id, "is_domain": project.is_domain,
            "tags": [t.name for t in project.tags], "options": {}, **project.extra,
            "links": common.self_link("projects", project.id)}


def user_view(user: models.User) -> dict:
    view = {"id": user.id, "name": user.name, "domain_id": user.domain_id,
            "enabled": user.enabled, "password_expires_at": _iso(user.password_expires_at),
            "options": dict(user.options)}
    if user.default_project_id:
        view["default_project_id"] = user.default_project_id
    if user.description is not None:
        view["description"] = user.description
    view.update(user.extra)
    view["links"] = common.self_link("users", user.id)
    return view


def group_view(group: models.Group) -> dict:
    return {"id": group.id, "name": group.name, "domain_id": group.domain_id,
            "description": group.description, **group.extra,
            "links": common.self_link("groups", group.id)}


def role_view(role: models.Role) -> dict:
    view = {"id": role.id, "name": role.name,
            "domain_id": None if role.domain_id == models.GLOBAL_ROLE else role.domain_id,
            "description": role.description, "options": dict(role.options), **role.extra,
            "links": common.self_link("roles", role.id)}
    return view


def _iso(when) -> str | None:
    return when.strftime("%Y-%m-%dT%H:%M:%S.%f") if when else None
