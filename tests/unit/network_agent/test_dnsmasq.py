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
