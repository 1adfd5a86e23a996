"""``/v3/projects`` and project tags."""
import flask

from identity import exception
from identity.api import common, schemas
from identity.api.views import project_view
from stratus.wsgi import validation

blueprint = flask.Blueprint("projects", __name__, url_prefix="/v3/projects")

_PROPS = {"name": schemas.name(64), "description": schemas.DESCRIPTION,
          "enabled": schemas.BOOLEAN, "tags": schemas.TAGS, "domain_id": schemas.NULLABLE_ID,
          "parent_id": schemas.NULLABLE_ID, "is_domain": schemas.BOOLEAN,
          "options": {"type": "object"}}
CREATE = schemas.entity("project", _PROPS, required=("name",))
UPDATE = schemas.entity("project", _PROPS, min_properties=1)
TAGS = {"type": "object", "properties": {"tags": schemas.TAGS}, "required": ["tags"],
        "additionalProperties": False}
FILTERS = ["name", "domain_id", "enabled", "parent_id", "is_domain", "tags", "tags-any",
           "not-tags", "not-tags-any"]


def _target(project_id: str) -> dict:
    project = common.service().resources.get_project(project_id)
    return {"project": {"id": project.id, "domain_id": project.domain_id}}, project


@blueprint.post("")
def create_project():
    data = common.body(CREATE)["project"]
    ctx = common.context()
    if not data.get("domain_id") and not data.get("parent_id") and not data.get("is_domain"):
        data["domain_id"] = ctx.domain_id or ctx.user_domain_id or \
            common.service().conf.identity.default_domain_id
    data.pop("options", None)
    common.authorize("create_project", {"project": {"domain_id": data.get("domain_id")}})
    return common.created({"project": project_view(
        common.service().resources.create_project(data))})


@blueprint.get("")
def list_projects():
    filters = common.query(FILTERS, bools=["enabled", "is_domain"])
    common.authorize("list_projects", {"domain_id": filters.get("domain_id")})
    projects = common.service().resources.list_projects(filters)
    return common.collection("projects", [project_view(p) for p in projects])


@blueprint.get("/<project_id>")
def get_project(project_id):
    # Clients repeat their list filters here (?domain_id=…); like Keystone, ignore them.
    args = flask.request.args
    target, project = _target(project_id)
    common.authorize("get_project", target)
    view = project_view(project)
    resources = common.service().resources
    if "parents_as_list" in args:
        view["parents"] = [{"project": project_view(p)} for p in resources.parents(project_id)]
    if "subtree_as_list" in args:
        view["subtree"] = [{"project": project_view(p)} for p in resources.subtree(project_id)]
    if "parents_as_ids" in args:
        view["parents"] = _nested_ids([p.id for p in resources.parents(project_id)])
    if "subtree_as_ids" in args:
        view["subtree"] = _subtree_ids(resources.subtree(project_id), project_id)
    return {"project": view}


@blueprint.patch("/<project_id>")
def update_project(project_id):
    changes = common.body(UPDATE)["project"]
    target, _ = _target(project_id)
    common.authorize("update_project", target)
    changes.pop("options", None)
    return {"project": project_view(
        common.service().resources.update_project(project_id, changes))}


@blueprint.delete("/<project_id>")
def delete_project(project_id):
    target, _ = _target(project_id)
    common.authorize("delete_project", target)
    common.service().resources.delete_project(project_id)
    return common.no_content()


@blueprint.get("/<project_id>/tags")
def list_tags(project_id):
    target, project = _target(project_id)
    common.authorize("list_project_tags", target)
    return {"tags": [t.name for t in project.tags]}


@blueprint.put("/<project_id>/tags")
def replace_tags(project_id):
    tags = common.body(TAGS)["tags"]
    target, _ = _target(project_id)
    common.authorize("update_project_tags", target)
    project = common.service().resources.set_tags(project_id, tags)
    return {"tags": [t.name for t in project.tags]}


@blueprint.delete("/<project_id>/tags")
def delete_tags(project_id):
    target, _ = _target(project_id)
    common.authorize("delete_project_tags", target)
    common.service().resources.set_tags(project_id, [])
    return common.no_content()


@blueprint.get("/<project_id>/tags/<tag>")
def check_tag(project_id, tag):
    target, project = _target(project_id)
    common.authorize("get_project_tag", target)
    if tag not in [t.name for t in project.tags]:
        raise exception.EntityNotFound(target="tag", id=tag)
    return common.no_content()


@blueprint.put("/<project_id>/tags/<tag>")
def add_tag(project_id, tag):
    validation.validate(tag, schemas.TAG)
    target, _ = _target(project_id)
    common.authorize("create_project_tag", target)
    common.service().resources.add_tag(project_id, tag)
    response = flask.make_response("", 201)
    response.headers["Location"] = f"{common.base_url()}/v3/projects/{project_id}/tags/{tag}"
    return response


@blueprint.delete("/<project_id>/tags/<tag>")
def delete_tag(project_id, tag):
    target, _ = _target(project_id)
    common.authorize("delete_project_tag", target)
    common.service().resources.remove_tag(project_id, tag)
    return common.no_content()


def _nested_ids(ids: list[str]) -> dict | None:
    """Keystone's nested {id: {parent_id: ...}} form, nearest first."""
    nested = None
    for project_id in reversed(ids):
        nested = {project_id: nested}
    return nested


def _subtree_ids(projects, root_id: str) -> dict | None:
    children: dict[str, list[str]] = {}
    for p in projects:
        children.setdefault(p.parent_id, []).append(p.id)

    def build(pid):
        kids = children.get(pid)
        return {kid: build(kid) for kid in kids} if kids else None
    return build(root_id)
