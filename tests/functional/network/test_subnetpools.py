"""Subnet pools and subnets carved out of them."""
import ipaddress

import pytest

from tests.functional.network.conftest import fault


def _pool(client, **body):
    return client.post("/v2.0/subnetpools", json={"subnetpool": body})


def _subnet(client, **body):
    return client.post("/v2.0/subnets", json={"subnet": body})


def test_create_show_update_delete(demo, notifier):
    pool = demo.subnetpool(name="p", prefixes=["10.10.0.0/16", "10.11.0.0/16"],
                           default_prefixlen=24)
    assert pool["prefixes"] == ["10.10.0.0/15"]
    assert (pool["ip_version"], pool["min_prefixlen"], pool["max_prefixlen"],
            pool["default_prefixlen"]) == (4, 8, 32, 24)
    assert (pool["shared"], pool["is_default"], pool["default_quota"],
            pool["address_scope_id"]) == (False, False, None, None)
    path = f"/v2.0/subnetpools/{pool['id']}"
    assert demo.get(path).get_json()["subnetpool"]["name"] == "p"
    updated = demo.put(path, json={"subnetpool": {"name": "q", "prefixes": [
        "10.10.0.0/15", "10.20.0.0/16"]}}).get_json()["subnetpool"]
    assert updated["name"] == "q"
    assert updated["prefixes"] == ["10.10.0.0/15", "10.20.0.0/16"]
    shrink = demo.put(path, json={"subnetpool": {"prefixes": ["10.20.0.0/16"]}})
    assert fault(shrink) == (400, "IllegalSubnetPoolPrefixUpdate")
    assert demo.delete(path).status_code == 204
    assert fault(demo.get(path)) == (404, "SubnetPoolNotFound")
    assert [event for event, _ in notifier.events] == [
        "subnetpool.create.end", "subnetpool.update.end", "subnetpool.delete.end"]


@pytest.mark.parametrize("body, expected", [
    ({"prefixes": []}, (400, "EmptySubnetPoolPrefixList")),
    ({"prefixes": ["10.0.0.0/8", "2001:db8::/32"]}, (400, "PrefixVersionMismatch")),
    ({"prefixes": ["10.0.0.0/8"], "min_prefixlen": 28, "max_prefixlen": 24},
     (400, "IllegalSubnetPoolPrefixBounds")),
    ({"prefixes": ["10.0.0.0/8"], "default_prefixlen": 4}, (400, "IllegalSubnetPoolPrefixBounds")),
    ({"prefixes": ["10.0.0.0/8"], "max_prefixlen": 33}, (400, "IllegalSubnetPoolPrefixBounds")),
    ({"prefixes": ["nonsense"]}, (400, "HTTPBadRequest")),
    ({}, (400, "HTTPBadRequest")),
    ({"prefixes": ["10.0.0.0/8"], "shared": True}, (403, "PolicyNotAuthorized")),
    ({"prefixes": ["10.0.0.0/8"], "is_default": True}, (403, "PolicyNotAuthorized")),
])
def test_bad_pools(demo, body, expected):
    assert fault(_pool(demo, **body)) == expected


def test_subnets_from_a_pool(demo):
    pool = demo.subnetpool(prefixes=["10.10.0.0/22"], default_prefixlen=24,
                           min_prefixlen=23, max_prefixlen=28)
    network = demo.network()
    first = demo.make("subnet", network_id=network["id"], ip_version=4,
                      subnetpool_id=pool["id"])
    assert (first["cidr"], first["subnetpool_id"]) == ("10.10.0.0/24", pool["id"])
    assert first["gateway_ip"] == "10.10.0.1"
    small = demo.make("subnet", network_id=network["id"], ip_version=4,
                      subnetpool_id=pool["id"], prefixlen=28)
    assert small["cidr"] == "10.10.1.0/28"
    chosen = demo.make("subnet", network_id=network["id"], ip_version=4,
                       subnetpool_id=pool["id"], cidr="10.10.2.0/24")
    assert chosen["cidr"] == "10.10.2.0/24"
    overlap = _subnet(demo, network_id=demo.network()["id"], ip_version=4,
                      subnetpool_id=pool["id"], cidr="10.10.2.128/25")
    assert fault(overlap) == (409, "SubnetAllocationError")
    outside = _subnet(demo, network_id=demo.network()["id"], ip_version=4,
                      subnetpool_id=pool["id"], cidr="10.99.0.0/24")
    assert fault(outside) == (409, "SubnetAllocationError")
    too_big = _subnet(demo, network_id=demo.network()["id"], ip_version=4,
                      subnetpool_id=pool["id"], prefixlen=22)
    assert fault(too_big) == (400, "MinPrefixSubnetAllocationError")
    too_small = _subnet(demo, network_id=demo.network()["id"], ip_version=4,
                        subnetpool_id=pool["id"], prefixlen=30)
    assert fault(too_small) == (400, "MaxPrefixSubnetAllocationError")
    demo.make("subnet", network_id=demo.network()["id"], ip_version=4,
              subnetpool_id=pool["id"], prefixlen=24)
    full = _subnet(demo, network_id=demo.network()["id"], ip_version=4,
                   subnetpool_id=pool["id"], prefixlen=24)
    assert fault(full) == (409, "SubnetAllocationError")
    in_use = demo.delete(f"/v2.0/subnetpools/{pool['id']}")
    assert fault(in_use) == (409, "SubnetPoolInUse")
    version = _subnet(demo, network_id=demo.network()["id"], ip_version=6,
                      subnetpool_id=pool["id"])
    assert fault(version) == (400, "InvalidInput")
    mixed = _subnet(demo, network_id=network["id"], ip_version=4, cidr="192.168.0.0/24")
    assert fault(mixed) == (400, "NetworkSubnetPoolAffinityError")


def test_ipv6_pool_and_default_pool(admin, demo):
    pool = admin.subnetpool(prefixes=["2001:db8::/48"], shared=True, is_default=True)
    assert (pool["ip_version"], pool["default_prefixlen"]) == (6, 64)
    second = _pool(admin, prefixes=["2001:db9::/48"], is_default=True)
    assert fault(second) == (400, "InvalidInput")
    subnet = demo.make("subnet", network_id=demo.network()["id"], ip_version=6,
                       use_default_subnetpool=True)
    assert ipaddress.ip_network(subnet["cidr"]).subnet_of(ipaddress.ip_network(
        "2001:db8::/48"))
    none = _subnet(demo, network_id=demo.network()["id"], ip_version=4,
                   use_default_subnetpool=True)
    assert fault(none) == (400, "BadRequest")


def test_visibility(admin, demo, alt):
    private = demo.subnetpool(prefixes=["10.50.0.0/16"])
    shared = admin.subnetpool(prefixes=["10.60.0.0/16"], shared=True)
    seen = {p["id"] for p in alt.get("/v2.0/subnetpools").get_json()["subnetpools"]}
    assert seen == {shared["id"]}
    assert fault(alt.get(f"/v2.0/subnetpools/{private['id']}")) == (404, "SubnetPoolNotFound")
    carve = _subnet(alt, network_id=alt.network()["id"], ip_version=4,
                    subnetpool_id=private["id"])
    assert fault(carve) == (404, "SubnetPoolNotFound")
    assert alt.make("subnet", network_id=alt.network()["id"], ip_version=4,
                    subnetpool_id=shared["id"], prefixlen=24)["cidr"] == "10.60.0.0/24"
    response = alt.put(f"/v2.0/subnetpools/{shared['id']}", json={"subnetpool": {"name": "x"}})
    assert fault(response) == (403, "PolicyNotAuthorized")


def test_add_and_remove_prefixes(demo):
    pool = demo.subnetpool(prefixes=["10.70.0.0/24"], default_prefixlen=26)
    path = f"/v2.0/subnetpools/{pool['id']}"
    added = demo.put(f"{path}/add_prefixes", json={"prefixes": ["10.70.1.0/24"]})
    assert added.get_json() == {"prefixes": ["10.70.0.0/23"]}
    subnet = demo.make("subnet", network_id=demo.network()["id"], ip_version=4,
                       subnetpool_id=pool["id"])
    assert subnet["cidr"] == "10.70.0.0/26"
    in_use = demo.put(f"{path}/remove_prefixes", json={"prefixes": ["10.70.0.0/24"]})
    assert fault(in_use) == (400, "IllegalSubnetPoolPrefixUpdate")
    removed = demo.put(f"{path}/remove_prefixes", json={"prefixes": ["10.70.1.0/24"]})
    assert removed.get_json() == {"prefixes": ["10.70.0.0/24"]}


def test_pool_quota(demo):
    pool = demo.subnetpool(prefixes=["10.80.0.0/16"], default_prefixlen=24,
                           default_quota=300)
    demo.make("subnet", network_id=demo.network()["id"], ip_version=4,
              subnetpool_id=pool["id"])
    over = _subnet(demo, network_id=demo.network()["id"], ip_version=4,
                   subnetpool_id=pool["id"])
    assert fault(over) == (409, "SubnetPoolQuotaExceeded")
