"""Tags on networks, subnets, ports and subnet pools, and tag filters."""
import pytest

from tests.functional.network.conftest import fault


@pytest.fixture
def resources(demo):
    network = demo.network()
    subnet = demo.subnet(network["id"])
    port = demo.port(network["id"])
    pool = demo.subnetpool(prefixes=["10.200.0.0/16"])
    return {"networks": network, "subnets": subnet, "ports": port, "subnetpools": pool}


def test_tempest_tag_sequence(demo, resources):
    for collection, resource in resources.items():
        path = f"/v2.0/{collection}/{resource['id']}/tags"
        assert demo.put(f"{path}/red", json={}).status_code == 201
        assert demo.put(f"{path}/red").status_code == 201
        assert demo.get(f"{path}/red").status_code == 204
        assert demo.get(path).get_json() == {"tags": ["red"]}
        response = demo.put(path, json={"tags": ["a", "b", "c"]})
        assert response.status_code == 200
        assert sorted(response.get_json()["tags"]) == ["a", "b", "c"]
        assert demo.delete(f"{path}/a").status_code == 204
        assert fault(demo.get(f"{path}/a")) == (404, "TagNotFound")
        assert fault(demo.delete(f"{path}/a")) == (404, "TagNotFound")
        assert demo.delete(path).status_code == 204
        assert fault(demo.get(f"{path}/b")) == (404, "TagNotFound")
        shown = demo.get(f"/v2.0/{collection}/{resource['id']}").get_json()
        assert shown[collection[:-1]]["revision_number"] >= 4


def test_tags_are_shown_and_filter(demo):
    nets = {name: demo.network(name=name) for name in ("one", "two", "three")}
    for name, tags in (("one", ["a", "b"]), ("two", ["b"]), ("three", ["c"])):
        demo.put(f"/v2.0/networks/{nets[name]['id']}/tags", json={"tags": tags})
    assert demo.get(f"/v2.0/networks/{nets['one']['id']}").get_json()["network"]["tags"] == \
        ["a", "b"]

    def names(query):
        return sorted(n["name"] for n in demo.get(f"/v2.0/networks?{query}").get_json()[
            "networks"])
    assert names("tags=a,b") == ["one"]
    assert names("tags=b") == ["one", "two"]
    assert names("tags=a&tags=b") == ["one"]
    assert names("tags-any=a,c") == ["one", "three"]
    assert names("not-tags=a,b") == ["three", "two"]
    assert names("not-tags-any=b") == ["three"]


def test_tags_on_create(demo):
    network = demo.network(tags=["x", "y"])
    assert network["tags"] == ["x", "y"]
    port = demo.port(network["id"], tags=["p"])
    assert port["tags"] == ["p"]


def test_bad_tags(demo, resources):
    path = f"/v2.0/networks/{resources['networks']['id']}/tags"
    assert fault(demo.put(path, json={"tags": "nope"})) == (400, "HTTPBadRequest")
    assert fault(demo.put(path, json={"tags": ["a", "a"]})) == (400, "HTTPBadRequest")
    assert fault(demo.put(path, json={})) == (400, "InvalidInput")
    too_many = [f"t{i}" for i in range(51)]
    assert fault(demo.put(path, json={"tags": too_many})) == (400, "BadRequest")
    assert fault(demo.put(f"{path}/{'x' * 256}")) == (400, "HTTPBadRequest")
    assert fault(demo.get("/v2.0/widgets/1/tags")) == (404, "NotFound")


def test_tags_of_invisible_or_read_only_resources(admin, demo, alt, resources):
    path = f"/v2.0/networks/{resources['networks']['id']}/tags"
    assert fault(alt.get(path)) == (404, "NetworkNotFound")
    assert fault(alt.put(f"{path}/x")) == (404, "NetworkNotFound")
    shared = admin.network(shared=True)
    shared_path = f"/v2.0/networks/{shared['id']}/tags"
    assert alt.get(shared_path).status_code == 200
    assert fault(alt.put(f"{shared_path}/x")) == (403, "PolicyNotAuthorized")
