"""``/v2.0/quotas``: limits, defaults, details, admin-only changes, enforcement."""
from network.conf import QUOTA_DEFAULTS
from tests.functional.network.conftest import fault


def test_defaults_and_show(admin, demo):
    assert demo.get(f"/v2.0/quotas/{demo.project}").get_json() == {"quota": QUOTA_DEFAULTS}
    assert demo.get(f"/v2.0/quotas/{demo.project}/default").get_json() == \
        {"quota": QUOTA_DEFAULTS}
    assert fault(demo.get(f"/v2.0/quotas/{admin.project}")) == (403, "PolicyNotAuthorized")
    assert admin.get(f"/v2.0/quotas/{demo.project}").status_code == 200


def test_update_list_delete(admin, demo):
    response = admin.put(f"/v2.0/quotas/{demo.project}",
                         json={"quota": {"network": 5, "port": -1}})
    assert response.status_code == 200
    assert response.get_json()["quota"] == {**QUOTA_DEFAULTS, "network": 5, "port": -1}
    assert admin.get("/v2.0/quotas").get_json() == {"quotas": [{
        **QUOTA_DEFAULTS, "network": 5, "port": -1, "project_id": demo.project,
        "tenant_id": demo.project}]}
    assert admin.delete(f"/v2.0/quotas/{demo.project}").status_code == 204
    assert admin.get("/v2.0/quotas").get_json() == {"quotas": []}
    assert admin.get(f"/v2.0/quotas/{demo.project}").get_json() == {"quota": QUOTA_DEFAULTS}


def test_bad_updates(admin, demo):
    path = f"/v2.0/quotas/{demo.project}"
    assert fault(demo.put(path, json={"quota": {"network": 50}})) == \
        (403, "PolicyNotAuthorized")
    assert fault(demo.delete(path)) == (403, "PolicyNotAuthorized")
    assert fault(demo.get("/v2.0/quotas")) == (403, "PolicyNotAuthorized")
    assert fault(admin.put(path, json={"quota": {"widgets": 3}})) == (400, "HTTPBadRequest")
    assert fault(admin.put(path, json={"quota": {"network": -2}})) == (400, "HTTPBadRequest")
    assert fault(admin.put(path, json={"quota": {"network": "many"}})) == \
        (400, "HTTPBadRequest")
    assert fault(admin.put(path, json={"network": 3})) == (400, "HTTPBadRequest")


def test_details_count_usage(admin, demo):
    network = demo.network()
    demo.subnet(network["id"])
    demo.port(network["id"])
    demo.port(network["id"])
    details = demo.get(f"/v2.0/quotas/{demo.project}/details.json").get_json()["quota"]
    assert details["network"] == {"limit": 100, "used": 1, "reserved": 0}
    assert details["subnet"]["used"] == 1
    assert details["port"] == {"limit": 500, "used": 2, "reserved": 0}
    assert details["router"] == {"limit": 10, "used": 0, "reserved": 0}


def test_enforced_for_each_resource(admin, demo):
    admin.put(f"/v2.0/quotas/{demo.project}", json={"quota": {
        "network": 1, "subnet": 1, "port": 1, "subnetpool": 1}})
    network = demo.network()
    demo.subnet(network["id"])
    demo.port(network["id"])
    demo.subnetpool(prefixes=["10.90.0.0/16"])
    for collection, body in (("networks", {"network": {}}),
                             ("subnets", {"subnet": {"network_id": network["id"],
                                                     "ip_version": 4,
                                                     "cidr": "10.1.0.0/24"}}),
                             ("ports", {"port": {"network_id": network["id"]}}),
                             ("subnetpools", {"subnetpool": {"prefixes": ["10.91.0.0/16"]}})):
        assert fault(demo.post(f"/v2.0/{collection}", json=body)) == (409, "OverQuota")
    bulk = demo.post("/v2.0/ports", json={"ports": [{"network_id": network["id"]}] * 2})
    assert fault(bulk) == (409, "OverQuota")
