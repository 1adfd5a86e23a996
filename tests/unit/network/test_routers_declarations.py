"""Routers and floating IPs: declared filters and sort keys are answerable,
every guarded attribute has its rules, and the edge parsers of gateway
info and routes accept and refuse what Neutron does."""
import pytest

from network import policies
from network.api import floating_ips, routers
from network.manager import floating_ips as fip_rules
from network.manager import query
from network.manager import routers as router_rules

RULES = {rule.name for rule in policies.list_rules()}
STANDARD_FILTERS = set(query.TAG_FILTERS) | {"changed_since", "tenant_id"}
PAIRS = [(routers.RESOURCE, router_rules.Routers.listing),
         (floating_ips.RESOURCE, fip_rules.FloatingIPs.listing)]


@pytest.mark.parametrize("resource, listing", PAIRS, ids=["router", "floatingip"])
def test_filters_sort_keys_and_rules(resource, listing):
    for name, attr in resource.attributes.items():
        if attr.sort and name != "tenant_id":
            assert name in listing.columns, name
        if attr.filter:
            assert name in listing.columns or name in STANDARD_FILTERS, name
        if attr.policy and attr.post:
            assert f"create_{resource.member}:{name}" in RULES
        if attr.policy and attr.put:
            assert f"update_{resource.member}:{name}" in RULES
    for action in ("create", "get", "update", "delete"):
        assert f"{action}_{resource.member}" in RULES


def test_router_action_and_gateway_rules_exist():
    for name in ("add_router_interface", "remove_router_interface", "add_extraroutes",
                 "remove_extraroutes", "get_floatingip_pool"):
        assert name in RULES
    for action in ("create", "update"):
        for key in routers.GATEWAY_KEYS:
            assert f"{action}_router:external_gateway_info:{key}" in RULES


NET = "6c8f4a7e-4c6b-4a6e-8a9e-1f0f1e2d3c4b"


def test_gateway_info_parsing():
    assert routers.gateway_info(None) is None
    assert routers.gateway_info({}) == {}
    assert routers.gateway_info({"network_id": NET, "enable_snat": "false"}) == \
        {"network_id": NET, "enable_snat": False}
    parsed = routers.gateway_info({"network_id": NET, "external_fixed_ips": [
        {"ip_address": "172.24.4.10"}, {"subnet_id": NET}]})
    assert parsed["external_fixed_ips"] == [{"ip_address": "172.24.4.10"},
                                            {"subnet_id": NET}]
    for bad in ("x", [], {"enable_snat": True}, {"network_id": "x"},
                {"network_id": NET, "other": 1}, {"network_id": NET, "enable_snat": "maybe"},
                {"network_id": NET, "external_fixed_ips": {"ip_address": "1.2.3.4"}},
                {"network_id": NET, "external_fixed_ips": [{"ip_address": "1.2.3.4"},
                                                            {"ip_address": "1.2.3.4"}]}):
        with pytest.raises(ValueError):
            routers.gateway_info(bad)


def test_routes_parsing():
    assert routers.routes(None) == []
    assert routers.routes([{"destination": "2001:DB8::/64", "nexthop": "2001:DB8::2"}]) == \
        [{"destination": "2001:db8::/64", "nexthop": "2001:db8::2"}]
    for bad in ({"destination": "10.0.0.0/8", "nexthop": "10.0.0.1"},
                [{"destination": "10.0.0.1/8", "nexthop": "10.0.0.1"}],
                [{"destination": "10.0.0.0", "nexthop": "10.0.0.1"}],
                [{"destination": "127.0.0.0/8", "nexthop": "10.0.0.1"}],
                [{"destination": "10.0.0.0/8", "nexthop": "ten"}],
                [{"destination": "10.0.0.0/8"}],
                [{"destination": "10.0.0.0/8", "nexthop": "10.0.0.1", "extra": 1}],
                [{"destination": "10.0.0.0/8", "nexthop": "10.0.0.1"}] * 2):
        with pytest.raises(ValueError):
            routers.routes(bad)
