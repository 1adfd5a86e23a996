"""Regions, services and endpoints, and the catalog a token carries."""
import uuid

import sqlalchemy as sa

from identity import exception, models
from identity.database import IdentityDatabase

INTERFACES = ("public", "internal", "admin")


class Catalog:
    """Guarantees: an endpoint's service and region exist; a region's parent
    exists (404 otherwise, as in Keystone) and regions never form a loop;
    deleting a region deletes the regions below it, unless any of them still
    has endpoints (403)."""

    def __init__(self, db: IdentityDatabase, notifier=None):
        self.db = db
        self.notifier = notifier

    # -- regions -----------------------------------------------------------

    def create_region(self, data: dict, region_id: str | None = None) -> models.Region:
        def create(session):
            rid = region_id or data.get("id") or uuid.uuid4().hex
            if session.get(models.Region, rid) is not None:
                raise exception.Duplicate(
                    type="region", details=f"Duplicate ID, {rid}.")
            parent = data.get("parent_region_id")
            if parent:
                _get(session, models.Region, "region", parent)
            region = models.Region(
                id=rid, description=data.get("description") or "", parent_region_id=parent,
                extra=_extra(data, ("id", "description", "parent_region_id")))
            session.add(region)
            session.flush()
            return region
        return self._notify("region", "created", self.db.write(create))

    def get_region(self, region_id: str) -> models.Region:
        with self.db.reader() as session:
            return _get(session, models.Region, "region", region_id)

    def list_regions(self, filters: dict) -> list[models.Region]:
        query = sa.select(models.Region).order_by(models.Region.id)
        if filters.get("parent_region_id"):
            query = query.where(models.Region.parent_region_id == filters["parent_region_id"])
        with self.db.reader() as session:
            return list(session.execute(query).scalars())

    def update_region(self, region_id: str, changes: dict) -> models.Region:
        def update(session):
            region = _get(session, models.Region, "region", region_id)
            parent = changes.get("parent_region_id", region.parent_region_id)
            if parent and parent != region.parent_region_id:
                _get(session, models.Region, "region", parent)
                if region_id in _region_lineage(session, parent):
                    raise exception.ValidationError(
                        field="parent_region_id", detail="regions cannot form a loop")
            if "parent_region_id" in changes:
                region.parent_region_id = changes["parent_region_id"]
            if "description" in changes:
                region.description = changes["description"] or ""
            extra = _extra(changes, ("id", "description", "parent_region_id"))
            if extra:
                region.extra = {**region.extra, **extra}
            session.flush()
            return region
        return self._notify("region", "updated", self.db.write(update))

    def delete_region(self, region_id: str) -> None:
        """Delete the region and every region below it; 403 if any has endpoints."""
        def delete(session):
            _get(session, models.Region, "region", region_id)
            subtree = _region_subtree(session, region_id)
            if session.execute(sa.select(models.Endpoint.id).where(
                    models.Endpoint.region_id.in_(subtree))).first():
                raise exception.Forbidden(
                    f"Unable to delete region {region_id} because it or its child "
                    "regions have associated endpoints.")
            session.execute(sa.delete(models.Region).where(models.Region.id.in_(subtree)))
        self.db.write(delete)
        self._notify("region", "deleted", region_id)

    # -- services ----------------------------------------------------------

    def create_service(self, data: dict) -> models.Service:
        def create(session):
            service = models.Service(
                id=uuid.uuid4().hex, type=data["type"], enabled=data.get("enabled", True),
                extra=_extra(data, ("id", "type", "enabled")))
            session.add(service)
            session.flush()
            return service
        return self._notify("service", "created", self.db.write(create))

    def get_service(self, service_id: str) -> models.Service:
        with self.db.reader() as session:
            return _get(session, models.Service, "service", service_id)

    def list_services(self, filters: dict) -> list[models.Service]:
        query = sa.select(models.Service)
        if filters.get("type"):
            query = query.where(models.Service.type == filters["type"])
        with self.db.reader() as session:
            services = list(session.execute(query).scalars())
        if filters.get("name"):
            services = [s for s in services if s.extra.get("name") == filters["name"]]
        return services

    def update_service(self, service_id: str, changes: dict) -> models.Service:
        def update(session):
            service = _get(session, models.Service, "service", service_id)
            if "type" in changes:
                service.type = changes["type"]
            if "enabled" in changes:
                service.enabled = changes["enabled"]
            extra = _extra(changes, ("id", "type", "enabled"))
            if extra:
                service.extra = {**service.extra, **extra}
            session.flush()
            return service
        return self._notify("service", "updated", self.db.write(update))

    def delete_service(self, service_id: str) -> None:
        def delete(session):
            service = _get(session, models.Service, "service", service_id)
            session.execute(sa.delete(models.Endpoint).where(
                models.Endpoint.service_id == service_id))
            session.delete(service)
        self.db.write(delete)
        self._notify("service", "deleted", service_id)

    # -- endpoints ---------------------------------------------------------

    def create_endpoint(self, data: dict) -> models.Endpoint:
        def create(session):
            region_id = data.get("region_id") or data.get("region")
            self._check_endpoint_refs(session, data["service_id"], region_id)
            endpoint = models.Endpoint(
                id=uuid.uuid4().hex, interface=data["interface"], region_id=region_id,
                service_id=data["service_id"], url=data["url"],
                enabled=data.get("enabled", True),
                extra=_extra(data, ("id", "interface", "region_id", "region", "service_id",
                                    "url", "enabled")))
            session.add(endpoint)
            session.flush()
            return endpoint
        return self._notify("endpoint", "created", self.db.write(create))

    def get_endpoint(self, endpoint_id: str) -> models.Endpoint:
        with self.db.reader() as session:
            return _get(session, models.Endpoint, "endpoint", endpoint_id)

    def list_endpoints(self, filters: dict) -> list[models.Endpoint]:
        e = models.Endpoint
        query = sa.select(e)
        for key in ("interface", "service_id", "region_id"):
            if filters.get(key):
                query = query.where(getattr(e, key) == filters[key])
        with self.db.reader() as session:
            return list(session.execute(query).scalars())

    def update_endpoint(self, endpoint_id: str, changes: dict) -> models.Endpoint:
        def update(session):
            endpoint = _get(session, models.Endpoint, "endpoint", endpoint_id)
            changes_ = dict(changes)
            if "region" in changes_ and "region_id" not in changes_:
                changes_["region_id"] = changes_.pop("region")
            self._check_endpoint_refs(session, changes_.get("service_id", endpoint.service_id),
                                      changes_.get("region_id", endpoint.region_id))
            for key in ("interface", "region_id", "service_id", "url", "enabled"):
                if key in changes_:
                    setattr(endpoint, key, changes_[key])
            extra = _extra(changes_, ("id", "interface", "region_id", "region", "service_id",
                                      "url", "enabled"))
            if extra:
                endpoint.extra = {**endpoint.extra, **extra}
            session.flush()
            return endpoint
        return self._notify("endpoint", "updated", self.db.write(update))

    def delete_endpoint(self, endpoint_id: str) -> None:
        def delete(session):
            session.delete(_get(session, models.Endpoint, "endpoint", endpoint_id))
        self.db.write(delete)
        self._notify("endpoint", "deleted", endpoint_id)

    # -- the token catalog -------------------------------------------------

    def catalog_for(self, user_id: str, project_id: str | None) -> list[dict]:
        """The catalog in token format: enabled services with their enabled
        endpoints, ``$(project_id)s``-style URL substitutions applied; an
        endpoint whose URL needs a project is left out of unscoped catalogs."""
        with self.db.reader() as session:
            rows = session.execute(
                sa.select(models.Service, models.Endpoint)
                .join(models.Endpoint, models.Endpoint.service_id == models.Service.id)
                .where(models.Service.enabled.is_(True), models.Endpoint.enabled.is_(True))
                .order_by(models.Service.type, models.Endpoint.interface)).all()
        catalog: dict[str, dict] = {}
        values = {"project_id": project_id, "tenant_id": project_id, "user_id": user_id}
        for service, endpoint in rows:
            url = _substitute(endpoint.url, values)
            if url is None:
                continue
            entry = catalog.setdefault(service.id, {
                "endpoints": [], "id": service.id, "type": service.type,
                "name": service.extra.get("name", "")})
            entry["endpoints"].append({
                "id": endpoint.id, "interface": endpoint.interface,
                "region_id": endpoint.region_id, "url": url,
                "region": endpoint.region_id})
        return list(catalog.values())

    # -- internals -------------------------------------------------------

    @staticmethod
    def _check_endpoint_refs(session, service_id: str, region_id: str | None) -> None:
        if session.get(models.Service, service_id) is None:
            raise exception.ValidationError(
                field="service_id", detail=f"service {service_id} does not exist")
        if region_id and session.get(models.Region, region_id) is None:
            raise exception.ValidationError(
                field="region_id", detail=f"region {region_id} does not exist")

    def _notify(self, resource: str, action: str, entity):
        """Announce a change; ``entity`` is the changed row or, once deleted, its id."""
        if self.notifier is not None:
            self.notifier.resource_event(resource, action, getattr(entity, "id", entity))
        return entity


def _get(session, table, target: str, entity_id: str):
    entity = session.get(table, entity_id)
    if entity is None:
        raise exception.EntityNotFound(target=target, id=entity_id)
    return entity


def _extra(data: dict, known: tuple) -> dict:
    return {k: v for k, v in data.items() if k not in known and k != "links"}


def _region_lineage(session, region_id: str) -> set[str]:
    seen = set()
    while region_id and region_id not in seen:
        seen.add(region_id)
        region = session.get(models.Region, region_id)
        region_id = region.parent_region_id if region is not None else None
    return seen


def _region_subtree(session, region_id: str) -> set[str]:
    """The region and all the regions below it."""
    found, frontier = {region_id}, {region_id}
    while frontier:
        children = set(session.execute(sa.select(models.Region.id).where(
            models.Region.parent_region_id.in_(frontier))).scalars()) - found
        found |= children
        frontier = children
    return found


def _substitute(url: str, values: dict) -> str | None:
    """Apply ``$(name)s`` and ``%(name)s`` substitutions; None if a value is missing."""
    url = url.replace("$(", "%(")
    if "%(" not in url:
        return url
    try:
        return url % {k: v for k, v in values.items() if v is not None}
    except (KeyError, ValueError, TypeError):
        return None
