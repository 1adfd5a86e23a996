"""Names of the agent's objects, and telling scopes apart."""
import pytest

from network.agent import names


def test_devices_carry_eleven_characters_of_the_id():
    port_id = "0123456789abcdef"
    assert names.tap(port_id) == "tap0123456789a"
    assert names.bridge(port_id) == "brq0123456789a"
    assert names.namespaced_device(names.ROUTER_GATEWAY_PREFIX, port_id) == "qg-0123456789a"
    assert len(names.vxlan(16_000_000)) <= 15


def test_namespaces_and_aliases_belong_to_one_scope():
    real, test = names.Names(), names.Names("t1")
    assert real.dhcp_namespace("n1") == "qdhcp-n1"
    assert test.router_namespace("r1") == "qrouter-r1.t1"
    assert real.parse_namespace("qdhcp-n1") == (names.DHCP, "n1")
    assert test.parse_namespace("qrouter-r1.t1") == (names.ROUTER, "r1")
    assert real.parse_namespace("qrouter-r1.t1") is None
    assert test.parse_namespace("qrouter-r1") is None
    assert real.parse_namespace("qrouter-") is None
    assert test.parse_alias(test.alias(names.PORT, "p1")) == (names.PORT, "p1")
    assert real.parse_alias(test.alias(names.PORT, "p1")) is None
    assert test.chain_prefix == "stratust1-"


@pytest.mark.parametrize("scope", ["toolong", "UP", "a-b"])
def test_a_scope_is_short_lowercase_alphanumerics(scope):
    with pytest.raises(ValueError):
        names.Names(scope)
