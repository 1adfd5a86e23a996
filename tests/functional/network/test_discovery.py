"""Version discovery, extensions, availability zones and the fault format."""
from network import extensions
from tests.functional.network.conftest import fault


def test_root_lists_v2_without_a_token(network_app):
    response = network_app.test_client().get("/")
    assert response.status_code == 200
    assert response.get_json() == {"versions": [{
        "id": "v2.0", "status": "CURRENT",
        "links": [{"rel": "self", "href": "http://localhost/v2.0/"}]}]}


def test_v2_lists_core_resources(demo):
    for path in ("/v2.0", "/v2.0/"):
        response = demo.get(path)
        assert response.status_code == 200
        names = {r["name"]: r for r in response.get_json()["resources"]}
        assert set(names) == {"network", "subnet", "subnetpool", "port"}
        assert names["port"]["collection"] == "ports"
        assert names["port"]["links"] == [{"rel": "self",
                                           "href": "http://localhost/v2.0/ports"}]


def test_a_token_is_required(network_app):
    response = network_app.test_client().get("/v2.0/networks")
    assert fault(response) == (401, "HTTPUnauthorized")


def test_extensions_list_is_the_registry(demo):
    body = demo.get("/v2.0/extensions").get_json()
    aliases = [ext["alias"] for ext in body["extensions"]]
    assert aliases == sorted(extensions.EXTENSIONS)
    for ext in body["extensions"]:
        assert set(ext) == {"name", "alias", "description", "updated", "links"}
        shown = demo.get(f"/v2.0/extensions/{ext['alias']}")
        assert shown.status_code == 200
        assert shown.get_json() == {"extension": ext}
    for alias in ("provider", "external-net", "binding", "quotas", "allowed-address-pairs",
                  "extra_dhcp_opt", "standard-attr-tag", "subnet_allocation"):
        assert alias in aliases
    for alias in ("dns-integration", "qos", "dvr"):
        assert alias not in aliases


def test_unknown_extension_is_404(demo):
    assert fault(demo.get("/v2.0/extensions/no-such")) == (404, "ExtensionNotFound")


def test_unknown_path_and_method(demo):
    assert fault(demo.get("/v2.0/no-such-things")) == (404, "HTTPNotFound")
    assert fault(demo.patch("/v2.0/networks", json={})) == (405, "HTTPMethodNotAllowed")


def test_json_suffix_is_accepted(demo):
    network = demo.network(name="suffix")
    response = demo.get(f"/v2.0/networks/{network['id']}.json")
    assert response.status_code == 200
    assert response.get_json()["network"]["name"] == "suffix"


def test_malformed_body_is_400(demo):
    response = demo.post("/v2.0/networks", data=b"{nope",
                         headers={"Content-Type": "application/json"})
    assert fault(response) == (400, "HTTPBadRequest")


def test_availability_zones(demo):
    body = demo.get("/v2.0/availability_zones").get_json()
    assert body == {"availability_zones": [
        {"name": "nova", "resource": "network", "state": "available"},
        {"name": "nova", "resource": "router", "state": "available"}]}
    body = demo.get("/v2.0/availability_zones?resource=router").get_json()
    assert [z["resource"] for z in body["availability_zones"]] == ["router"]
    assert fault(demo.get("/v2.0/availability_zones?color=red")) == (400, "HTTPBadRequest")
