"""Subnet arithmetic, prefix carving and MACs: the pure parts of IPAM."""
import ipaddress

import pytest

from network import exception
from network.ipam import mac, prefixes
from network.ipam import subnets as math


def net(text):
    return ipaddress.ip_network(text)


@pytest.mark.parametrize("cidr, gateway, pools", [
    ("10.0.0.0/24", "10.0.0.1", [("10.0.0.2", "10.0.0.254")]),
    ("10.0.0.0/24", None, [("10.0.0.1", "10.0.0.254")]),
    ("10.0.0.0/24", "10.0.0.254", [("10.0.0.1", "10.0.0.253")]),
    ("10.0.0.0/24", "192.168.0.1", [("10.0.0.1", "10.0.0.254")]),
    ("10.0.0.0/30", "10.0.0.1", [("10.0.0.2", "10.0.0.2")]),
    ("10.0.0.0/31", None, []),
    ("2001:db8::/64", "2001:db8::1", [("2001:db8::2", "2001:db8::ffff:ffff:ffff:ffff")]),
])
def test_default_pools(cidr, gateway, pools):
    assert math.default_pools(net(cidr), gateway) == [{"start": s, "end": e} for s, e in pools]


def test_default_gateway():
    assert math.default_gateway(net("10.1.2.0/24")) == "10.1.2.1"
    assert math.default_gateway(net("2001:db8::/64")) == "2001:db8::1"
    assert math.default_gateway(net("10.0.0.0/31")) is None


def test_gateway_checks():
    assert math.check_gateway(net("10.0.0.0/24"), "10.0.0.9") == "10.0.0.9"
    assert math.check_gateway(net("10.0.0.0/24"), "172.16.0.1") == "172.16.0.1"
    assert math.check_gateway(net("2001:db8::/64"), "2001:db8::") == "2001:db8::"
    for bad in ("10.0.0.0", "10.0.0.255"):
        with pytest.raises(exception.InvalidInput):
            math.check_gateway(net("10.0.0.0/24"), bad)
    with pytest.raises(exception.InvalidInput):
        math.check_gateway(net("10.0.0.0/24"), "2001:db8::1")


def test_pool_checks():
    pools = [{"start": "10.0.0.20", "end": "10.0.0.30"}, {"start": "10.0.0.5",
                                                          "end": "10.0.0.9"}]
    assert math.check_pools(net("10.0.0.0/24"), pools, "10.0.0.1") == \
        [{"start": "10.0.0.5", "end": "10.0.0.9"}, {"start": "10.0.0.20", "end": "10.0.0.30"}]
    with pytest.raises(exception.OverlappingAllocationPools):
        math.check_pools(net("10.0.0.0/24"), pools + [{"start": "10.0.0.9",
                                                       "end": "10.0.0.10"}], None)
    with pytest.raises(exception.OutOfBoundsAllocationPool):
        math.check_pools(net("10.0.0.0/24"), [{"start": "10.0.0.5", "end": "10.0.0.255"}],
                         None)
    with pytest.raises(exception.GatewayConflictWithAllocationPools):
        math.check_pools(net("10.0.0.0/24"), pools, "10.0.0.25")
    with pytest.raises(exception.InvalidAllocationPool):
        math.check_pools(net("10.0.0.0/24"), [{"start": "x", "end": "10.0.0.9"}], None)


def test_contains_excludes_network_and_broadcast():
    v4 = net("10.0.0.0/24")
    assert math.contains(v4, ipaddress.ip_address("10.0.0.7"))
    for address in ("10.0.0.0", "10.0.0.255", "10.0.1.1", "2001:db8::1"):
        assert not math.contains(v4, ipaddress.ip_address(address))
    assert math.contains(net("2001:db8::/64"), ipaddress.ip_address("2001:db8::ffff:0:0:1"))


def test_cidrs_are_normalized():
    assert math.parse_cidr("10.0.0.0/8", 4) == net("10.0.0.0/8")
    assert math.parse_cidr("10.0.0.1/8", 4) == net("10.0.0.0/8")
    assert math.parse_cidr("2001:DB8:0::1/64", 6) == net("2001:db8::/64")
    for bad in ("10.0.0.0", "10.0.0.0/33", "fish"):
        with pytest.raises(exception.HTTPBadRequest):
            math.parse_cidr(bad, 4)
    with pytest.raises(exception.InvalidInput):
        math.parse_cidr("2001:db8::/64", 4)


def test_eui64():
    assert math.eui64("2001:db8::/64", "fa:16:3e:11:22:33") == "2001:db8::f816:3eff:fe11:2233"
    assert math.eui64("fd00:1::/64", "00:00:00:00:00:01") == "fd00:1::200:ff:fe00:1"


def test_ipv6_mode_rules():
    math.check_ipv6_modes(6, "slaac", "slaac", net("2001:db8::/64"))
    math.check_ipv6_modes(6, None, "dhcpv6-stateful", net("2001:db8::/80"))
    with pytest.raises(exception.InvalidInput):
        math.check_ipv6_modes(6, "slaac", None, net("2001:db8::/80"))
    with pytest.raises(exception.InvalidInput):
        math.check_ipv6_modes(4, None, "slaac", net("10.0.0.0/24"))
    assert math.is_auto_address(None, "dhcpv6-stateless")
    assert math.is_auto_address("slaac", None)
    assert not math.is_auto_address("slaac", "dhcpv6-stateful")


def test_prefix_allocation_is_first_fit_and_exhausts():
    pool = prefixes.collapse(["10.0.0.0/25", "10.0.0.128/25"])
    assert pool == [net("10.0.0.0/24")]
    used = [net("10.0.0.0/26"), net("10.0.0.128/28")]
    assert prefixes.allocate(pool, used, 26) == net("10.0.0.64/26")
    assert prefixes.allocate(pool, used, 28) == net("10.0.0.64/28")
    with pytest.raises(exception.SubnetAllocationError):
        prefixes.allocate(pool, used, 25)
    with pytest.raises(exception.SubnetAllocationError):
        prefixes.check_requested(pool, used, net("10.0.0.0/27"))
    prefixes.check_requested(pool, used, net("10.0.0.192/26"))
    assert prefixes.free_blocks(pool, [net("10.0.0.0/24")]) == []


def test_prefix_lists_are_checked():
    with pytest.raises(exception.PrefixVersionMismatch):
        prefixes.collapse(["10.0.0.0/8", "2001:db8::/32"])
    with pytest.raises(exception.EmptySubnetPoolPrefixList):
        prefixes.collapse([])
    assert prefixes.covers([net("10.0.0.0/8")], [net("10.1.0.0/16")])
    assert not prefixes.covers([net("10.0.0.0/16")], [net("10.0.0.0/8")])


def test_macs():
    generated = {mac.generate("fa:16:3e:00:00:00") for _ in range(50)}
    assert all(m.startswith("fa:16:3e:") for m in generated)
    assert len(generated) > 40
    assert mac.generate("fa:16:3e:4f:00:00").startswith("fa:16:3e:4f:")
    assert mac.normalize("FA-16-3E-00-00-01") == "fa:16:3e:00:00:01"
    for bad in ("01:00:5e:00:00:01", "00:00:00:00:00:00", "fa:16:3e:00:00", 42):
        with pytest.raises(exception.HTTPBadRequest):
            mac.normalize(bad)
