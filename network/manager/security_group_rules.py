"""Security group rules: created and deleted, never changed.

Visibility: an admin sees every rule; anyone else the rules of their
project's groups (whoever created them); any other is
:class:`SecurityGroupRuleNotFound` (404).

A rule is checked and made canonical by
:mod:`network.manager.security_group_rule_values`; its group and its remote
group must be ones the caller sees (404), its remote address group must
exist (there are none: 404). A bulk create names one group and one project
(400). A rule equal to one of its group (see
:func:`~network.manager.security_group_rule_values.key`) is 409
SecurityGroupRuleExists naming that rule; two equal rules in one request are
409 DuplicateSecurityGroupRuleInPost. Rules count against their project's
``security_group_rule`` quota. Creating or deleting a rule bumps its group's
revision, as Neutron does.
"""
from __future__ import annotations

import sqlalchemy as sa

from network import database, exception, models
from network.manager import Caller, default_security_groups, query, standard
from network.manager import security_group_rule_values as values
from network.manager.dataplane import Dataplane

RULE = models.SecurityGroupRule
COLUMNS = {
    "id": RULE.id, "project_id": RULE.project_id, "description": RULE.description,
    "security_group_id": RULE.security_group_id, "remote_group_id": RULE.remote_group_id,
    "remote_address_group_id": RULE.remote_address_group_id, "direction": RULE.direction,
    "ethertype": RULE.ethertype, "protocol": RULE.protocol,
    "port_range_min": RULE.port_range_min, "port_range_max": RULE.port_range_max,
    "remote_ip_prefix": RULE.remote_ip_prefix, "normalized_cidr": RULE.normalized_cidr,
    "created_at": RULE.created_at, "updated_at": RULE.updated_at,
    "revision_number": RULE.revision_number,
}
FIELDS = ("direction", "ethertype", "protocol", "port_range_min", "port_range_max",
          "remote_ip_prefix", "remote_group_id", "remote_address_group_id")


def not_found(rule_id: str) -> exception.SecurityGroupRuleNotFound:
    return exception.SecurityGroupRuleNotFound(id=rule_id)


def visible(caller: Caller) -> list:
    if caller.is_admin:
        return []
    owned = sa.select(models.SecurityGroup.id).where(
        models.SecurityGroup.project_id == caller.project_id)
    return [RULE.security_group_id.in_(owned)]


def _default_group_filter(values_: list) -> sa.ColumnElement:
    defaults = sa.select(models.DefaultSecurityGroup.security_group_id)
    wanted = {value for value in values_ if value is not None}
    conditions = []
    if True in wanted:
        conditions.append(RULE.security_group_id.in_(defaults))
    if False in wanted:
        conditions.append(RULE.security_group_id.not_in(defaults))
    return sa.or_(*conditions) if conditions else sa.false()


def views(session, rows: list[models.SecurityGroupRule]) -> list[dict]:
    """Rule views (with ``belongs_to_default_sg``) and their policy fields."""
    group_ids = {row.security_group_id for row in rows}
    owners, defaults = {}, set()
    if group_ids:
        owners = dict(session.execute(sa.select(models.SecurityGroup.id,
                                                models.SecurityGroup.project_id).where(
            models.SecurityGroup.id.in_(group_ids))).all())
        defaults = set(session.scalars(sa.select(
            models.DefaultSecurityGroup.security_group_id).where(
            models.DefaultSecurityGroup.security_group_id.in_(group_ids))))
    return [_view(row, owners.get(row.security_group_id), row.security_group_id in defaults)
            for row in rows]


def _view(row: models.SecurityGroupRule, owner: str | None, in_default: bool) -> dict:
    return {
        "id": row.id, "tenant_id": row.project_id, "project_id": row.project_id,
        "security_group_id": row.security_group_id, "ethertype": row.ethertype,
        "direction": row.direction, "protocol": row.protocol,
        "port_range_min": row.port_range_min, "port_range_max": row.port_range_max,
        "remote_ip_prefix": row.remote_ip_prefix,
        "remote_address_group_id": row.remote_address_group_id,
        "normalized_cidr": row.normalized_cidr, "remote_group_id": row.remote_group_id,
        "belongs_to_default_sg": in_default, "description": row.description,
        "created_at": standard.timestamp(row.created_at),
        "updated_at": standard.timestamp(row.updated_at),
        "revision_number": row.revision_number,
        "_policy": {"security_group:project_id": owner, "security_group:tenant_id": owner},
    }


class SecurityGroupRules:
    listing = query.Listing(models.SecurityGroupRule, COLUMNS, not_found=not_found,
                            special={"belongs_to_default_sg": _default_group_filter})
    not_found = staticmethod(not_found)
    dataplane = Dataplane()  # the service sets the one that tells the agents

    def __init__(self, db, conf, quotas, groups, notifier=None):
        self.db = db
        self.conf = conf
        self.quotas = quotas
        self.groups = groups
        self.notifier = notifier

    # -- reading -----------------------------------------------------------

    def row(self, session, caller: Caller, rule_id: str) -> models.SecurityGroupRule:
        rule = session.scalars(sa.select(RULE).where(RULE.id == rule_id,
                                                     *visible(caller))).first()
        if rule is None:
            raise not_found(rule_id)
        return rule

    def get(self, caller: Caller, rule_id: str) -> dict:
        with self.db.reader() as session:
            return views(session, [self.row(session, caller, rule_id)])[0]

    def list(self, caller: Caller, list_query: query.ListQuery) -> list[dict]:
        projects = list_query.filters.get("project_id") or [caller.project_id]
        self.groups.ensure_default(caller, projects[0])
        with self.db.reader() as session:
            return views(session, self.listing.rows(session, list_query, visible(caller)))

    # -- changing ----------------------------------------------------------

    def create_many(self, caller: Caller, items: list[dict]) -> list[dict]:
        """Create ``items`` (parsed POST bodies of one group and project) in one
        transaction."""
        if len({item["security_group_id"] for item in items}) > 1:
            raise exception.SecurityGroupNotSingleGroupRules()
        if len({item["project_id"] for item in items}) > 1:
            raise exception.SecurityGroupRulesNotSingleProject()
        rules = [_canonical(item) for item in items]
        keys = set()
        for rule in rules:
            if values.key(rule) in keys:
                raise exception.DuplicateSecurityGroupRuleInPost()
            keys.add(values.key(rule))
        project, group_id = items[0]["project_id"], items[0]["security_group_id"]

        def create(session):
            group = self.groups.row(session, caller, group_id, lock=True)
            for remote in {rule["remote_group_id"] for rule in rules} - {None, group_id}:
                self.groups.row(session, caller, remote)
            if caller.is_admin or project == caller.project_id:
                default_security_groups.ensure_default(session, project)
            self.quotas.check(session, project, "security_group_rule", len(rules))
            self._check_existing(session, group_id, keys)
            rows = [standard.create(RULE, project, **rule) for rule in rules]
            session.add_all(rows)
            standard.touch(group)
            session.flush()
            return views(session, rows)
        created = database.write(self.db, create)
        self.dataplane.changed(security_groups=[group_id])
        for view in created:
            standard.emit(self.notifier, "security_group_rule.create.end",
                          {"security_group_rule": view})
        return created

    @staticmethod
    def _check_existing(session, group_id: str, keys: set) -> None:
        for row in session.scalars(sa.select(RULE).where(RULE.security_group_id == group_id)):
            existing = {name: getattr(row, name) for name in FIELDS}
            existing["security_group_id"] = group_id
            if values.key(existing) in keys:
                raise exception.SecurityGroupRuleExists(rule_id=row.id)

    def delete(self, caller: Caller, rule_id: str, revision: int | None = None) -> None:
        def delete(session):
            rule = self.row(session, caller, rule_id)
            standard.check_revision(rule, revision)
            view = views(session, [rule])[0]
            group = session.get(models.SecurityGroup, rule.security_group_id)
            session.delete(rule)
            if group is not None:
                standard.touch(group)
            return view
        view = self.db.write(delete)
        self.dataplane.changed(security_groups=[view["security_group_id"]])
        standard.emit(self.notifier, "security_group_rule.delete.end",
                      {"security_group_rule_id": rule_id, "security_group_rule": view})


def _canonical(item: dict) -> dict:
    if item.get("tags"):
        raise exception.HTTPBadRequest(msg="Unrecognized attribute(s) 'tags'")
    if item.get("remote_address_group_id"):
        raise exception.AddressGroupNotFound(address_group_id=item["remote_address_group_id"])
    rule = {name: item.get(name) for name in FIELDS}
    rule["ethertype"] = rule["ethertype"] or values.IPV4
    rule = values.canonical(rule)
    rule.update(security_group_id=item["security_group_id"],
                description=item.get("description") or "")
    return rule
