"""Building the driver's model from Neutron-shaped dicts."""
from network.agent import model


def test_network_accepts_provider_attributes_and_ignores_unknown_keys():
    network = model.Network.from_dict({
        "id": "n1", "provider:network_type": "vxlan", "provider:segmentation_id": 42,
        "provider:physical_network": None, "mtu": 1450, "name": "private",
        "admin_state_up": True})
    assert network == model.Network(id="n1", network_type="vxlan", segmentation_id=42,
                                     mtu=1450)


def test_nested_values_become_dataclasses_and_lists_tuples():
    router = model.Router.from_dict({
        "id": "r1",
        "interfaces": [{"port": {"id": "p1", "network_id": "n1", "mac_address": "fa:16:3e:0:0:1",
                                 "fixed_ips": [{"subnet_id": "s1", "ip_address": "10.0.0.1"}]},
                        "network": {"id": "n1", "segmentation_id": 7},
                        "subnets": [{"id": "s1", "network_id": "n1", "cidr": "10.0.0.0/24",
                                     "host_routes": [{"destination": "10.1.0.0/24",
                                                      "nexthop": "10.0.0.9"}]}]}],
        "floating_ips": [{"id": "f1", "floating_ip_address": "172.24.99.9",
                          "fixed_ip_address": "10.0.0.5", "status": "ACTIVE"}],
        "routes": [{"destination": "10.2.0.0/24", "nexthop": "10.0.0.8"}]})
    interface = router.interfaces[0]
    assert interface.port.fixed_ips == (model.FixedIP("s1", "10.0.0.1"),)
    assert interface.subnets[0].host_routes == (model.HostRoute("10.1.0.0/24", "10.0.0.9"),)
    assert interface.subnets[0].prefixlen == 24
    assert router.floating_ips[0].floating_ip_address == "172.24.99.9"
    assert router.gateway is None and router.enable_snat
    assert model.Router.from_dict(router.to_dict()) == router


def test_port_security_takes_neutron_rule_dicts():
    port = model.PortSecurity.from_dict({
        "port_id": "p1", "network_id": "n1", "mac_address": "fa:16:3e:00:00:01",
        "ip_addresses": ["10.0.0.5"],
        "allowed_address_pairs": [{"ip_address": "10.0.0.0/28"}],
        "security_group_rules": [{"direction": "ingress", "ethertype": "IPv4",
                                  "protocol": "tcp", "port_range_min": 22,
                                  "port_range_max": 22, "remote_ip_prefix": None,
                                  "remote_group_id": "g1", "remote_ips": ["10.0.0.6"],
                                  "security_group_id": "sg"}]})
    assert port.rules[0].remote_ips == ("10.0.0.6",)
    assert port.allowed_address_pairs == (model.AddressPair("10.0.0.0/28"),)
    assert port.port_security_enabled


def test_port_hostname_comes_from_dns_name():
    port = model.Port.from_dict({"id": "p", "network_id": "n", "mac_address": "m",
                                 "dns_name": "web-1"})
    assert port.hostname == "web-1"
    assert port.ips_on("s") == []
