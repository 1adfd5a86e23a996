"""Security groups: a project's named sets of rules that ports are in.

Visibility: an admin sees every group; anyone else their project's; any other
is :class:`SecurityGroupNotFound` (404).

Each project has one ``default`` group (see
:mod:`network.manager.default_security_groups`), made on first use: the
first list or show of groups by the project, the first port, group or rule
created for it, or an admin call naming it. It cannot be renamed, only an
admin may delete it, and no other group may be called ``default`` (409).
Every other new group comes with the two egress rules.

A group in use by a port cannot be deleted, nor switched between stateful
and stateless (409 SecurityGroupInUse). Deleting a group deletes its rules
and the rules of other groups naming it as their remote group.

Quotas: the default group and its rules count against the project's
``security_group`` and ``security_group_rule`` quotas but are never refused;
a group created through the API must fit both (one group, two rules).
"""
from __future__ import annotations

import sqlalchemy as sa

from network import database, exception, models
from network.manager import Caller, port_filters, query, security_group_rules, standard
from network.manager.dataplane import Dataplane
from network.manager.default_security_groups import (
    DEFAULT_NAME,
    EGRESS,
    default_group_id,
    ensure_default,
    insert_group,
    may_make_default,
)

TAGS = "security_groups"

COLUMNS = {
    "id": models.SecurityGroup.id, "name": models.SecurityGroup.name,
    "project_id": models.SecurityGroup.project_id,
    "description": models.SecurityGroup.description,
    "stateful": models.SecurityGroup.stateful,
    "created_at": models.SecurityGroup.created_at,
    "updated_at": models.SecurityGroup.updated_at,
    "revision_number": models.SecurityGroup.revision_number,
}


def not_found(group_id: str) -> exception.SecurityGroupNotFound:
    return exception.SecurityGroupNotFound(id=group_id)


def visible(caller: Caller) -> list:
    """SQL conditions selecting the groups ``caller`` sees."""
    if caller.is_admin:
        return []
    return [models.SecurityGroup.project_id == caller.project_id]


class SecurityGroups:
    listing = query.Listing(models.SecurityGroup, COLUMNS, not_found=not_found,
                            resource_type=TAGS)
    not_found = staticmethod(not_found)
    dataplane = Dataplane()  # the service sets the one that tells the agents

    def __init__(self, db, conf, quotas, notifier=None):
        self.db = db
        self.conf = conf
        self.quotas = quotas
        self.notifier = notifier

    # -- the default group ---------------------------------------------------

    def ensure_default(self, caller: Caller, project_id: str | None) -> str | None:
        """The id of ``project_id``'s default group, made now if it has none
        and the caller may make it (None otherwise)."""
        if not may_make_default(caller, project_id):
            return None
        with self.db.reader() as session:
            existing = default_group_id(session, project_id)
        if existing is not None:
            return existing
        return database.write(self.db, lambda session: ensure_default(session, project_id))

    # -- reading -----------------------------------------------------------

    def row(self, session, caller: Caller, group_id: str, lock: bool = False
            ) -> models.SecurityGroup:
        stmt = sa.select(models.SecurityGroup).where(models.SecurityGroup.id == group_id,
                                                     *visible(caller))
        if lock:
            stmt = stmt.with_for_update()
        group = session.scalars(stmt).first()
        if group is None:
            raise not_found(group_id)
        return group

    def get(self, caller: Caller, group_id: str) -> dict:
        self.ensure_default(caller, caller.project_id)
        with self.db.reader() as session:
            return self.views(session, [self.row(session, caller, group_id)])[0]

    def policy_target(self, caller: Caller, group_id: str) -> dict:
        """The ``security_group:*`` fields a rule's policy target carries."""
        with self.db.reader() as session:
            return parent_fields(self.row(session, caller, group_id))

    def list(self, caller: Caller, list_query: query.ListQuery) -> list[dict]:
        projects = list_query.filters.get("project_id") or [caller.project_id]
        self.ensure_default(caller, projects[0])
        with self.db.reader() as session:
            rows = self.listing.rows(session, list_query, visible(caller))
            return self.views(session, rows)

    def views(self, session, rows: list[models.SecurityGroup]) -> list[dict]:
        ids = [row.id for row in rows]
        tags = standard.load_tags(session, TAGS, ids)
        rules: dict[str, list[dict]] = {group_id: [] for group_id in ids}
        if ids:
            found = session.scalars(sa.select(models.SecurityGroupRule).where(
                models.SecurityGroupRule.security_group_id.in_(ids)).order_by(
                models.SecurityGroupRule.created_at, models.SecurityGroupRule.id)).all()
            for view in security_group_rules.views(session, found):
                rules[view["security_group_id"]].append(standard.public(view))
        return [_view(row, rules[row.id], tags[row.id]) for row in rows]

    # -- changing ----------------------------------------------------------

    def create_many(self, caller: Caller, items: list[dict]) -> list[dict]:
        """Create ``items`` (parsed POST bodies), each with the two egress rules,
        in one transaction, after the projects' default groups."""
        for item in items:
            _check_name(item.get("name", ""))

        def create(session):
            projects = {item["project_id"] for item in items}
            for project in projects:
                if may_make_default(caller, project):
                    ensure_default(session, project)
            for project in projects:
                count = sum(1 for item in items if item["project_id"] == project)
                self.quotas.check(session, project, "security_group", count)
                self.quotas.check(session, project, "security_group_rule",
                                  count * len(EGRESS))
            rows = []
            for item in items:
                row = insert_group(session, item["project_id"], item.get("name", ""),
                                   item.get("description", ""), item.get("stateful", True),
                                   EGRESS)
                if item.get("tags"):
                    standard.set_tags(session, TAGS, row.id, item["tags"])
                rows.append(row)
            session.flush()
            return self.views(session, rows)
        views = database.write(self.db, create)
        for view in views:
            standard.emit(self.notifier, "security_group.create.end", {"security_group": view})
        return views

    def update(self, caller: Caller, group_id: str, changes: dict,
               revision: int | None = None) -> dict:
        if "name" in changes:
            _check_name(changes["name"])

        def update(session):
            row = self.row(session, caller, group_id, lock=True)
            standard.check_revision(row, revision)
            if "name" in changes and row.name == DEFAULT_NAME:
                raise exception.SecurityGroupCannotUpdateDefault()
            if "stateful" in changes and changes["stateful"] != row.stateful \
                    and _in_use(session, group_id):
                raise exception.SecurityGroupInUse(id=group_id)
            for name in ("name", "description", "stateful"):
                if name in changes:
                    setattr(row, name, changes[name])
            standard.touch(row)
            session.flush()
            return self.views(session, [row])[0]
        view = self.db.write(update)
        standard.emit(self.notifier, "security_group.update.end", {"security_group": view})
        return view

    def delete(self, caller: Caller, group_id: str, revision: int | None = None) -> None:
        def delete(session):
            row = self.row(session, caller, group_id, lock=True)
            standard.check_revision(row, revision)
            if _in_use(session, group_id):
                raise exception.SecurityGroupInUse(id=group_id)
            if row.name == DEFAULT_NAME and not caller.is_admin:
                raise exception.SecurityGroupCannotRemoveDefault()
            view = self.views(session, [row])[0]
            rule = models.SecurityGroupRule
            referring = set(session.scalars(sa.select(rule.security_group_id).where(
                rule.remote_group_id == group_id)))
            session.execute(sa.delete(rule).where(sa.or_(
                rule.security_group_id == group_id, rule.remote_group_id == group_id)))
            session.execute(sa.delete(models.DefaultSecurityGroup).where(
                models.DefaultSecurityGroup.security_group_id == group_id))
            standard.delete_tags(session, TAGS, [group_id])
            session.delete(row)
            return view, referring - {group_id}
        view, referring = self.db.write(delete)
        # its members are none; the groups that named it lost rules
        self.dataplane.changed(security_groups=referring)
        standard.emit(self.notifier, "security_group.delete.end",
                      {"security_group_id": group_id, "security_group": view})

    # -- what the agents need -----------------------------------------------

    def rules_for_ports(self, port_ids: list[str]) -> dict[str, dict]:
        """See :func:`network.manager.port_filters.rules_for_ports`."""
        return port_filters.rules_for_ports(self.db, port_ids)

    def ports_affected_by(self, group_ids: list[str]) -> list[str]:
        """See :func:`network.manager.port_filters.ports_affected_by`."""
        return port_filters.ports_affected_by(self.db, group_ids)


def _check_name(name: str) -> None:
    """Only the project's own default group is called ``default`` (any case)."""
    if name.lower() == DEFAULT_NAME:
        raise exception.SecurityGroupDefaultAlreadyExists()


def _in_use(session, group_id: str) -> bool:
    return session.execute(sa.select(models.PortSecurityGroup.port_id).where(
        models.PortSecurityGroup.security_group_id == group_id).limit(1)).first() is not None


def _view(row: models.SecurityGroup, rules: list[dict], tags: list[str]) -> dict:
    body = standard.view(row, tags)
    body.update({"stateful": row.stateful, "security_group_rules": rules})
    return body


def parent_fields(group: models.SecurityGroup) -> dict:
    """The group's fields a rule's policy target carries."""
    return {"security_group:project_id": group.project_id,
            "security_group:tenant_id": group.project_id,
            "security_group_id": group.id}
