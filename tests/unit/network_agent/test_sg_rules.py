"""Security groups as iptables rule text."""
import pytest

from network.agent import model, names
from network.agent.linuxbridge import sg_rules

RULES = sg_rules.Rules(names.Names())
PORT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"


def matches(family=4, **values):
    values.setdefault("direction", model.INGRESS)
    return RULES.rule_matches(model.SecurityRule(**values), family)


@pytest.mark.parametrize(("values", "expected"), [
    ({}, "-j RETURN"),
    ({"protocol": "tcp", "port_range_min": 22, "port_range_max": 22},
     "-p tcp -m tcp --dport 22 -j RETURN"),
    ({"protocol": "6", "port_range_min": 1000, "port_range_max": 2000},
     "-p tcp -m tcp --dport 1000:2000 -j RETURN"),
    ({"protocol": "udp", "port_range_min": 1, "port_range_max": 65535}, "-p udp -j RETURN"),
    ({"protocol": "icmp", "port_range_min": 8, "port_range_max": 0},
     "-p icmp -m icmp --icmp-type 8/0 -j RETURN"),
    ({"protocol": "icmp", "port_range_min": 3}, "-p icmp -m icmp --icmp-type 3 -j RETURN"),
    ({"protocol": "gre"}, "-p 47 -j RETURN"),
    ({"protocol": "112"}, "-p 112 -j RETURN"),
    ({"protocol": "any", "remote_ip_prefix": "192.0.2.0/24"}, "-s 192.0.2.0/24 -j RETURN"),
    ({"remote_ip_prefix": "0.0.0.0/0"}, "-j RETURN"),
    ({"direction": model.EGRESS, "remote_ip_prefix": "192.0.2.7"},
     "-d 192.0.2.7/32 -j RETURN"),
])
def test_ipv4_rule(values, expected):
    assert " ".join(matches(**values)) == expected


def test_ipv6_rules_and_icmp_meaning_icmpv6():
    assert " ".join(matches(6, ethertype=model.IPV6, protocol="icmp", port_range_min=128)) \
        == "-p ipv6-icmp -m icmp6 --icmpv6-type 128 -j RETURN"
    assert " ".join(matches(6, ethertype=model.IPV6, protocol="ipv6-icmp")) \
        == "-p ipv6-icmp -j RETURN"


def test_a_rule_applies_only_to_its_family():
    assert matches(6) is None
    assert matches(6, ethertype=model.IPV6, remote_ip_prefix="10.0.0.0/8") is None
    assert matches(4, remote_ip_prefix="fd00::/64") is None


def test_unknown_protocol_names_are_refused():
    with pytest.raises(ValueError):
        matches(protocol="carrier-pigeon")


def test_remote_groups_match_an_ipset_on_the_remote_side():
    words = matches(remote_group_id="0f" * 16)
    assert words[:5] == ["-m", "set", "--match-set", RULES.ipset_name("0f" * 16, 4), "src"]
    assert len(RULES.ipset_name("0f" * 16, 4)) <= 31
    egress = matches(direction=model.EGRESS, remote_group_id="g")
    assert egress[4] == "dst"


def port_filter(**values) -> model.PortSecurity:
    defaults = {"port_id": PORT, "network_id": "n", "mac_address": "FA:16:3E:00:00:01",
                "ip_addresses": ("10.0.0.5",)}
    return model.PortSecurity(**{**defaults, **values})


def test_anti_spoofing_allows_the_port_addresses_pairs_and_link_local():
    port = port_filter(allowed_address_pairs=(model.AddressPair("10.0.0.64/28"),
                                              model.AddressPair("fd00::9", "fa:16:3e:00:00:09")))
    spoof = RULES.spoof_chain(PORT)
    v4 = [line for line in RULES.chain_rules(port, 4) if line.startswith(f"-A {spoof} ")]
    assert v4 == [f"-A {spoof} -s 10.0.0.5/32 -m mac --mac-source fa:16:3e:00:00:01 -j RETURN",
                  f"-A {spoof} -s 10.0.0.64/28 -m mac --mac-source fa:16:3e:00:00:01 -j RETURN",
                  f"-A {spoof} -j DROP"]
    v6 = " ".join(RULES.chain_rules(port, 6))
    assert "-s fd00::9/128 -m mac --mac-source fa:16:3e:00:00:09" in v6
    assert "-s fe80::f816:3eff:fe00:1/128 -m mac --mac-source fa:16:3e:00:00:01" in v6
    assert "-s fe80::f816:3eff:fe00:9/128 -m mac --mac-source fa:16:3e:00:00:09" in v6


def test_port_chains_are_stateful_and_end_in_drop():
    lines = RULES.chain_rules(port_filter(rules=(model.SecurityRule(model.EGRESS),)), 4)
    ingress = [line for line in lines if line.startswith(f"-A {RULES.ingress_chain(PORT)} ")]
    egress = [line for line in lines if line.startswith(f"-A {RULES.egress_chain(PORT)} ")]
    assert "RELATED,ESTABLISHED -j RETURN" in ingress[0] and "INVALID -j DROP" in ingress[1]
    assert ingress[-1].endswith("-j DROP") and egress[-1].endswith("-j DROP")
    assert egress[0].endswith("--sport 68 --dport 67 -j RETURN")  # DHCP before spoof check
    assert egress[1].endswith(f"-j {RULES.spoof_chain(PORT)}")
    assert any("--sport 67 --dport 68 -j DROP" in line for line in egress)  # no rogue DHCP
    assert egress[-2].endswith("-j RETURN")  # the egress rule


def test_dispatch_checks_filtered_ports_then_accepts_every_port():
    lines = RULES.dispatch_rules({"b-open": False, "a-filtered": True})
    assert lines[:2] == [f"-A {RULES.forward} -j {RULES.sg_chain}",
                         f"-A {RULES.forward} -j {RULES.accept}"]
    by_chain = {}
    for line in lines[2:]:
        by_chain.setdefault(line.split()[1], []).append(line)
    assert len(by_chain[RULES.accept]) == 4 and len(by_chain[RULES.input]) == 1
    assert [line.split()[-1] for line in by_chain[RULES.sg_chain]] == [
        RULES.ingress_chain("a-filtered"), RULES.egress_chain("a-filtered")]
    assert "--physdev-out tapa-filtered" in by_chain[RULES.sg_chain][0]


def test_dispatch_changes_only_append_and_delete():
    added = RULES.dispatch_changes(PORT, None, True)
    assert [line.split()[0] for line in added] == ["-A"] * 5
    opened = RULES.dispatch_changes(PORT, True, False)
    assert [line.split()[0] for line in opened] == ["-D"] * 3  # the ACCEPTs stay
    assert RULES.dispatch_changes(PORT, True, True) == []
    closed = RULES.dispatch_changes(PORT, False, True)
    assert sorted(line.split()[1] for line in closed) == sorted(
        [RULES.sg_chain, RULES.sg_chain, RULES.input])
    assert [line.split()[0] for line in RULES.dispatch_changes(PORT, False, None)] == ["-D"] * 2


def test_parse_save_reads_back_ports_zones_chains_and_sets():
    rules = RULES.chain_rules(port_filter(rules=(model.SecurityRule(
        model.INGRESS, remote_group_id="g1"),)), 4)
    text = "\n".join(["*raw", f":{RULES.prerouting} - [0:0]", "-A PREROUTING -j "
                      f"{RULES.prerouting}", *RULES.zone_rules({"net-1": ("brqnet-1", 7)}),
                      "-A PREROUTING -i other -j CT --zone 9", "COMMIT", "*filter",
                      f":{RULES.forward} - [0:0]", f"-A FORWARD -j {RULES.forward}",
                      *[line.replace("--comment ", '--comment "', 1).replace(
                          f"{PORT} ", f'{PORT}" ', 1) for line in RULES.dispatch_rules(
                          {PORT: True, "open-port": False})],
                      *rules, "COMMIT"])
    found = RULES.parse_save(text)
    assert found["ports"] == {PORT: True, "open-port": False}
    assert found["zones"] == {"net-1": ("brqnet-1", 7)}
    assert found["used_zones"] == {7, 9}
    assert ("FORWARD", RULES.forward) in found["jumps"]["filter"]
    assert found["sets"] == {RULES.ingress_chain(PORT): {RULES.ipset_name("g1", 4)}}
    assert RULES.forward in found["chains"]["filter"]
