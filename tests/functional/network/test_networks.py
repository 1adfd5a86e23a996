"""Networks: shape, provider attributes, visibility, policy, changes, deletion."""
from tests.functional.network.conftest import fault

PROVIDER = ("provider:network_type", "provider:physical_network", "provider:segmentation_id")


def test_create_shows_neutron_shape(demo, notifier):
    network = demo.network(name="blue", description="d1")
    assert set(network) == {
        "id", "name", "tenant_id", "project_id", "description", "tags", "created_at",
        "updated_at", "revision_number", "admin_state_up", "mtu", "status", "subnets",
        "shared", "availability_zone_hints", "availability_zones", "ipv4_address_scope",
        "ipv6_address_scope", "router:external", "port_security_enabled", "is_default",
        "l2_adjacency"}
    assert network["project_id"] == network["tenant_id"] == demo.project
    assert (network["status"], network["mtu"], network["shared"]) == ("ACTIVE", 1450, False)
    assert network["created_at"].endswith("Z") and "." not in network["created_at"]
    assert network["revision_number"] == 0
    assert notifier.events[-1] == ("network.create.end", {"network": {
        **network, **{key: notifier.events[-1][1]["network"][key] for key in PROVIDER}}})
    assert notifier.events[-1][1]["network"]["provider:network_type"] == "vxlan"


def test_admin_sees_provider_attributes_and_vnis_are_unique(admin, demo):
    first, second = demo.network(), demo.network()
    assert not any(key in first for key in PROVIDER)
    shown = [admin.get(f"/v2.0/networks/{n['id']}").get_json()["network"]
             for n in (first, second)]
    assert [n["provider:network_type"] for n in shown] == ["vxlan", "vxlan"]
    assert shown[0]["provider:segmentation_id"] != shown[1]["provider:segmentation_id"]
    assert shown[0]["provider:physical_network"] is None


def test_admin_creates_flat_and_picks_vni(admin):
    flat = admin.network(**{"provider:network_type": "flat",
                            "provider:physical_network": "public", "router:external": True})
    assert (flat["provider:network_type"], flat["mtu"], flat["router:external"]) == \
        ("flat", 1500, True)
    again = admin.post("/v2.0/networks", json={"network": {
        "provider:network_type": "flat", "provider:physical_network": "public"}})
    assert fault(again) == (409, "FlatNetworkInUse")
    vxlan = admin.network(**{"provider:network_type": "vxlan",
                             "provider:segmentation_id": 5000})
    assert vxlan["provider:segmentation_id"] == 5000
    taken = admin.post("/v2.0/networks", json={"network": {
        "provider:network_type": "vxlan", "provider:segmentation_id": 5000}})
    assert fault(taken) == (409, "TunnelIdInUse")
    local = admin.network(**{"provider:network_type": "local"})
    assert local["provider:segmentation_id"] is None
    bad = admin.post("/v2.0/networks", json={"network": {"provider:network_type": "gre"}})
    assert fault(bad) == (400, "InvalidInput")
    flat_with_id = admin.post("/v2.0/networks", json={"network": {
        "provider:network_type": "flat", "provider:physical_network": "x",
        "provider:segmentation_id": 3}})
    assert fault(flat_with_id) == (400, "InvalidInput")


def test_vni_range_exhaustion_is_503(cloud, tmp_path):
    from tests.functional.network.conftest import build_network, client_for
    app = build_network(cloud, tmp_path, vni_ranges=["7:8"])
    demo = client_for(cloud, app, "demo")
    demo.network()
    demo.network()
    assert fault(demo.post("/v2.0/networks", json={"network": {}})) == \
        (503, "NoNetworkAvailable")
    app.extensions["network"].db.dispose()


def test_non_admin_cannot_set_admin_attributes(demo):
    for body in ({"shared": True}, {"router:external": True},
                 {"provider:network_type": "local"}, {"is_default": True}):
        response = demo.post("/v2.0/networks", json={"network": body})
        assert fault(response) == (403, "PolicyNotAuthorized"), body
    assert demo.post("/v2.0/networks", json={"network": {"shared": False}}).status_code == 201


def test_bad_bodies(demo):
    assert fault(demo.post("/v2.0/networks", json={"network": {"color": "red"}})) == \
        (400, "HTTPBadRequest")
    assert fault(demo.post("/v2.0/networks", json={"network": {"status": "DOWN"}})) == \
        (400, "HTTPBadRequest")
    assert fault(demo.post("/v2.0/networks", json={"net": {}})) == (400, "HTTPBadRequest")
    response = demo.post("/v2.0/networks", json={"network": {"admin_state_up": "maybe"}})
    assert fault(response) == (400, "HTTPBadRequest")
    assert "admin_state_up" in response.get_json()["NeutronError"]["message"]
    response = demo.post("/v2.0/networks", json={"network": {"name": "x" * 256}})
    assert fault(response) == (400, "HTTPBadRequest")
    other = demo.post("/v2.0/networks", json={"network": {"project_id": "someone-else"}})
    assert fault(other) == (400, "HTTPBadRequest")
    network = demo.network()
    read_only = demo.put(f"/v2.0/networks/{network['id']}", json={"network": {"status": "X"}})
    assert fault(read_only) == (400, "HTTPBadRequest")
    assert "read-only" in read_only.get_json()["NeutronError"]["message"]


def test_mtu_is_writable_within_the_type(demo):
    network = demo.network(mtu=1400)
    assert network["mtu"] == 1400
    too_big = demo.post("/v2.0/networks", json={"network": {"mtu": 9000}})
    assert fault(too_big) == (400, "InvalidInput")
    updated = demo.put(f"/v2.0/networks/{network['id']}", json={"network": {"mtu": 1450}})
    assert updated.get_json()["network"]["mtu"] == 1450


def test_availability_zone_hints(demo):
    network = demo.network(availability_zone_hints=["nova"])
    assert network["availability_zone_hints"] == ["nova"]
    missing = demo.post("/v2.0/networks",
                        json={"network": {"availability_zone_hints": ["mars"]}})
    assert fault(missing) == (404, "AvailabilityZoneNotFound")


def test_private_networks_are_404_to_others(demo, alt):
    network = demo.network()
    for call in (alt.get, alt.delete):
        assert fault(call(f"/v2.0/networks/{network['id']}")) == (404, "NetworkNotFound")
    response = alt.put(f"/v2.0/networks/{network['id']}", json={"network": {"name": "x"}})
    assert fault(response) == (404, "NetworkNotFound")
    assert alt.get("/v2.0/networks").get_json()["networks"] == []


def test_shared_and_external_networks_are_visible_but_not_writable(admin, alt):
    shared = admin.network(name="shared", shared=True)
    external = admin.network(name="ext", **{"router:external": True})
    listed = {n["id"] for n in alt.get("/v2.0/networks").get_json()["networks"]}
    assert listed == {shared["id"], external["id"]}
    assert alt.get(f"/v2.0/networks/{shared['id']}").status_code == 200
    response = alt.put(f"/v2.0/networks/{shared['id']}", json={"network": {"name": "x"}})
    assert fault(response) == (403, "PolicyNotAuthorized")
    assert fault(alt.delete(f"/v2.0/networks/{external['id']}")) == (403, "PolicyNotAuthorized")
    externals = alt.get("/v2.0/networks?router:external=True").get_json()["networks"]
    assert [n["id"] for n in externals] == [external["id"]]


def test_unsharing_with_foreign_ports_is_409(admin, alt):
    shared = admin.network(shared=True)
    admin.subnet(shared["id"])
    alt.port(shared["id"])
    response = admin.put(f"/v2.0/networks/{shared['id']}", json={"network": {"shared": False}})
    assert fault(response) == (409, "InvalidSharedSetting")


def test_update_bumps_revision_and_honours_if_match(demo, notifier):
    network = demo.network(name="a")
    path = f"/v2.0/networks/{network['id']}"
    updated = demo.put(path, json={"network": {"name": "b", "description": "d2"}})
    body = updated.get_json()["network"]
    assert (body["name"], body["description"], body["revision_number"]) == ("b", "d2", 1)
    assert notifier.events[-1][0] == "network.update.end"
    stale = demo.put(path, json={"network": {"name": "c"}},
                     headers={"If-Match": "revision_number=0"})
    assert fault(stale) == (412, "RevisionNumberConstraintFailed")
    fresh = demo.put(path, json={"network": {"name": "c"}},
                     headers={"If-Match": "revision_number=1"})
    assert fresh.get_json()["network"]["revision_number"] == 2
    assert demo.put(path, json={"network": {"provider:network_type": "local"}}).status_code \
        == 403


def test_provider_attributes_cannot_change(admin):
    network = admin.network()
    response = admin.put(f"/v2.0/networks/{network['id']}",
                         json={"network": {"provider:network_type": "local"}})
    assert fault(response) == (400, "InvalidInput")


def test_delete_refuses_ports_but_takes_dhcp_port_and_subnets(admin, demo, notifier):
    network = demo.network()
    subnet = demo.subnet(network["id"])
    port = demo.port(network["id"])
    admin.port(network["id"], device_owner="network:dhcp")
    response = demo.delete(f"/v2.0/networks/{network['id']}")
    assert fault(response) == (409, "NetworkInUse")
    assert "There are one or more ports still in use on the network" in \
        response.get_json()["NeutronError"]["message"]
    assert demo.delete(f"/v2.0/ports/{port['id']}").status_code == 204
    assert demo.delete(f"/v2.0/networks/{network['id']}").status_code == 204
    assert fault(demo.get(f"/v2.0/subnets/{subnet['id']}")) == (404, "SubnetNotFound")
    assert admin.get("/v2.0/ports").get_json()["ports"] == []
    event, payload = notifier.events[-1]
    assert event == "network.delete.end" and payload["network_id"] == network["id"]
    assert fault(demo.delete(f"/v2.0/networks/{network['id']}")) == (404, "NetworkNotFound")


def test_subnets_list_and_revision_follow_subnets(demo):
    network = demo.network()
    first = demo.subnet(network["id"], cidr="10.1.0.0/24")
    second = demo.subnet(network["id"], cidr="10.2.0.0/24")
    shown = demo.get(f"/v2.0/networks/{network['id']}").get_json()["network"]
    assert shown["subnets"] == [first["id"], second["id"]]  # creation order
    assert shown["revision_number"] == 2


def test_bulk_create(demo):
    response = demo.post("/v2.0/networks", json={"networks": [{"name": "a"}, {"name": "b"}]})
    assert response.status_code == 201
    assert [n["name"] for n in response.get_json()["networks"]] == ["a", "b"]
    failing = demo.post("/v2.0/networks", json={"networks": [{"name": "c"}, {"shared": 3}]})
    assert failing.status_code == 400
    names = {n["name"] for n in demo.get("/v2.0/networks").get_json()["networks"]}
    assert names == {"a", "b"}


def test_quota_is_enforced(admin, demo):
    response = admin.put(f"/v2.0/quotas/{demo.project}", json={"quota": {"network": 1}})
    assert response.status_code == 200
    demo.network()
    over = demo.post("/v2.0/networks", json={"network": {}})
    assert fault(over) == (409, "OverQuota")
    assert over.get_json()["NeutronError"]["message"] == \
        "Quota exceeded for resources: ['network']."
