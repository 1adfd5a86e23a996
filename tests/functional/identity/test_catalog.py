"""Regions, services and endpoints through the real app, and through openstacksdk."""
import openstack
import pytest

from tests.functional.identity.test_application_credentials import member_client


@pytest.fixture
def service(admin):
    response = admin.post("/v3/services", json={"service": {
        "type": "compute", "name": "nova", "description": "Compute"}})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["service"]


def endpoint_body(service_id: str, **fields) -> dict:
    return {"endpoint": {"service_id": service_id, "interface": "public",
                         "url": "http://compute.example.com:8774/v2.1", **fields}}


# -- regions -------------------------------------------------------------------

def test_region_lifecycle(admin):
    created = admin.post("/v3/regions", json={"region": {"description": "east"}})
    assert created.status_code == 201
    parent = created.get_json()["region"]
    assert parent["description"] == "east" and parent["parent_region_id"] is None
    assert parent["links"]["self"].endswith(f"/v3/regions/{parent['id']}")

    child = admin.put("/v3/regions/east-1", json={"region": {
        "parent_region_id": parent["id"]}})
    assert child.status_code == 201
    assert child.get_json()["region"]["id"] == "east-1"
    assert child.get_json()["region"]["description"] == ""

    listed = admin.get(f"/v3/regions?parent_region_id={parent['id']}").get_json()
    assert [r["id"] for r in listed["regions"]] == ["east-1"]
    assert {r["id"] for r in admin.get("/v3/regions").get_json()["regions"]} >= {
        "RegionOne", parent["id"], "east-1"}

    updated = admin.patch("/v3/regions/east-1", json={"region": {
        "description": "east, first", "parent_region_id": None}})
    assert updated.status_code == 200
    assert updated.get_json()["region"]["parent_region_id"] is None
    assert admin.get("/v3/regions/east-1").get_json()["region"]["description"] == \
        "east, first"

    assert admin.delete("/v3/regions/east-1").status_code == 204
    assert admin.get("/v3/regions/east-1").status_code == 404
    assert admin.delete("/v3/regions/east-1").status_code == 404


def test_region_create_with_id_conflicts(admin):
    assert admin.put("/v3/regions/west", json={"region": {}}).status_code == 201
    duplicate = admin.put("/v3/regions/west", json={"region": {}})
    assert duplicate.status_code == 409
    assert duplicate.get_json()["error"]["code"] == 409
    assert admin.post("/v3/regions", json={"region": {"id": "west"}}).status_code == 409
    mismatch = admin.put("/v3/regions/north", json={"region": {"id": "south"}})
    assert mismatch.status_code == 400


def test_region_bad_input(admin):
    assert admin.post("/v3/regions", json={}).status_code == 400
    assert admin.post("/v3/regions", json={"region": {"description": 5}}).status_code == 400
    assert admin.patch("/v3/regions/RegionOne", json={"region": {}}).status_code == 400
    assert admin.patch("/v3/regions/RegionOne", json={"region": {"id": "other"}}
                       ).status_code == 400
    assert admin.patch("/v3/regions/nowhere", json={"region": {"description": "x"}}
                       ).status_code == 404
    assert admin.put("/v3/regions/" + "r" * 256, json={"region": {}}).status_code == 400


def test_region_parent_must_exist(admin):
    missing = admin.post("/v3/regions", json={"region": {"parent_region_id": "nowhere"}})
    assert missing.status_code == 404
    assert admin.put("/v3/regions/self", json={"region": {"parent_region_id": "self"}}
                     ).status_code == 404
    assert admin.patch("/v3/regions/RegionOne", json={"region": {
        "parent_region_id": "nowhere"}}).status_code == 404


def test_deleting_a_region_deletes_its_children(admin):
    admin.put("/v3/regions/top", json={"region": {}})
    admin.put("/v3/regions/middle", json={"region": {"parent_region_id": "top"}})
    admin.put("/v3/regions/bottom", json={"region": {"parent_region_id": "middle"}})
    assert admin.delete("/v3/regions/top").status_code == 204
    assert admin.get("/v3/regions/bottom").status_code == 404


def test_region_with_endpoints_below_is_kept(admin, service):
    admin.put("/v3/regions/top", json={"region": {}})
    admin.put("/v3/regions/below", json={"region": {"parent_region_id": "top"}})
    endpoint = admin.post("/v3/endpoints", json=endpoint_body(
        service["id"], region_id="below")).get_json()["endpoint"]
    refused = admin.delete("/v3/regions/top")
    assert refused.status_code == 403
    assert admin.get("/v3/regions/below").status_code == 200
    admin.delete(f"/v3/endpoints/{endpoint['id']}")
    assert admin.delete("/v3/regions/top").status_code == 204


def test_region_hierarchy_cannot_loop(admin):
    admin.put("/v3/regions/top", json={"region": {}})
    admin.put("/v3/regions/below", json={"region": {"parent_region_id": "top"}})
    looped = admin.patch("/v3/regions/top", json={"region": {"parent_region_id": "below"}})
    assert looped.status_code == 400


# -- services ------------------------------------------------------------------

def test_service_lifecycle(admin, service):
    assert service["type"] == "compute" and service["name"] == "nova"
    assert service["description"] == "Compute" and service["enabled"] is True
    assert service["links"]["self"].endswith(f"/v3/services/{service['id']}")

    updated = admin.patch(f"/v3/services/{service['id']}", json={"service": {
        "description": "Servers", "enabled": False}})
    assert updated.status_code == 200
    assert updated.get_json()["service"]["description"] == "Servers"
    shown = admin.get(f"/v3/services/{service['id']}").get_json()["service"]
    assert shown["enabled"] is False and shown["name"] == "nova"

    by_type = admin.get("/v3/services?type=compute").get_json()["services"]
    assert [s["id"] for s in by_type] == [service["id"]]
    by_name = admin.get("/v3/services?name=nova").get_json()["services"]
    assert [s["id"] for s in by_name] == [service["id"]]
    assert admin.get("/v3/services?type=nothing").get_json()["services"] == []

    assert admin.delete(f"/v3/services/{service['id']}").status_code == 204
    assert admin.get(f"/v3/services/{service['id']}").status_code == 404
    assert admin.delete(f"/v3/services/{service['id']}").status_code == 404


def test_service_bad_input(admin, service):
    assert admin.post("/v3/services", json={"service": {"name": "x"}}).status_code == 400
    assert admin.post("/v3/services", json={"service": {"type": ""}}).status_code == 400
    assert admin.post("/v3/services", json={"service": {
        "type": "x", "enabled": "True"}}).status_code == 400
    assert admin.patch(f"/v3/services/{service['id']}", json={"service": {
        "enabled": "False"}}).status_code == 400
    assert admin.patch(f"/v3/services/{service['id']}", json={"service": {
        "id": "other"}}).status_code == 400


# -- endpoints -----------------------------------------------------------------

def test_endpoint_lifecycle(admin, service):
    created = admin.post("/v3/endpoints", json=endpoint_body(service["id"],
                                                             region_id="RegionOne"))
    assert created.status_code == 201, created.get_json()
    endpoint = created.get_json()["endpoint"]
    assert endpoint["interface"] == "public" and endpoint["enabled"] is True
    assert endpoint["region_id"] == endpoint["region"] == "RegionOne"
    assert endpoint["service_id"] == service["id"]
    assert endpoint["links"]["self"].endswith(f"/v3/endpoints/{endpoint['id']}")
    internal = admin.post("/v3/endpoints", json=endpoint_body(
        service["id"], interface="internal", url="http://10.0.0.1:8774/v2.1")).get_json()

    def ids(query):
        return {e["id"] for e in admin.get(f"/v3/endpoints?{query}").get_json()["endpoints"]}

    assert ids(f"service_id={service['id']}") == {endpoint["id"], internal["endpoint"]["id"]}
    assert ids(f"service_id={service['id']}&interface=internal") == {
        internal["endpoint"]["id"]}
    assert endpoint["id"] in ids("region_id=RegionOne")
    assert internal["endpoint"]["id"] not in ids("region_id=RegionOne")

    updated = admin.patch(f"/v3/endpoints/{endpoint['id']}", json={"endpoint": {
        "interface": "admin", "url": "https://compute.example.com/v2.1", "enabled": False}})
    assert updated.status_code == 200
    shown = admin.get(f"/v3/endpoints/{endpoint['id']}").get_json()["endpoint"]
    assert (shown["interface"], shown["enabled"]) == ("admin", False)
    assert shown["url"] == "https://compute.example.com/v2.1"

    assert admin.delete(f"/v3/endpoints/{endpoint['id']}").status_code == 204
    assert admin.get(f"/v3/endpoints/{endpoint['id']}").status_code == 404
    assert admin.delete(f"/v3/endpoints/{endpoint['id']}").status_code == 404


def test_endpoint_legacy_region_is_created(admin, service):
    created = admin.post("/v3/endpoints", json=endpoint_body(service["id"],
                                                             region="LegacyRegion"))
    assert created.status_code == 201
    assert created.get_json()["endpoint"]["region_id"] == "LegacyRegion"
    assert admin.get("/v3/regions/LegacyRegion").status_code == 200


def test_endpoint_bad_input(admin, service):
    def post(**fields):
        return admin.post("/v3/endpoints", json=endpoint_body(service["id"], **fields))

    assert post(interface="private").status_code == 400
    assert post(enabled="False").status_code == 400
    assert post(url="not a url").status_code == 400
    assert post(region_id="no-such-region").status_code == 400
    assert admin.post("/v3/endpoints", json=endpoint_body("no-such-service")
                      ).status_code == 400
    assert admin.post("/v3/endpoints", json={"endpoint": {
        "service_id": service["id"], "interface": "public"}}).status_code == 400
    endpoint = post().get_json()["endpoint"]
    assert admin.patch(f"/v3/endpoints/{endpoint['id']}", json={"endpoint": {
        "enabled": "True"}}).status_code == 400
    assert admin.patch(f"/v3/endpoints/{endpoint['id']}", json={"endpoint": {
        "interface": "everywhere"}}).status_code == 400
    assert admin.patch("/v3/endpoints/nothing", json={"endpoint": {
        "enabled": True}}).status_code == 404


def test_deleting_a_service_removes_its_endpoints(admin, service):
    endpoint = admin.post("/v3/endpoints", json=endpoint_body(service["id"])).get_json()
    admin.delete(f"/v3/services/{service['id']}")
    assert admin.get(f"/v3/endpoints/{endpoint['endpoint']['id']}").status_code == 404


def test_new_endpoint_shows_in_token_catalog(client, admin, service):
    admin.post("/v3/endpoints", json=endpoint_body(service["id"], region_id="RegionOne"))
    token = client.post("/v3/auth/tokens", json={"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": "admin", "domain": {"id": "default"}, "password": "secret"}}},
        "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}})
    compute = [s for s in token.get_json()["token"]["catalog"] if s["type"] == "compute"]
    assert compute[0]["name"] == "nova"
    assert compute[0]["endpoints"][0]["url"] == "http://compute.example.com:8774/v2.1"


# -- policy --------------------------------------------------------------------

def test_members_read_regions_but_change_nothing(identity, client, admin, service):
    _, member = member_client(identity, client)
    assert member.get("/v3/regions").status_code == 200
    assert member.get("/v3/regions/RegionOne").status_code == 200
    assert member.post("/v3/regions", json={"region": {}}).status_code == 403
    assert member.put("/v3/regions/mine", json={"region": {}}).status_code == 403
    assert member.patch("/v3/regions/RegionOne", json={"region": {
        "description": "x"}}).status_code == 403
    assert member.delete("/v3/regions/RegionOne").status_code == 403
    assert member.get("/v3/services").status_code == 403
    assert member.post("/v3/services", json={"service": {"type": "x"}}).status_code == 403
    assert member.delete(f"/v3/services/{service['id']}").status_code == 403
    assert member.get("/v3/endpoints").status_code == 403
    assert member.post("/v3/endpoints", json=endpoint_body(service["id"])).status_code == 403
    assert client.get("/v3/regions").status_code == 401
    assert client.get("/v3/services").status_code == 401


# -- openstacksdk --------------------------------------------------------------

def test_openstacksdk_catalog(server_url):
    conn = openstack.connect(auth_url=server_url + "/v3", username="admin",
                             password="secret", project_name="admin",
                             user_domain_id="default", project_domain_id="default")
    region = conn.identity.create_region(id="RegionTwo", description="second")
    assert region.id == "RegionTwo"
    assert conn.identity.get_region("RegionTwo").description == "second"
    service = conn.identity.create_service(type="image", name="glance",
                                           description="Images")
    assert conn.identity.find_service("glance").id == service.id
    endpoint = conn.identity.create_endpoint(
        service_id=service.id, interface="public", url="http://image.example.com:9292",
        region_id="RegionTwo")
    listed = list(conn.identity.endpoints(service_id=service.id))
    assert [e.id for e in listed] == [endpoint.id]
    assert listed[0].region_id == "RegionTwo"
    conn.identity.update_endpoint(endpoint, interface="internal")
    assert conn.identity.get_endpoint(endpoint.id).interface == "internal"
    assert {s.type for s in conn.identity.services()} >= {"identity", "image"}
    conn.identity.delete_endpoint(endpoint)
    conn.identity.delete_service(service)
    conn.identity.delete_region(region)
    assert "RegionTwo" not in [r.id for r in conn.identity.regions()]
