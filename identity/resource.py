"""Domains and projects (a domain is a project with ``is_domain``), and project tags."""
import uuid

import sqlalchemy as sa

from identity import exception, models
from identity.database import IdentityDatabase
from identity.tokens import revoke

_PROJECT_FIELDS = ("name", "description", "enabled")


class Resources:
    """The rules for domains and projects.

    Guarantees: names are unique within a domain (409 otherwise); a domain
    must be disabled before it is deleted; a project with children is not
    deleted unless ``cascade``; disabling or deleting a project or domain
    revokes the tokens scoped to it.
    """

    def __init__(self, db: IdentityDatabase, notifier=None):
        self.db = db
        self.notifier = notifier

    # -- domains -----------------------------------------------------------

    def create_domain(self, data: dict, domain_id: str | None = None) -> models.Project:
        data = dict(data)
        data.pop("is_domain", None)
        return self._create(data, domain_id or uuid.uuid4().hex, is_domain=True)

    def get_domain(self, domain_id: str) -> models.Project:
        with self.db.reader() as session:
            return self._get(session, domain_id, is_domain=True)

    def get_domain_by_name(self, name: str) -> models.Project:
        with self.db.reader() as session:
            domain = session.execute(sa.select(models.Project).where(
                models.Project.domain_id == models.ROOT_DOMAIN,
                models.Project.name == name)).scalar_one_or_none()
        if domain is None:
            raise exception.EntityNotFound(target="domain", id=name)
        return domain

    def list_domains(self, filters: dict) -> list[models.Project]:
        return self._list(filters, is_domain=True)

    def update_domain(self, domain_id: str, changes: dict) -> models.Project:
        return self._update(domain_id, changes, is_domain=True)

    def delete_domain(self, domain_id: str) -> None:
        def delete(session):
            domain = self._get(session, domain_id, is_domain=True)
            if domain.enabled:
                raise exception.Forbidden(
                    "Cannot delete a domain that is enabled, please disable it first.")
            for table in (models.User, models.Group):
                session.execute(sa.delete(table).where(table.domain_id == domain_id))
            session.execute(sa.delete(models.Role).where(models.Role.domain_id == domain_id))
            projects = session.execute(sa.select(models.Project.id).where(
                models.Project.domain_id == domain_id)).scalars().all()
            for project_id in [*projects, domain_id]:
                _forget_target(session, project_id)
            session.execute(sa.delete(models.Project).where(
                models.Project.domain_id == domain_id))
            session.delete(domain)
        self.db.write(delete)

    # -- projects ----------------------------------------------------------

    def create_project(self, data: dict) -> models.Project:
        data = dict(data)
        if data.pop("is_domain", False):
            if data.get("parent_id") or data.get("domain_id"):
                raise exception.ValidationError(
                    field="is_domain",
                    detail="a domain cannot have a parent or a domain")
            data.pop("parent_id", None)
            data.pop("domain_id", None)
            return self._create(data, uuid.uuid4().hex, is_domain=True)
        return self._create(data, uuid.uuid4().hex, is_domain=False)

    def get_project(self, project_id: str) -> models.Project:
        """A project, or a domain seen through the projects API (as Keystone does)."""
        with self.db.reader() as session:
            return self._get(session, project_id, is_domain=None)

    def find_project(self, project_id: str) -> models.Project | None:
        """A project or domain by id, or None."""
        with self.db.reader() as session:
            return session.get(models.Project, project_id)

    def get_project_by_name(self, name: str, domain_id: str) -> models.Project:
        with self.db.reader() as session:
            project = session.execute(sa.select(models.Project).where(
                models.Project.domain_id == domain_id,
                models.Project.name == name)).scalar_one_or_none()
        if project is None:
            raise exception.EntityNotFound(target="project", id=name)
        return project

    def list_projects(self, filters: dict) -> list[models.Project]:
        if filters.get("is_domain"):
            return self._list(filters, is_domain=True)
        return self._list(filters, is_domain=False)

    def update_project(self, project_id: str, changes: dict) -> models.Project:
        return self._update(project_id, changes,
                            is_domain=self.get_project(project_id).is_domain)

    def delete_project(self, project_id: str, cascade: bool = False) -> None:
        if self.get_project(project_id).is_domain:
            self.delete_domain(project_id)
            return

        def delete(session):
            project = self._get(session, project_id, is_domain=False)
            subtree = _subtree_ids(session, project.id)
            if subtree and not cascade:
                raise exception.Forbidden(
                    f"Cannot delete the project {project_id} since it is not a leaf "
                    "in the hierarchy. Use the cascade option if you want to delete "
                    "a whole subtree.")
            for child_id in [*subtree, project.id]:
                _forget_target(session, child_id)
                session.execute(sa.delete(models.Project).where(
                    models.Project.id == child_id))
        self.db.write(delete)
        self._notify("project", "deleted", project_id)

    def parents(self, project_id: str) -> list[models.Project]:
        """Ancestors of a project, nearest first, up to (not including) its domain."""
        with self.db.reader() as session:
            result = []
            project = session.get(models.Project, project_id)
            while project is not None and project.parent_id:
                parent = session.get(models.Project, project.parent_id)
                if parent is None or parent.is_domain:
                    break
                result.append(parent)
                project = parent
            return result

    def subtree(self, project_id: str) -> list[models.Project]:
        with self.db.reader() as session:
            ids = _subtree_ids(session, project_id)
            if not ids:
                return []
            return list(session.execute(sa.select(models.Project).where(
                models.Project.id.in_(ids))).scalars())

    # -- tags --------------------------------------------------------------

    def set_tags(self, project_id: str, tags: list[str]) -> models.Project:
        return self._update(project_id, {"tags": tags}, is_domain=False)

    def add_tag(self, project_id: str, tag: str) -> None:
        def add(session):
            project = self._get(session, project_id, is_domain=False)
            names = [t.name for t in project.tags]
            if tag not in names:
                if len(names) >= 80:
                    raise exception.ValidationError(
                        field="tags", detail="a project holds at most 80 tags")
                project.tags.append(models.ProjectTag(name=tag))
        self.db.write(add)

    def remove_tag(self, project_id: str, tag: str) -> None:
        def remove(session):
            project = self._get(session, project_id, is_domain=False)
            kept = [t for t in project.tags if t.name != tag]
            if len(kept) == len(project.tags):
                raise exception.EntityNotFound(target="tag", id=tag)
            project.tags = kept
        self.db.write(remove)

    # -- shared ------------------------------------------------------------

    def _create(self, data: dict, entity_id: str, is_domain: bool) -> models.Project:
        kind = "domain" if is_domain else "project"

        def create(session):
            if is_domain:
                domain_id, parent_id = models.ROOT_DOMAIN, None
            else:
                domain_id, parent_id = self._placement(session, data)
            duplicate = session.execute(sa.select(models.Project.id).where(
                models.Project.domain_id == domain_id,
                models.Project.name == data["name"])).first()
            if duplicate:
                raise exception.Duplicate(
                    type=kind, details=f"Duplicate entry found with name {data['name']}"
                    + ("" if is_domain else f" at domain ID {domain_id}") + ".")
            known = {k: data[k] for k in _PROJECT_FIELDS if k in data}
            extra = {k: v for k, v in data.items()
                     if k not in (*_PROJECT_FIELDS, "tags", "domain_id", "parent_id", "id")}
            project = models.Project(
                id=entity_id, domain_id=domain_id, parent_id=parent_id,
                is_domain=is_domain, extra=extra, **known,
                tags=[models.ProjectTag(name=t) for t in data.get("tags") or []])
            session.add(project)
            session.flush()
            return project
        project = self.db.write(create)
        self._notify(kind, "created", project.id)
        return project

    def _placement(self, session, data: dict) -> tuple[str, str]:
        """(domain_id, parent_id) for a new project, checking both exist."""
        parent_id = data.get("parent_id")
        domain_id = data.get("domain_id")
        if parent_id:
            parent = session.get(models.Project, parent_id)
            if parent is None:
                raise exception.ValidationError(
                    field="parent_id", detail=f"project {parent_id} does not exist")
            parent_domain = parent.id if parent.is_domain else parent.domain_id
            if domain_id and domain_id != parent_domain:
                raise exception.ValidationError(
                    field="parent_id",
                    detail="a project must be in the same domain as its parent")
            return parent_domain, parent.id
        domain = session.get(models.Project, domain_id) if domain_id else None
        if domain is None or not domain.is_domain:
            raise exception.ValidationError(
                field="domain_id", detail=f"domain {domain_id} does not exist")
        return domain.id, domain.id

    def _get(self, session, entity_id: str, is_domain: bool | None) -> models.Project:
        """The project or domain (``is_domain`` None: either); 404 if missing."""
        project = session.get(models.Project, entity_id)
        if project is None or is_domain is not None and project.is_domain != is_domain:
            raise exception.EntityNotFound(
                target="domain" if is_domain else "project", id=entity_id)
        return project

    def _list(self, filters: dict, is_domain: bool) -> list[models.Project]:
        p = models.Project
        query = sa.select(p).where(p.is_domain == is_domain).order_by(p.name)
        for key in ("name", "domain_id", "parent_id"):
            if filters.get(key) is not None:
                query = query.where(getattr(p, key) == filters[key])
        if filters.get("enabled") is not None:
            query = query.where(p.enabled == filters["enabled"])
        if filters.get("ids") is not None:
            query = query.where(p.id.in_(filters["ids"]))
        query = _tag_filters(query, filters)
        with self.db.reader() as session:
            return list(session.execute(query).scalars())

    def _update(self, entity_id: str, changes: dict, is_domain: bool) -> models.Project:
        kind = "domain" if is_domain else "project"

        def update(session):
            project = self._get(session, entity_id, is_domain)
            for key in ("domain_id", "parent_id", "is_domain"):
                if key in changes and changes[key] != getattr(project, key):
                    raise exception.ValidationError(
                        field=key, detail=f"the {kind}'s {key} cannot be changed")
            if "name" in changes and changes["name"] != project.name:
                clash = session.execute(sa.select(models.Project.id).where(
                    models.Project.domain_id == project.domain_id,
                    models.Project.name == changes["name"])).first()
                if clash:
                    raise exception.Duplicate(
                        type=kind,
                        details=f"Duplicate entry found with name {changes['name']}.")
            for key in _PROJECT_FIELDS:
                if key in changes:
                    setattr(project, key, changes[key])
            if "tags" in changes:
                project.tags = [models.ProjectTag(name=t) for t in changes["tags"] or []]
            extra = {k: v for k, v in changes.items()
                     if k not in (*_PROJECT_FIELDS, "tags", "domain_id", "parent_id",
                                  "is_domain", "id")}
            if extra:
                project.extra = {**project.extra, **extra}
            if changes.get("enabled") is False:
                field = "domain_id" if is_domain else "project_id"
                revoke.add_event(session, **{field: project.id})
            session.flush()
            return project
        project = self.db.write(update)
        self._notify(kind, "updated", entity_id)
        return project

    def _notify(self, resource: str, action: str, resource_id: str) -> None:
        if self.notifier is not None:
            self.notifier.resource_event(resource, action, resource_id)


def _subtree_ids(session, project_id: str) -> list[str]:
    result, frontier = [], [project_id]
    while frontier:
        children = session.execute(sa.select(models.Project.id).where(
            models.Project.parent_id.in_(frontier),
            models.Project.is_domain.is_(False))).scalars().all()
        result.extend(children)
        frontier = children
    return result


def _forget_target(session, target_id: str) -> None:
    """Drop what refers to a project or domain about to be deleted."""
    session.execute(sa.delete(models.Assignment).where(
        models.Assignment.target_id == target_id))
    session.execute(sa.delete(models.ApplicationCredential).where(
        models.ApplicationCredential.project_id == target_id))
    revoke.add_event(session, project_id=target_id)
    revoke.add_event(session, domain_id=target_id)


def _tag_filters(query, filters: dict):
    tag = models.ProjectTag
    p = models.Project

    def has(name):
        return sa.exists().where(tag.project_id == p.id, tag.name == name)

    if filters.get("tags"):
        for name in filters["tags"].split(","):
            query = query.where(has(name))
    if filters.get("tags-any"):
        query = query.where(sa.or_(*[has(n) for n in filters["tags-any"].split(",")]))
    if filters.get("not-tags"):
        query = query.where(~sa.and_(*[has(n) for n in filters["not-tags"].split(",")]))
    if filters.get("not-tags-any"):
        query = query.where(~sa.or_(*[has(n) for n in filters["not-tags-any"].split(",")]))
    return query


