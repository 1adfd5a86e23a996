"""The driver contract against the real Linux-bridge driver, then what only
the real host shows: device details, flood lists, dnsmasq reloads, rules
restored after someone flushed them, nothing left after cleanup."""
import dataclasses
import json
import os

from network.agent import model, names
from network.agent.linuxbridge.driver import LinuxBridgeDriver
from tests.functional.network_agent import contract
from tests.functional.network_agent.contract import (
    dhcp_scenario,
    new_id,
    subnet,
    vxlan_network,
)
from tests.integration.guests import sh
from tests.integration.network_agent.conftest import leftovers, make_settings


class TestLinuxBridgeDriver(contract.DriverContract):
    pass


def link(name: str, netns: str | None = None) -> dict:
    argv = ["ip", "-d", "-j", "addr", "show", "dev", name]
    if netns:
        argv[1:1] = ["-n", netns]
    return json.loads(sh(*argv))[0]


def test_vxlan_device_floods_to_exactly_the_peers(driver):
    network = vxlan_network(vxlan_peers=("127.0.0.2", "127.0.0.3", "127.0.0.1"))
    driver.ensure_network(network)
    device = link(names.vxlan(network.segmentation_id))
    info = device["linkinfo"]["info_data"]
    assert info["id"] == network.segmentation_id and info["port"] == 4789
    assert info["local"] == "127.0.0.1" and not info.get("learning", False)
    assert device["master"] == names.bridge(network.id) and device["mtu"] == 1450
    assert driver.l2.flood_list(network.segmentation_id) == {"127.0.0.2", "127.0.0.3"}
    changed = dataclasses.replace(network, vxlan_peers=("127.0.0.4",))
    driver.ensure_network(changed)
    assert driver.l2.flood_list(network.segmentation_id) == {"127.0.0.4"}
    bridge = link(names.bridge(network.id))
    assert bridge["ifalias"] == driver.names.alias(names.NETWORK, network.id)
    assert not [a for a in bridge.get("addr_info", ()) if a["family"] == "inet6"]


def test_dnsmasq_reloads_for_new_hosts_and_restarts_for_new_subnets(driver):
    network, sub, dhcp_port, guests = dhcp_scenario()
    driver.ensure_dhcp(network, [sub], dhcp_port, guests[:1])
    pid = driver.dhcp.dnsmasq.running(network.id)[0]
    driver.ensure_dhcp(network, [sub], dhcp_port, guests)
    assert driver.dhcp.dnsmasq.running(network.id)[0] == pid
    folder = driver.dhcp.dnsmasq.folder(network.id)
    with open(os.path.join(folder, "host")) as hosts:
        assert f"{guests[1].mac_address},host-10-20-0-11,10.20.0.11\n" in hosts.read()
    second = subnet(network, "10.29.0.0/24")
    dhcp_port2 = dataclasses.replace(dhcp_port, fixed_ips=(
        model.FixedIP(sub.id, "10.20.0.2"), model.FixedIP(second.id, "10.29.0.2")))
    driver.ensure_dhcp(network, [sub, second], dhcp_port2, guests)
    assert driver.dhcp.dnsmasq.running(network.id)[0] != pid
    ns = driver.names.dhcp_namespace(network.id)
    inner = link(names.namespaced_device(names.DHCP_DEVICE_PREFIX, dhcp_port.id), ns)
    addresses = {f"{a['local']}/{a['prefixlen']}" for a in inner["addr_info"]}
    assert {"10.20.0.2/24", "10.29.0.2/24", "169.254.169.254/32"} <= addresses
    assert inner["address"] == dhcp_port.mac_address


def test_options_give_isolated_guests_a_route_to_metadata(driver):
    network, sub, dhcp_port, guests = dhcp_scenario()
    driver.ensure_dhcp(network, [sub], dhcp_port, guests)
    with open(os.path.join(driver.dhcp.dnsmasq.folder(network.id), "opts")) as opts:
        text = opts.read()
    assert (f"tag:subnet-{sub.id},option:classless-static-route,"
            f"169.254.169.254/32,10.20.0.2,0.0.0.0/0,10.20.0.1") in text


def test_flushed_port_rules_are_rebuilt_by_the_next_sync(driver):
    network = vxlan_network()
    first = model.PortSecurity(port_id=new_id(), network_id=network.id,
                               mac_address="fa:16:3e:00:00:01", ip_addresses=("10.9.0.5",))
    driver.ensure_port_security([first])
    rules = driver.firewall.rules
    sh("iptables-nft", "-F", rules.forward)
    sh("iptables-nft", "-F", rules.sg_chain)
    sh("iptables-nft", "-X", rules.spoof_chain(first.port_id), check=False)
    second = dataclasses.replace(first, port_id=new_id())
    driver.ensure_port_security([second])
    saved = sh("iptables-nft-save")
    for port_id in (first.port_id, second.port_id):
        assert f"{rules.port_comment}{port_id}\" -j {rules.ingress_chain(port_id)}" in saved
    # A new agent (a restart) finds the filters of the previous one.
    again = LinuxBridgeDriver(driver.settings)
    assert {first.port_id, second.port_id} <= again.observed().port_security


def test_a_failed_edit_falls_back_to_rebuilding_the_dispatch_chains(driver):
    filters = [model.PortSecurity(port_id=new_id(), network_id="n",
                                  mac_address=f"fa:16:3e:00:01:{n:02x}",
                                  ip_addresses=(f"10.9.1.{n}",)) for n in range(1, 9)]
    driver.ensure_port_security(filters)
    rules = driver.firewall.rules
    sh("iptables-nft", "-F", rules.sg_chain)  # drift a small edit cannot see
    driver.ensure_port_security([dataclasses.replace(filters[0], port_security_enabled=False)])
    saved = sh("iptables-nft-save")
    for port in filters[1:]:
        assert f"-j {rules.ingress_chain(port.port_id)}" in saved
    assert f":{rules.ingress_chain(filters[0].port_id)} " not in saved
    assert driver.observed().port_security == {port.port_id for port in filters}


def test_remote_groups_become_ipsets_that_follow_their_members(driver):
    group = new_id()
    rule = model.SecurityRule(model.INGRESS, remote_group_id=group,
                              remote_ips=("10.9.0.6", "10.9.0.7", "fd00::7"))
    rule6 = dataclasses.replace(rule, ethertype=model.IPV6, protocol="icmp")
    member = model.PortSecurity(port_id=new_id(), network_id=new_id(),
                                mac_address="fa:16:3e:00:00:02", ip_addresses=("10.9.0.6",),
                                rules=(rule, rule6))
    driver.ensure_port_security([member])
    name = driver.firewall.rules.ipset_name(group, 4)
    assert {"10.9.0.6", "10.9.0.7"} <= set(sh("ipset", "list", name).split())
    name6 = driver.firewall.rules.ipset_name(group, 6)
    assert "fd00::7" in sh("ipset", "list", name6).split()
    assert f"-p ipv6-icmp -m set --match-set {name6} src" in sh("ip6tables-nft-save")
    fewer = model.SecurityRule(model.INGRESS, remote_group_id=group, remote_ips=("10.9.0.7",))
    driver.ensure_port_security([dataclasses.replace(member, rules=(fewer,))])
    members = sh("ipset", "list", name).split()
    assert "10.9.0.7" in members and "10.9.0.6" not in members
    driver.remove_port_security(member.port_id)
    assert not {name, name6} & set(sh("ipset", "list", "-n").split())


def test_cleanup_all_leaves_no_namespace_device_rule_or_set(driver, host):
    network, sub, dhcp_port, guests = dhcp_scenario()
    driver.ensure_dhcp(network, [sub], dhcp_port, guests)
    inside = vxlan_network()
    inside_subnet = subnet(inside, "10.30.0.0/24", routed=True)
    router = model.Router(id=new_id(), interfaces=(contract.router_port(
        inside, inside_subnet, "10.30.0.1"),))
    driver.ensure_router(router)
    host.add_tap(guests[0])
    driver.plug_taps(network, guests)
    group_rule = model.SecurityRule(model.INGRESS, remote_group_id=new_id(),
                                    remote_ips=("10.20.0.11",))
    driver.ensure_port_security([model.PortSecurity(
        port_id=guests[0].id, network_id=network.id, mac_address=guests[0].mac_address,
        ip_addresses=("10.20.0.10",), rules=(group_rule,))])
    assert leftovers(driver)
    driver.cleanup_all()
    assert leftovers(driver) == []
    links = sh("ip", "-o", "link", "show")
    for gone in (names.bridge(network.id), names.vxlan(network.segmentation_id),
                 names.tap(dhcp_port.id), names.tap(router.interfaces[0].port.id)):
        assert f" {gone}:" not in links and f" {gone}@" not in links
    assert f" {names.tap(guests[0].id)}:" in links  # compute's tap is not the agent's


def test_a_second_scope_on_the_same_host_is_invisible(driver, state_path, mapped_bridge,
                                                       tmp_path):
    network = vxlan_network()
    driver.ensure_network(network)
    driver.ensure_port_security([model.PortSecurity(port_id=new_id(), network_id=network.id,
                                                    mac_address="fa:16:3e:00:00:03")])
    other_state = tmp_path / "other"
    other = LinuxBridgeDriver(make_settings(str(other_state), mapped_bridge))
    observed = other.observed()
    assert not observed.networks and not observed.port_security
    other.cleanup_all()
    assert network.id in driver.observed().networks
    assert driver.observed().port_security



def static_routes(ns: str) -> dict[str, str]:
    return {entry["dst"]: entry["gateway"] for entry in json.loads(
        sh("ip", "-n", ns, "-j", "route", "show", "proto", "static"))}


def test_router_routes_converge_and_the_gateway_is_the_default_route(driver):
    router, inside, inside_subnet = contract.DriverContract().router_setup(
        routes=(model.HostRoute("10.50.0.0/24", "10.30.0.9"),
                model.HostRoute("10.51.0.7/32", "10.30.0.9")))
    driver.ensure_router(router)
    ns = driver.names.router_namespace(router.id)
    assert static_routes(ns) == {"default": "172.24.99.1", "10.50.0.0/24": "10.30.0.9",
                                 "10.51.0.7": "10.30.0.9"}
    driver.ensure_router(dataclasses.replace(
        router, routes=(model.HostRoute("10.52.0.0/16", "10.30.0.8"),)))
    assert static_routes(ns) == {"default": "172.24.99.1", "10.52.0.0/16": "10.30.0.8"}
    gateway = link(names.namespaced_device(names.ROUTER_GATEWAY_PREFIX,
                                           router.gateway.port.id), ns)
    assert {f"{a['local']}/{a['prefixlen']}" for a in gateway["addr_info"]
            if a["scope"] == "global"} == {"172.24.99.50/24", "172.24.99.51/32"}
    assert gateway["address"] == router.gateway.port.mac_address
    driver.ensure_router(dataclasses.replace(router, gateway=None, floating_ips=(),
                                             routes=()))
    assert static_routes(ns) == {}
    assert sh("ip", "netns", "exec", ns, "sysctl", "-n", "net.ipv4.ip_forward").strip() == "1"
