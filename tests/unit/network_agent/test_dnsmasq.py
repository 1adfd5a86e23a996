"""dnsmasq's hosts, options and command line."""
import dataclasses

from network.agent import model
from network.agent.dhcp import dnsmasq

SUBNET = model.Subnet(id="s1", network_id="n", cidr="10.0.0.0/24", gateway_ip="10.0.0.1")
DHCP_PORT = model.Port(id="d", network_id="n", mac_address="fa:16:3e:00:00:02",
                       fixed_ips=(model.FixedIP("s1", "10.0.0.2"),))


def test_hosts_file_has_a_line_per_fixed_ip_on_dhcp_subnets():
    off = model.Subnet(id="s2", network_id="n", cidr="10.1.0.0/24", enable_dhcp=False)
    v6 = model.Subnet(id="s3", network_id="n", cidr="fd00::/64", ip_version=6)
    ports = [model.Port(id="b", network_id="n", mac_address="FA:16:3E:00:00:0B",
                        fixed_ips=(model.FixedIP("s1", "10.0.0.11"),
                                   model.FixedIP("s2", "10.1.0.11"),
                                   model.FixedIP("s3", "fd00::b"))),
             model.Port(id="a", network_id="n", mac_address="fa:16:3e:00:00:0a",
                        hostname="web", fixed_ips=(model.FixedIP("s1", "10.0.0.10"),))]
    text = dnsmasq.hosts_file([SUBNET, off, v6], ports)
    assert text == ("fa:16:3e:00:00:0a,web,10.0.0.10\n"
                    "fa:16:3e:00:00:0b,host-10-0-0-11,10.0.0.11\n"
                    "fa:16:3e:00:00:0b,host-fd00--b,[fd00::b]\n")
    assert dnsmasq.parse_hosts(text) == {("fa:16:3e:00:00:0a", "10.0.0.10"),
                                         ("fa:16:3e:00:00:0b", "10.0.0.11"),
                                         ("fa:16:3e:00:00:0b", "fd00::b")}


def test_isolated_subnet_gets_metadata_and_default_routes():
    text = dnsmasq.options_file([SUBNET], DHCP_PORT, ["192.0.2.53"])
    assert text.splitlines() == [
        "tag:subnet-s1,option:router,10.0.0.1",
        "tag:subnet-s1,option:dns-server,192.0.2.53",
        "tag:subnet-s1,option:classless-static-route,169.254.169.254/32,10.0.0.2,"
        "0.0.0.0/0,10.0.0.1",
        "tag:subnet-s1,249,169.254.169.254/32,10.0.0.2,0.0.0.0/0,10.0.0.1"]
    assert dnsmasq.serves_metadata([SUBNET])


def test_routed_subnet_without_routes_sends_only_router_and_its_own_dns():
    routed = dataclasses.replace(SUBNET, routed=True, dns_nameservers=("198.51.100.1",))
    text = dnsmasq.options_file([routed], DHCP_PORT, ["192.0.2.53"])
    assert text.splitlines() == ["tag:subnet-s1,option:router,10.0.0.1",
                                 "tag:subnet-s1,option:dns-server,198.51.100.1"]
    assert not dnsmasq.serves_metadata([routed])


def test_no_gateway_means_an_empty_router_option_and_no_default_route():
    bare = model.Subnet(id="s1", network_id="n", cidr="10.0.0.0/24", gateway_ip=None,
                        host_routes=(model.HostRoute("10.9.0.0/16", "10.0.0.254"),))
    lines = dnsmasq.options_file([bare], DHCP_PORT, []).splitlines()
    assert lines[0] == "tag:subnet-s1,option:router"
    assert lines[1] == ("tag:subnet-s1,option:classless-static-route,10.9.0.0/16,10.0.0.254,"
                        "169.254.169.254/32,10.0.0.2")


def test_command_serves_static_ranges_on_one_interface():
    argv = dnsmasq.command("/state/n", "ns-d", [SUBNET], 600, 1450)
    assert "--dhcp-range=set:subnet-s1,10.0.0.0,static,255.255.255.0,600s" in argv
    assert "--dhcp-option-force=option:mtu,1450" in argv
    assert "--interface=ns-d" in argv and "--port=0" in argv
    assert "--dhcp-hostsfile=/state/n/host" in argv
    assert "--dhcp-lease-max=256" in argv


def v6_subnet(subnet_id: str, cidr: str, mode: str | None) -> model.Subnet:
    return model.Subnet(id=subnet_id, network_id="n", cidr=cidr, ip_version=6,
                        ipv6_ra_mode=mode, ipv6_address_mode=mode,
                        dns_nameservers=("fd00::53",))


def test_dhcpv6_serves_stateful_addresses_stateless_options_and_no_slaac():
    stateful = v6_subnet("f", "fd00:1::/64", model.DHCPV6_STATEFUL)
    stateless = v6_subnet("l", "fd00:2::/64", model.DHCPV6_STATELESS)
    slaac = v6_subnet("a", "fd00:3::/64", model.SLAAC)
    subnets = [stateful, stateless, slaac]
    guest = model.Port(id="g", network_id="n", mac_address="fa:16:3e:00:00:0c",
                       fixed_ips=(model.FixedIP("f", "fd00:1::c"),
                                  model.FixedIP("l", "fd00:2::c"),
                                  model.FixedIP("a", "fd00:3::c")))
    assert dnsmasq.hosts_file(subnets, [guest]) == "fa:16:3e:00:00:0c,host-fd00-1--c,[fd00:1::c]\n"
    assert dnsmasq.options_file(subnets, DHCP_PORT, []).splitlines() == [
        "tag:subnet-f,option6:dns-server,[fd00::53]",
        "tag:subnet-l,option6:dns-server,[fd00::53]"]
    ranges = [arg for arg in dnsmasq.command("/x", "ns-d", subnets, 600, 1450)
              if arg.startswith("--dhcp-range")]
    assert ranges == ["--dhcp-range=set:subnet-f,fd00:1::,static,64,600s",
                      "--dhcp-range=set:subnet-l,fd00:2::,static,64,600s"]


def test_ipv6_without_modes_keeps_static_dhcpv6_and_ra_mode_alone_serves_nothing():
    plain = v6_subnet("p", "fd00:4::/64", None)
    assert plain.dhcp_answers and plain.dhcp_assigns
    ra_only = dataclasses.replace(plain, ipv6_ra_mode=model.SLAAC)
    assert not ra_only.dhcp_answers and not ra_only.dhcp_assigns
