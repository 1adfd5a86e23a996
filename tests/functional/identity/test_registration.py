"""``stratus-manage identity register-service`` puts a service in the catalog
and gives it a working service user, and running it again changes nothing."""
import argparse

from identity import api, registration
from tests.functional.identity.conftest import build_identity, issue_token


def _register(conf, url):
    registration.run(conf, argparse.Namespace(
        type="image", name="glance", description="", region_id="RegionOne", url=url,
        user="image", password="image-pw"))


def test_register_service_is_idempotent_and_the_user_can_validate(tmp_path):
    conf, service = build_identity(tmp_path)
    _register(conf, "http://127.0.0.1:9292")
    _register(conf, "http://127.0.0.1:9293")
    services = service.catalog.list_services({"type": "image"})
    assert len(services) == 1
    endpoints = service.catalog.list_endpoints({"service_id": services[0].id})
    assert sorted(e.interface for e in endpoints) == ["admin", "internal", "public"]
    assert {e.url for e in endpoints} == {"http://127.0.0.1:9293"}
    client = api.create_app(conf, service).test_client()
    service_token = issue_token(client, user="image", password="image-pw", project="service")
    admin_token = issue_token(client)
    validated = client.get("/v3/auth/tokens", headers={
        "X-Auth-Token": service_token, "X-Subject-Token": admin_token})
    assert validated.status_code == 200
    catalog = validated.get_json()["token"]["catalog"]
    assert "image" in {entry["type"] for entry in catalog}
    service.db.dispose()
