"""The router advertisement daemon's command line."""
from network.agent import model
from network.agent.l3 import advertise


def interface(port_id: str, subnet: model.Subnet, ip: str | None, mtu: int = 1450):
    network = model.Network(id="n-" + port_id, segmentation_id=7, mtu=mtu)
    fixed = (model.FixedIP(subnet.id, ip),) if ip else ()
    port = model.Port(id=port_id, network_id=network.id, mac_address="fa:16:3e:00:00:01",
                      fixed_ips=fixed)
    return model.RouterPort(port=port, network=network, subnets=(subnet,))


def v6(subnet_id: str, cidr: str, mode: str | None) -> model.Subnet:
    return model.Subnet(id=subnet_id, network_id="n", cidr=cidr, ip_version=6,
                        ipv6_ra_mode=mode, ipv6_address_mode=mode)


def test_each_mode_gets_its_range_kind_and_the_interface_its_mtu():
    router = model.Router(id="r", interfaces=(
        interface("aaaaaaaaaaaaa", v6("s1", "fd00:1::/64", model.SLAAC), "fd00:1::1"),
        interface("bbbbbbbbbbbbb", v6("s2", "fd00:2::/64", model.DHCPV6_STATELESS),
                  "fd00:2::1", mtu=1400),
        interface("ccccccccccccc", v6("s3", "fd00:3::/64", model.DHCPV6_STATEFUL),
                  "fd00:3::1"),
        interface("ddddddddddddd", v6("s4", "fd00:4::/64", None), "fd00:4::1"),
        interface("eeeeeeeeeeeee", v6("s5", "fd00:5::/64", model.SLAAC), None),
        interface("fffffffffffff", model.Subnet(id="s6", network_id="n", cidr="10.0.0.0/24"),
                  "10.0.0.1")))
    prefixes = advertise.advertised(router)
    assert [(device, subnet.id) for device, subnet, _ in prefixes] == [
        ("qr-aaaaaaaaaaa", "s1"), ("qr-bbbbbbbbbbb", "s2"), ("qr-ccccccccccc", "s3")]
    argv = advertise.command("/ra/r", prefixes)
    assert "--enable-ra" in argv and "--port=0" in argv
    assert [a for a in argv if a.startswith("--interface=")] == [
        "--interface=qr-aaaaaaaaaaa", "--interface=qr-bbbbbbbbbbb",
        "--interface=qr-ccccccccccc"]
    assert [a for a in argv if a.startswith("--dhcp-range=")] == [
        "--dhcp-range=set:subnet-s1,fd00:1::,ra-only,64",
        "--dhcp-range=set:subnet-s2,fd00:2::,ra-stateless,64",
        "--dhcp-range=set:subnet-s3,fd00:3::,static,64"]
    assert [a for a in argv if a.startswith("--ra-param=")] == [
        "--ra-param=qr-aaaaaaaaaaa,mtu:1450,30", "--ra-param=qr-bbbbbbbbbbb,mtu:1400,30",
        "--ra-param=qr-ccccccccccc,mtu:1450,30"]


def test_a_router_without_ra_subnets_advertises_nothing():
    router = model.Router(id="r", interfaces=(
        interface("a", v6("s1", "fd00:1::/64", None), "fd00:1::1"),))
    assert advertise.advertised(router) == []
