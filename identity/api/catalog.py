"""``/v3/regions``, ``/v3/services`` and ``/v3/endpoints``: the service catalog."""
import flask

from identity import catalog, exception, models
from identity.api import common, schemas

blueprint = flask.Blueprint("catalog", __name__, url_prefix="/v3")

_REGION = {"id": {"type": "string", "maxLength": 255},
           "description": {"type": ["string", "null"], "maxLength": 255},
           "parent_region_id": {"type": ["string", "null"], "maxLength": 255}}
REGION_CREATE = schemas.entity("region", _REGION)
REGION_UPDATE = schemas.entity("region", _REGION, min_properties=1)

_SERVICE = {"type": {"type": "string", "minLength": 1, "maxLength": 255},
            "name": {"type": "string", "maxLength": 255},
            "description": schemas.DESCRIPTION, "enabled": schemas.BOOLEAN}
SERVICE_CREATE = schemas.entity("service", _SERVICE, required=("type",))
SERVICE_UPDATE = schemas.entity("service", _SERVICE, min_properties=1)

# Keystone's leniency: any "scheme:rest" string is a URL (RFC 1738 section 2.1).
_URL = {**schemas.URL, "pattern": r"^[a-zA-Z0-9+.-]+:.+"}
_ENDPOINT = {"interface": {"type": "string", "enum": list(catalog.INTERFACES)},
             "url": _URL, "service_id": {"type": "string", "minLength": 1, "maxLength": 64},
             "region_id": {"type": ["string", "null"], "maxLength": 255},
             "region": {"type": ["string", "null"], "minLength": 1, "maxLength": 255},
             "enabled": schemas.BOOLEAN}
ENDPOINT_CREATE = schemas.entity("endpoint", _ENDPOINT,
                                 required=("interface", "url", "service_id"))
ENDPOINT_UPDATE = schemas.entity("endpoint", _ENDPOINT, min_properties=1)


def _catalog() -> catalog.Catalog:
    return common.service().catalog


# -- views ---------------------------------------------------------------------

def region_view(region: models.Region) -> dict:
    return {**region.extra, "id": region.id, "description": region.description or "",
            "parent_region_id": region.parent_region_id,
            "links": common.self_link("regions", region.id)}


def service_view(service: models.Service) -> dict:
    return {"name": "", "description": "", **service.extra, "id": service.id,
            "type": service.type, "enabled": service.enabled,
            "links": common.self_link("services", service.id)}


def endpoint_view(endpoint: models.Endpoint) -> dict:
    return {**endpoint.extra, "id": endpoint.id, "interface": endpoint.interface,
            "region_id": endpoint.region_id, "region": endpoint.region_id,
            "service_id": endpoint.service_id, "url": endpoint.url,
            "enabled": endpoint.enabled, "links": common.self_link("endpoints", endpoint.id)}


# -- regions -------------------------------------------------------------------

@blueprint.post("/regions")
def create_region():
    common.authorize("create_region")
    data = common.body(REGION_CREATE)["region"]
    return common.created({"region": region_view(_catalog().create_region(data))})


@blueprint.put("/regions/<region_id>")
def create_region_with_id(region_id):
    """Keystone's way to choose a region's id: PUT creates (201), never replaces."""
    common.authorize("create_region")
    if len(region_id) > 255:
        raise exception.ValidationError(field="region_id", detail="is longer than 255")
    data = common.body(REGION_CREATE)["region"]
    if data.get("id", region_id) != region_id:
        raise exception.ValidationError(
            field="region/id",
            detail=f'conflicting region IDs specified: "{region_id}" != "{data["id"]}"')
    return common.created({"region": region_view(_catalog().create_region(data, region_id))})


@blueprint.get("/regions")
def list_regions():
    filters = common.query(["parent_region_id"])
    common.authorize("list_regions")
    regions = _catalog().list_regions(filters)
    return common.collection("regions", [region_view(r) for r in regions])


@blueprint.get("/regions/<region_id>")
def get_region(region_id):
    common.authorize("get_region")
    return {"region": region_view(_catalog().get_region(region_id))}


@blueprint.patch("/regions/<region_id>")
def update_region(region_id):
    common.authorize("update_region")
    changes = common.body(REGION_UPDATE)["region"]
    if changes.pop("id", region_id) != region_id:
        raise exception.ValidationError(field="region/id", detail="cannot be changed")
    return {"region": region_view(_catalog().update_region(region_id, changes))}


@blueprint.delete("/regions/<region_id>")
def delete_region(region_id):
    common.authorize("delete_region")
    _catalog().delete_region(region_id)
    return common.no_content()


# -- services ------------------------------------------------------------------

@blueprint.post("/services")
def create_service():
    common.authorize("create_service")
    data = common.body(SERVICE_CREATE)["service"]
    return common.created({"service": service_view(_catalog().create_service(data))})


@blueprint.get("/services")
def list_services():
    filters = common.query(["type", "name"])
    common.authorize("list_services")
    services = _catalog().list_services(filters)
    return common.collection("services", [service_view(s) for s in services])


@blueprint.get("/services/<service_id>")
def get_service(service_id):
    common.authorize("get_service")
    return {"service": service_view(_catalog().get_service(service_id))}


@blueprint.patch("/services/<service_id>")
def update_service(service_id):
    common.authorize("update_service")
    changes = common.body(SERVICE_UPDATE)["service"]
    _unchanged_id(changes, service_id, "service")
    return {"service": service_view(_catalog().update_service(service_id, changes))}


@blueprint.delete("/services/<service_id>")
def delete_service(service_id):
    common.authorize("delete_service")
    _catalog().delete_service(service_id)
    return common.no_content()


# -- endpoints -----------------------------------------------------------------

@blueprint.post("/endpoints")
def create_endpoint():
    common.authorize("create_endpoint")
    data = _legacy_region(common.body(ENDPOINT_CREATE)["endpoint"])
    return common.created({"endpoint": endpoint_view(_catalog().create_endpoint(data))})


@blueprint.get("/endpoints")
def list_endpoints():
    filters = common.query(["interface", "service_id", "region_id"])
    common.authorize("list_endpoints")
    endpoints = _catalog().list_endpoints(filters)
    return common.collection("endpoints", [endpoint_view(e) for e in endpoints])


@blueprint.get("/endpoints/<endpoint_id>")
def get_endpoint(endpoint_id):
    common.authorize("get_endpoint")
    return {"endpoint": endpoint_view(_catalog().get_endpoint(endpoint_id))}


@blueprint.patch("/endpoints/<endpoint_id>")
def update_endpoint(endpoint_id):
    common.authorize("update_endpoint")
    changes = common.body(ENDPOINT_UPDATE)["endpoint"]
    _unchanged_id(changes, endpoint_id, "endpoint")
    changes = _legacy_region(changes)
    return {"endpoint": endpoint_view(_catalog().update_endpoint(endpoint_id, changes))}


@blueprint.delete("/endpoints/<endpoint_id>")
def delete_endpoint(endpoint_id):
    common.authorize("delete_endpoint")
    _catalog().delete_endpoint(endpoint_id)
    return common.no_content()


# -- helpers -------------------------------------------------------------------

def _unchanged_id(changes: dict, entity_id: str, kind: str) -> None:
    """Keystone refuses a PATCH body whose ``id`` differs from the URL's (400)."""
    if changes.pop("id", entity_id) != entity_id:
        raise exception.ValidationError(field=f"{kind}/id", detail="cannot be changed")


def _legacy_region(data: dict) -> dict:
    """Keystone's v2-era ``region`` attribute: a region named only by ``region``
    (no ``region_id``) is created on first use, as Keystone does."""
    if data.get("region_id") is not None or data.get("region") is None:
        data.pop("region", None)
        return data
    region_id = data.pop("region")
    data["region_id"] = region_id
    try:
        _catalog().get_region(region_id)
    except exception.NotFound:
        try:
            _catalog().create_region({}, region_id)
        except exception.Conflict:
            pass  # created meanwhile by a concurrent request: what we wanted
    return data
