"""The network agent driver contract (``network/agent/driver.py``): one test
class run against every driver.

A test module subclasses ``DriverContract`` and provides two fixtures:
``driver`` (a fresh driver whose settings map the physical network
``PHYSNET`` to an existing bridge, ``host.mapped_bridge``) and ``host`` (a
``Host``: what happens on the machine outside the driver's control).
"""
import abc
import dataclasses
import random
import uuid

import pytest

from network.agent import driver as base
from network.agent import model, names

PHYSNET = "physnet"


def new_id() -> str:
    return str(uuid.uuid4())


def new_mac() -> str:
    return "fa:16:3e:" + ":".join(f"{random.randrange(256):02x}" for _ in range(3))


class Host(abc.ABC):
    """Events outside the driver: compute making taps, processes dying."""

    mapped_bridge: str

    @abc.abstractmethod
    def add_tap(self, port: model.Port) -> None:
        """Make the tap of ``port`` as compute would (in no bridge)."""

    @abc.abstractmethod
    def remove_tap(self, port: model.Port) -> None: ...

    @abc.abstractmethod
    def kill_dhcp(self, network_id: str) -> None:
        """Kill the network's DHCP daemon."""

    @abc.abstractmethod
    def kill_metadata_proxy(self, router_id: str) -> None: ...

    @abc.abstractmethod
    def lose_network(self, network: model.Network) -> None:
        """Make the network's devices vanish (an operator deleted them)."""


def vxlan_network(**overrides) -> model.Network:
    values = {"id": new_id(), "network_type": model.VXLAN,
              "segmentation_id": random.randrange(10_000_000, 16_000_000), "mtu": 1450}
    values.update(overrides)
    return model.Network(**values)


def flat_network() -> model.Network:
    return model.Network(id=new_id(), network_type=model.FLAT, physical_network=PHYSNET,
                         mtu=1500)


def subnet(network: model.Network, cidr: str = "10.20.0.0/24", **overrides) -> model.Subnet:
    prefix = cidr.rsplit(".", 1)[0]
    values = {"id": new_id(), "network_id": network.id, "cidr": cidr,
              "gateway_ip": f"{prefix}.1"}
    values.update(overrides)
    return model.Subnet(**values)


def port(network: model.Network, *fixed: tuple[model.Subnet, str], **overrides) -> model.Port:
    values = {"id": new_id(), "network_id": network.id, "mac_address": new_mac(),
              "fixed_ips": tuple(model.FixedIP(s.id, ip) for s, ip in fixed)}
    values.update(overrides)
    return model.Port(**values)


def router_port(network: model.Network, sub: model.Subnet, ip: str) -> model.RouterPort:
    return model.RouterPort(port=port(network, (sub, ip)), network=network, subnets=(sub,))


def dhcp_scenario():
    """A network, its isolated subnet 10.20.0.0/24, its DHCP port (.2) and two
    guest ports (.10, .11)."""
    network = vxlan_network()
    sub = subnet(network)
    dhcp_port = port(network, (sub, "10.20.0.2"), device_owner="network:dhcp")
    guests = [port(network, (sub, f"10.20.0.{n}")) for n in (10, 11)]
    return network, sub, dhcp_port, guests


class DriverContract:
    """Promises every driver keeps. Needs the ``driver`` and ``host`` fixtures."""

    # -- networks ---------------------------------------------------------

    def test_ensure_network_twice_is_observed_once(self, driver: base.Driver):
        networks = [vxlan_network(), model.Network(id=new_id(), network_type=model.LOCAL)]
        for network in networks * 2:
            driver.ensure_network(network)
        assert {n.id for n in networks} <= driver.observed().networks

    def test_flat_network_uses_the_mapped_bridge(self, driver, host):
        network = flat_network()
        driver.ensure_network(network)
        assert network.id not in driver.observed().networks
        guest = port(network)
        host.add_tap(guest)
        assert driver.plug_tap(guest, network)
        assert driver.list_taps()[names.tap(guest.id)] == host.mapped_bridge

    @pytest.mark.parametrize("network", [
        model.Network(id="11111111-aaaa-bbbb-cccc-000000000001", network_type=model.VXLAN),
        model.Network(id="11111111-aaaa-bbbb-cccc-000000000002", network_type=model.FLAT,
                      physical_network="nowhere"),
        model.Network(id="11111111-aaaa-bbbb-cccc-000000000003", network_type="gre"),
    ], ids=["vxlan-without-vni", "unmapped-physnet", "unknown-type"])
    def test_a_network_the_host_cannot_carry_is_refused(self, driver, network):
        with pytest.raises(base.InvalidNetwork):
            driver.ensure_network(network)
        assert network.id not in driver.observed().networks

    def test_delete_network_removes_it_and_releases_its_taps(self, driver, host):
        network = vxlan_network()
        guest = port(network)
        host.add_tap(guest)
        assert driver.plug_taps(network, [guest]) == {guest.id}
        driver.delete_network(network.id)
        observed = driver.observed()
        assert network.id not in observed.networks
        assert observed.taps[names.tap(guest.id)] is None
        driver.delete_network(network.id)  # again: nothing to do, no error

    def test_ensure_network_repairs_a_network_that_vanished(self, driver, host):
        network = vxlan_network()
        guest = port(network)
        host.add_tap(guest)
        driver.plug_taps(network, [guest])
        host.lose_network(network)
        assert network.id not in driver.observed().networks
        driver.plug_taps(network, [guest])
        observed = driver.observed()
        assert network.id in observed.networks
        assert observed.taps[names.tap(guest.id)] == names.bridge(network.id)

    # -- taps ----------------------------------------------------------------

    def test_plug_taps_wires_present_taps_and_skips_absent_ones(self, driver, host):
        network = vxlan_network()
        present, absent = port(network), port(network)
        host.add_tap(present)
        assert driver.plug_taps(network, [present, absent]) == {present.id}
        assert driver.plug_taps(network, [present, absent]) == {present.id}
        taps = driver.list_taps()
        assert taps[names.tap(present.id)] == names.bridge(network.id)
        assert names.tap(absent.id) not in taps
        assert not driver.plug_tap(absent, network)
        host.remove_tap(present)
        assert names.tap(present.id) not in driver.list_taps()

    # -- DHCP ------------------------------------------------------------------

    def dhcp_setup(self):
        return dhcp_scenario()

    def test_dhcp_hands_out_exactly_the_ports_given(self, driver):
        network, sub, dhcp_port, guests = self.dhcp_setup()
        driver.ensure_dhcp(network, [sub], dhcp_port, guests)
        state = driver.observed().dhcp[network.id]
        assert state.running
        assert state.hosts == {(g.mac_address, g.fixed_ips[0].ip_address) for g in guests}
        driver.ensure_dhcp(network, [sub], dhcp_port, guests[:1])
        state = driver.observed().dhcp[network.id]
        assert state.hosts == {(guests[0].mac_address, "10.20.0.10")}
        assert network.id in driver.observed().networks

    def test_dhcp_skips_subnets_without_dhcp(self, driver):
        network, sub, dhcp_port, guests = self.dhcp_setup()
        other = subnet(network, "10.21.0.0/24", enable_dhcp=False)
        both = port(network, (sub, "10.20.0.12"), (other, "10.21.0.12"))
        driver.ensure_dhcp(network, [sub, other], dhcp_port, [both])
        assert driver.observed().dhcp[network.id].hosts == {(both.mac_address, "10.20.0.12")}

    def test_dhcp_port_is_plugged_into_the_bridge(self, driver):
        network, sub, dhcp_port, guests = self.dhcp_setup()
        driver.ensure_dhcp(network, [sub], dhcp_port, guests)
        assert driver.list_taps()[names.tap(dhcp_port.id)] == names.bridge(network.id)

    def test_a_dead_dhcp_server_is_restarted_by_ensure(self, driver, host):
        network, sub, dhcp_port, guests = self.dhcp_setup()
        driver.ensure_dhcp(network, [sub], dhcp_port, guests)
        host.kill_dhcp(network.id)
        assert not driver.observed().dhcp[network.id].running
        driver.ensure_dhcp(network, [sub], dhcp_port, guests)
        assert driver.observed().dhcp[network.id].running

    def test_isolated_networks_get_a_metadata_proxy_routed_ones_do_not(self, driver):
        network, sub, dhcp_port, guests = self.dhcp_setup()
        driver.ensure_dhcp(network, [sub], dhcp_port, guests)
        assert driver.observed().dhcp[network.id].metadata
        routed = dataclasses.replace(sub, routed=True)
        driver.ensure_dhcp(network, [routed], dhcp_port, guests)
        state = driver.observed().dhcp[network.id]
        assert state.running and not state.metadata

    def test_dhcp_without_enabled_subnets_has_no_server(self, driver):
        network, sub, dhcp_port, guests = self.dhcp_setup()
        driver.ensure_dhcp(network, [sub], dhcp_port, guests)
        disabled = dataclasses.replace(sub, enable_dhcp=False)
        driver.ensure_dhcp(network, [disabled], dhcp_port, guests)
        assert network.id not in driver.observed().dhcp

    def test_delete_dhcp_removes_server_and_port(self, driver):
        network, sub, dhcp_port, guests = self.dhcp_setup()
        driver.ensure_dhcp(network, [sub], dhcp_port, guests)
        driver.delete_dhcp(network.id)
        observed = driver.observed()
        assert network.id not in observed.dhcp
        assert names.tap(dhcp_port.id) not in observed.taps
        driver.delete_dhcp(network.id)

    def test_dhcpv6_hosts_follow_the_address_mode(self, driver):
        network = vxlan_network()
        modes = (model.DHCPV6_STATEFUL, model.DHCPV6_STATELESS, model.SLAAC)
        subs = [subnet(network, f"fd00:2{n}::/64", ip_version=6, gateway_ip=f"fd00:2{n}::1",
                       ipv6_ra_mode=mode, ipv6_address_mode=mode)
                for n, mode in enumerate(modes)]
        dhcp_port = port(network, *((s, f"fd00:2{n}::2") for n, s in enumerate(subs)),
                         device_owner="network:dhcp")
        guest = port(network, *((s, f"fd00:2{n}::10") for n, s in enumerate(subs)))
        driver.ensure_dhcp(network, subs, dhcp_port, [guest])
        state = driver.observed().dhcp[network.id]
        assert state.running
        assert state.hosts == {(guest.mac_address, "fd00:20::10")}
        driver.delete_dhcp(network.id)

    # -- routers -----------------------------------------------------------------

    def router_setup(self, **router_overrides):
        external = flat_network()
        ext_subnet = subnet(external, "172.24.99.0/24")
        inside = vxlan_network()
        inside_subnet = subnet(inside, "10.30.0.0/24", routed=True)
        values = {"id": new_id(),
                  "interfaces": (router_port(inside, inside_subnet, "10.30.0.1"),),
                  "gateway": router_port(external, ext_subnet, "172.24.99.50"),
                  "floating_ips": (model.FloatingIP(new_id(), "172.24.99.51", "10.30.0.5"),)}
        values.update(router_overrides)
        return model.Router(**values), inside, inside_subnet

    def test_router_is_observed_as_described(self, driver):
        router, inside, _ = self.router_setup()
        driver.ensure_router(router)
        driver.ensure_router(router)
        state = driver.observed().routers[router.id]
        assert state.interfaces == {router.interfaces[0].port.id}
        assert state.gateway == router.gateway.port.id
        assert state.floating_ips == {"172.24.99.51": "10.30.0.5"}
        assert state.snat and state.metadata
        assert inside.id in driver.observed().networks
        taps = driver.list_taps()
        assert taps[names.tap(router.interfaces[0].port.id)] == names.bridge(inside.id)

    def test_router_converges_to_a_changed_description(self, driver):
        router, inside, inside_subnet = self.router_setup()
        driver.ensure_router(router)
        second_net = vxlan_network()
        second = router_port(second_net, subnet(second_net, "10.31.0.0/24"), "10.31.0.1")
        changed = model.Router(id=router.id, interfaces=(second,), gateway=router.gateway,
                               enable_snat=False,
                               floating_ips=(model.FloatingIP(new_id(), "172.24.99.52",
                                                              "10.31.0.7"),))
        driver.ensure_router(changed)
        state = driver.observed().routers[router.id]
        assert state.interfaces == {second.port.id}
        assert state.floating_ips == {"172.24.99.52": "10.31.0.7"}
        assert not state.snat
        assert names.tap(router.interfaces[0].port.id) not in driver.list_taps()

    def test_router_without_gateway_has_no_nat(self, driver):
        router, _, _ = self.router_setup(gateway=None)
        driver.ensure_router(router)
        state = driver.observed().routers[router.id]
        assert state.gateway is None and state.floating_ips == {} and not state.snat

    def test_a_dead_metadata_proxy_is_restarted_by_ensure(self, driver, host):
        router, _, _ = self.router_setup()
        driver.ensure_router(router)
        host.kill_metadata_proxy(router.id)
        assert not driver.observed().routers[router.id].metadata
        driver.ensure_router(router)
        assert driver.observed().routers[router.id].metadata

    def ipv6_interface(self, ra_mode: str | None) -> model.RouterPort:
        network = vxlan_network()
        sub = subnet(network, "fd00:30::/64", ip_version=6, gateway_ip="fd00:30::1",
                     ipv6_ra_mode=ra_mode, ipv6_address_mode=ra_mode)
        return router_port(network, sub, "fd00:30::1")

    def test_router_advertises_only_for_ipv6_subnets_with_an_ra_mode(self, driver):
        router, _, _ = self.router_setup(gateway=None)
        driver.ensure_router(router)
        assert not driver.observed().routers[router.id].advertising
        slaac = dataclasses.replace(
            router, interfaces=router.interfaces + (self.ipv6_interface(model.SLAAC),))
        driver.ensure_router(slaac)
        driver.ensure_router(slaac)
        assert driver.observed().routers[router.id].advertising
        stateful = dataclasses.replace(
            router, interfaces=(self.ipv6_interface(model.DHCPV6_STATEFUL),))
        driver.ensure_router(stateful)
        assert driver.observed().routers[router.id].advertising
        driver.ensure_router(dataclasses.replace(
            router, interfaces=(self.ipv6_interface(None),)))
        assert not driver.observed().routers[router.id].advertising
        driver.ensure_router(slaac)
        driver.delete_router(router.id)
        assert router.id not in driver.observed().routers

    def test_delete_router(self, driver):
        router, _, _ = self.router_setup()
        driver.ensure_router(router)
        driver.delete_router(router.id)
        observed = driver.observed()
        assert router.id not in observed.routers
        assert names.tap(router.gateway.port.id) not in observed.taps
        driver.delete_router(router.id)

    # -- port security ---------------------------------------------------------

    def port_filter(self, **overrides) -> model.PortSecurity:
        values = {"port_id": new_id(), "network_id": new_id(), "mac_address": new_mac(),
                  "ip_addresses": ("10.40.0.5",),
                  "rules": (model.SecurityRule(model.EGRESS),
                            model.SecurityRule(model.INGRESS, protocol="tcp",
                                               port_range_min=22, port_range_max=22))}
        values.update(overrides)
        return model.PortSecurity(**values)

    def test_port_security_added_replaced_and_removed(self, driver):
        first, second = self.port_filter(), self.port_filter(port_security_enabled=False)
        driver.ensure_port_security([first, second])
        assert {first.port_id, second.port_id} <= driver.observed().port_security
        replaced = dataclasses.replace(first, rules=(), ip_addresses=())
        driver.ensure_port_security([replaced])
        assert {first.port_id, second.port_id} <= driver.observed().port_security
        driver.remove_port_security(first.port_id)
        driver.remove_port_security(first.port_id)
        observed = driver.observed().port_security
        assert first.port_id not in observed and second.port_id in observed

    # -- everything --------------------------------------------------------------

    def test_cleanup_all_leaves_nothing_of_the_drivers(self, driver, host):
        router, inside, inside_subnet = self.router_setup()
        driver.ensure_router(router)
        network, sub, dhcp_port, guests = self.dhcp_setup()
        driver.ensure_dhcp(network, [sub], dhcp_port, guests)
        host.add_tap(guests[0])
        driver.plug_taps(network, guests)
        driver.ensure_port_security([self.port_filter(port_id=guests[0].id)])
        driver.cleanup_all()
        observed = driver.observed()
        assert not observed.networks and not observed.dhcp and not observed.routers
        assert not observed.port_security
        assert observed.taps[names.tap(guests[0].id)] is None  # compute's tap stays
        assert names.tap(dhcp_port.id) not in observed.taps
        assert names.tap(router.gateway.port.id) not in observed.taps
