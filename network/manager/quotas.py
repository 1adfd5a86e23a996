"""Per-project quotas of networking resources.

Limits are ``[quotas] quota_<resource>`` unless a project has its own
(``PUT /v2.0/quotas/{project_id}``); -1 means unlimited. :meth:`Quotas.check`
runs inside the creating transaction, which counts and inserts atomically
(SQLite's write lock, SERIALIZABLE on the servers), so concurrent creates
never overshoot a limit.

Usage is counted from the tables in :data:`COUNTED`; a later resource adds
its model there (``COUNTED["router"] = models.Router``) and calls
:meth:`Quotas.check` in its create. Resources without a table yet count 0.
"""
from __future__ import annotations

import sqlalchemy as sa

from network import conf as network_conf
from network import exception, models

RESOURCES = tuple(network_conf.QUOTA_DEFAULTS)

COUNTED = {
    "network": models.Network,
    "subnet": models.Subnet,
    "port": models.Port,
    "subnetpool": models.SubnetPool,
    "router": models.Router,
    "floatingip": models.FloatingIP,
    "security_group": models.SecurityGroup,
    "security_group_rule": models.SecurityGroupRule,
}


class Quotas:
    def __init__(self, db, conf):
        self.db = db
        self.conf = conf

    def defaults(self) -> dict[str, int]:
        return {name: getattr(self.conf.quotas, f"quota_{name}") for name in RESOURCES}

    def limits(self, session, project_id: str) -> dict[str, int]:
        limits = self.defaults()
        rows = session.scalars(sa.select(models.Quota).where(
            models.Quota.project_id == project_id))
        for row in rows:
            if row.resource in limits:
                limits[row.resource] = row.limit
        return limits

    def check(self, session, project_id: str, resource: str, requested: int = 1) -> None:
        """409 OverQuota if ``project_id`` would own more than its limit of
        ``resource`` after creating ``requested`` more."""
        limit = self.limits(session, project_id)[resource]
        if limit < 0:
            return
        if self._used(session, project_id, resource) + requested > limit:
            raise exception.OverQuota(overs=[resource])

    def _used(self, session, project_id: str, resource: str) -> int:
        model = COUNTED.get(resource)
        if model is None:
            return 0
        return session.execute(sa.select(sa.func.count()).select_from(model).where(
            model.project_id == project_id)).scalar_one()

    # -- the quotas API -----------------------------------------------------

    def get(self, project_id: str) -> dict[str, int]:
        with self.db.reader() as session:
            return self.limits(session, project_id)

    def details(self, project_id: str) -> dict[str, dict]:
        with self.db.reader() as session:
            limits = self.limits(session, project_id)
            return {name: {"limit": limit, "used": self._used(session, project_id, name),
                           "reserved": 0} for name, limit in limits.items()}

    def update(self, project_id: str, values: dict[str, int]) -> dict[str, int]:
        def update(session):
            for name, limit in values.items():
                row = session.get(models.Quota, (project_id, name))
                if row is None:
                    session.add(models.Quota(project_id=project_id, resource=name,
                                             limit=limit))
                else:
                    row.limit = limit
            session.flush()
            return self.limits(session, project_id)
        return self.db.write(update)

    def delete(self, project_id: str) -> None:
        self.db.write(lambda session: session.execute(
            sa.delete(models.Quota).where(models.Quota.project_id == project_id)))

    def list(self) -> list[dict]:
        """The quotas of every project that has its own."""
        with self.db.reader() as session:
            projects = session.scalars(sa.select(models.Quota.project_id).distinct()
                                       .order_by(models.Quota.project_id)).all()
            return [{**self.limits(session, project), "project_id": project,
                     "tenant_id": project} for project in projects]
