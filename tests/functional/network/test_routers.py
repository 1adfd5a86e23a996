"""Routers: CRUD, external gateways (ext-gw-mode), availability zones,
policy, quotas, tags and notifications."""
import pytest

from tests.functional.network.conftest import fault

PUBLIC_CIDR = "172.24.4.0/24"


@pytest.fixture
def public(admin):
    network = admin.network(name="public", **{"router:external": True})
    admin.subnet(network["id"], cidr=PUBLIC_CIDR)
    return network


def _router(client, **body):
    return client.post("/v2.0/routers", json={"router": body})


def _gateway_ports(admin, router_id):
    return admin.get(f"/v2.0/ports?device_id={router_id}"
                     "&device_owner=network:router_gateway").get_json()["ports"]


def test_create_show_list_update_delete(demo, notifier):
    router = demo.make("router", name="r1", admin_state_up=False)
    assert set(router) == {
        "id", "name", "tenant_id", "project_id", "description", "tags", "created_at",
        "updated_at", "revision_number", "admin_state_up", "status", "external_gateway_info",
        "routes", "availability_zone_hints", "availability_zones"}
    assert (router["name"], router["admin_state_up"], router["status"]) == ("r1", False,
                                                                              "ACTIVE")
    assert router["external_gateway_info"] is None and router["routes"] == []
    assert (router["project_id"], router["tenant_id"]) == (demo.project, demo.project)
    assert router["availability_zones"] == ["nova"]
    path = f"/v2.0/routers/{router['id']}"
    assert demo.get(path).get_json()["router"] == router
    listed = demo.get("/v2.0/routers").get_json()["routers"]
    assert [r["id"] for r in listed] == [router["id"]]
    updated = demo.put(path, json={"router": {"name": "r2", "admin_state_up": True}})
    body = updated.get_json()["router"]
    assert (body["name"], body["admin_state_up"], body["revision_number"]) == ("r2", True, 1)
    assert demo.delete(path).status_code == 204
    assert fault(demo.get(path)) == (404, "RouterNotFound")
    assert notifier.types()[-3:] == ["router.create.end", "router.update.end",
                                     "router.delete.end"]
    assert notifier.events[-1][1]["router_id"] == router["id"]


def test_other_projects_routers_are_404(demo, alt, admin):
    router = demo.make("router", name="mine")
    path = f"/v2.0/routers/{router['id']}"
    assert fault(alt.get(path)) == (404, "RouterNotFound")
    assert fault(alt.put(path, json={"router": {"name": "x"}})) == (404, "RouterNotFound")
    assert fault(alt.delete(path)) == (404, "RouterNotFound")
    assert alt.get("/v2.0/routers").get_json()["routers"] == []
    assert [r["id"] for r in admin.get("/v2.0/routers").get_json()["routers"]] == \
        [router["id"]]
    for missing in ("/v2.0/routers/nope", "/v2.0/routers/non_exist_router"):
        assert fault(demo.get(missing)) == (404, "RouterNotFound")
        assert fault(demo.delete(missing)) == (404, "RouterNotFound")


def test_admin_creates_for_another_project(admin, demo):
    router = admin.make("router", name="for-demo", project_id=demo.project)
    assert router["project_id"] == demo.project
    assert demo.get(f"/v2.0/routers/{router['id']}").status_code == 200
    refused = _router(demo, name="x", project_id=admin.project)
    assert fault(refused) == (400, "HTTPBadRequest")


def test_filters_sorting_and_bad_input(demo):
    for name in ("b", "a", "c"):
        demo.make("router", name=name, admin_state_up=name != "c")
    names = [r["name"] for r in demo.get("/v2.0/routers?sort_key=name&sort_dir=desc")
             .get_json()["routers"]]
    assert names == ["c", "b", "a"]
    down = demo.get("/v2.0/routers?admin_state_up=False").get_json()["routers"]
    assert [r["name"] for r in down] == ["c"]
    assert fault(demo.get("/v2.0/routers?status=ACTIVE")) == (400, "HTTPBadRequest")
    assert fault(_router(demo, status="DOWN")) == (400, "HTTPBadRequest")
    assert fault(_router(demo, routes=[])) == (400, "HTTPBadRequest")
    assert fault(_router(demo, bogus=1)) == (400, "HTTPBadRequest")


def test_gateway_set_on_create_with_snat_default(demo, admin, public):
    router = demo.make("router", external_gateway_info={"network_id": public["id"]})
    info = router["external_gateway_info"]
    assert (info["network_id"], info["enable_snat"]) == (public["id"], True)
    [fixed] = info["external_fixed_ips"]
    [port] = _gateway_ports(admin, router["id"])
    assert port["fixed_ips"] == [fixed]
    assert (port["project_id"], port["network_id"]) == ("", public["id"])
    assert port["device_owner"] == "network:router_gateway"
    assert fixed["ip_address"].startswith("172.24.4.")
    # the gateway port is nobody's: the router's owner does not see it
    assert demo.get(f"/v2.0/ports/{port['id']}").status_code == 404


def test_tempest_style_empty_gateway_means_none(demo, public):
    router = demo.make("router", external_gateway_info={}, admin_state_up=False)
    assert router["external_gateway_info"] is None


def test_member_may_not_choose_snat_or_addresses(demo, admin, public):
    refused = _router(demo, external_gateway_info={"network_id": public["id"],
                                                   "enable_snat": True})
    assert fault(refused) == (403, "PolicyNotAuthorized")
    refused = _router(demo, external_gateway_info={
        "network_id": public["id"], "external_fixed_ips": [{"ip_address": "172.24.4.50"}]})
    assert fault(refused) == (403, "PolicyNotAuthorized")
    router = demo.make("router")
    path = f"/v2.0/routers/{router['id']}"
    refused = demo.put(path, json={"router": {"external_gateway_info": {
        "network_id": public["id"], "enable_snat": False}}})
    assert fault(refused) == (403, "PolicyNotAuthorized")
    for snat in (False, True):
        made = admin.make("router", external_gateway_info={"network_id": public["id"],
                                                           "enable_snat": snat})
        shown = admin.get(f"/v2.0/routers/{made['id']}").get_json()["router"]
        assert shown["external_gateway_info"]["enable_snat"] is snat


def test_update_set_reset_and_unset_gateway(demo, admin, public):
    router = demo.make("router")
    path = f"/v2.0/routers/{router['id']}"
    body = demo.put(path, json={"router": {"external_gateway_info": {
        "network_id": public["id"]}}}).get_json()["router"]
    assert body["external_gateway_info"]["network_id"] == public["id"]
    [port] = _gateway_ports(admin, router["id"])
    snatless = admin.put(path, json={"router": {"external_gateway_info": {
        "network_id": public["id"], "enable_snat": False}}}).get_json()["router"]
    assert snatless["external_gateway_info"]["enable_snat"] is False
    assert [p["id"] for p in _gateway_ports(admin, router["id"])] == [port["id"]]
    again = demo.put(path, json={"router": {"external_gateway_info": {
        "network_id": public["id"]}}}).get_json()["router"]
    assert again["external_gateway_info"]["enable_snat"] is True
    cleared = demo.put(path, json={"router": {"external_gateway_info": {}}})
    assert cleared.get_json()["router"]["external_gateway_info"] is None
    assert _gateway_ports(admin, router["id"]) == []
    assert admin.get(f"/v2.0/ports/{port['id']}").status_code == 404
    demo.put(path, json={"router": {"external_gateway_info": {"network_id": public["id"]}}})
    nulled = demo.put(path, json={"router": {"external_gateway_info": None}})
    assert nulled.get_json()["router"]["external_gateway_info"] is None


def test_gateway_with_fixed_ip_and_changing_it(admin, public):
    subnet_id = admin.get(f"/v2.0/networks/{public['id']}").get_json()["network"]["subnets"][0]
    wanted = {"subnet_id": subnet_id, "ip_address": "172.24.4.77"}
    router = admin.make("router", external_gateway_info={
        "network_id": public["id"], "external_fixed_ips": [wanted]})
    assert router["external_gateway_info"]["external_fixed_ips"] == [wanted]
    [port] = _gateway_ports(admin, router["id"])
    moved = admin.put(f"/v2.0/routers/{router['id']}", json={"router": {
        "external_gateway_info": {"network_id": public["id"], "external_fixed_ips": [
            {"ip_address": "172.24.4.78"}]}}}).get_json()["router"]
    assert moved["external_gateway_info"]["external_fixed_ips"] == [
        {"subnet_id": subnet_id, "ip_address": "172.24.4.78"}]
    assert [p["id"] for p in _gateway_ports(admin, router["id"])] == [port["id"]]
    taken = _router(admin, external_gateway_info={
        "network_id": public["id"], "external_fixed_ips": [{"ip_address": "172.24.4.78"}]})
    assert fault(taken) == (409, "IpAddressAlreadyAllocated")
    gateway_ip = _router(admin, external_gateway_info={
        "network_id": public["id"], "external_fixed_ips": [{"ip_address": "172.24.4.1"}]})
    assert fault(gateway_ip) == (400, "BadRequest")


def test_gateway_network_must_be_external_and_visible(demo, alt, public):
    private = demo.network()
    demo.subnet(private["id"], cidr="10.9.0.0/24")
    router = demo.make("router")
    path = f"/v2.0/routers/{router['id']}"
    internal = demo.put(path, json={"router": {"external_gateway_info": {
        "network_id": private["id"]}}})
    assert fault(internal) == (400, "BadRequest")
    missing = demo.put(path, json={"router": {"external_gateway_info": {
        "network_id": router["id"]}}})
    assert fault(missing) == (404, "NetworkNotFound")
    foreign = alt.network()
    hidden = demo.put(path, json={"router": {"external_gateway_info": {
        "network_id": foreign["id"]}}})
    assert fault(hidden) == (404, "NetworkNotFound")
    for bad in ({"network_id": "not-a-uuid"}, {"enable_snat": True}, {"network_id": public[
            "id"], "colour": "red"}, "public", {"network_id": public["id"],
                                                "external_fixed_ips": [{"ip_address": "x"}]}):
        response = demo.put(path, json={"router": {"external_gateway_info": bad}})
        assert fault(response) == (400, "HTTPBadRequest"), bad


def test_gateway_ports_block_the_external_network(demo, admin, public):
    router = demo.make("router", external_gateway_info={"network_id": public["id"]})
    [port] = _gateway_ports(admin, router["id"])
    assert fault(admin.delete(f"/v2.0/networks/{public['id']}")) == (409, "NetworkInUse")
    assert fault(admin.delete(f"/v2.0/ports/{port['id']}")) == (409, "ServicePortInUse")
    internal = admin.put(f"/v2.0/networks/{public['id']}",
                         json={"network": {"router:external": False}})
    assert fault(internal) == (409, "ExternalNetworkInUse")
    assert demo.delete(f"/v2.0/routers/{router['id']}").status_code == 204
    made_internal = admin.put(f"/v2.0/networks/{public['id']}",
                              json={"network": {"router:external": False}})
    assert made_internal.get_json()["network"]["router:external"] is False
    assert admin.get(f"/v2.0/ports/{port['id']}").status_code == 404
    assert admin.delete(f"/v2.0/networks/{public['id']}").status_code == 204


def test_gateway_overlapping_an_interface_is_refused(demo, admin, public):
    private = demo.network()
    subnet = demo.subnet(private["id"], cidr="172.24.4.0/25")
    router = demo.make("router")
    demo.put(f"/v2.0/routers/{router['id']}/add_router_interface",
             json={"subnet_id": subnet["id"]})
    response = demo.put(f"/v2.0/routers/{router['id']}", json={"router": {
        "external_gateway_info": {"network_id": public["id"]}}})
    assert fault(response) == (400, "BadRequest")
    assert _gateway_ports(admin, router["id"]) == []


def test_availability_zone_hints(demo):
    router = demo.make("router", availability_zone_hints=["nova"])
    assert router["availability_zone_hints"] == ["nova"]
    assert demo.make("router")["availability_zone_hints"] == []
    unknown = _router(demo, availability_zone_hints=["mars"])
    assert fault(unknown) == (404, "AvailabilityZoneNotFound")
    readonly = demo.put(f"/v2.0/routers/{router['id']}",
                        json={"router": {"availability_zone_hints": []}})
    assert fault(readonly) == (400, "HTTPBadRequest")


def test_quota_and_bulk(cloud, tmp_path, admin, demo):
    admin.put(f"/v2.0/quotas/{demo.project}", json={"quota": {"router": 2}})
    response = demo.post("/v2.0/routers", json={"routers": [{"name": "a"}, {"name": "b"}]})
    assert response.status_code == 201
    assert [r["name"] for r in response.get_json()["routers"]] == ["a", "b"]
    assert fault(_router(demo, name="c")) == (409, "OverQuota")
    details = admin.get(f"/v2.0/quotas/{demo.project}/details").get_json()["quota"]
    assert details["router"]["used"] == 2


def test_tags_and_revision_guard(demo):
    router = demo.make("router", tags=["blue"])
    assert router["tags"] == ["blue"]
    path = f"/v2.0/routers/{router['id']}"
    assert demo.put(f"{path}/tags/green").status_code == 201
    assert demo.get(f"{path}/tags").get_json()["tags"] == ["blue", "green"]
    assert [r["id"] for r in demo.get("/v2.0/routers?tags=green").get_json()["routers"]] == \
        [router["id"]]
    stale = demo.put(path, json={"router": {"name": "x"}},
                     headers={"If-Match": "revision_number=0"})
    assert fault(stale) == (412, "RevisionNumberConstraintFailed")


def test_extensions_are_listed(demo):
    aliases = {ext["alias"] for ext in demo.get("/v2.0/extensions").get_json()["extensions"]}
    assert {"router", "ext-gw-mode", "extraroute", "extraroute-atomic", "fip-port-details",
            "router_availability_zone", "floatingip-pools", "external-net"} <= aliases
    assert {"dvr", "l3-ha", "l3_agent_scheduler", "dns-integration"}.isdisjoint(aliases)
