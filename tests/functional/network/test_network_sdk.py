"""openstacksdk's network proxy against the in-process network service, found
through the identity catalog (as the CLI and Nova find Neutron)."""
import openstack

from tests.functional.cloud import PASSWORD
from tests.functional.identity.conftest import ADMIN_PASSWORD


def _connect(cloud, user):
    password = ADMIN_PASSWORD if user == "admin" else PASSWORD
    return openstack.connect(
        auth_url=f"{cloud.url}/v3", username=user, password=password, project_name=user,
        user_domain_id="default", project_domain_id="default", region_name="RegionOne")


def test_sdk_network_subnet_port_lifecycle(cloud, network_url):
    conn = _connect(cloud, "demo")
    network = conn.network.create_network(name="sdk-net", description="made by sdk")
    assert (network.status, network.mtu, network.is_shared) == ("ACTIVE", 1450, False)
    subnet = conn.network.create_subnet(network_id=network.id, ip_version=4,
                                        cidr="192.168.50.0/24", name="sdk-sub",
                                        dns_nameservers=["9.9.9.9"])
    assert subnet.gateway_ip == "192.168.50.1"
    assert subnet.allocation_pools == [{"start": "192.168.50.2", "end": "192.168.50.254"}]
    ports = [conn.network.create_port(network_id=network.id, name=f"p{i}") for i in range(5)]
    first_ip = ports[0].fixed_ips[0]["ip_address"]

    assert conn.network.find_network("sdk-net").id == network.id
    assert conn.network.get_subnet(subnet.id).cidr == "192.168.50.0/24"
    found = list(conn.network.ports(fixed_ips=[f"ip_address={first_ip}"]))
    assert [p.id for p in found] == [ports[0].id]
    paged = list(conn.network.ports(network_id=network.id, limit=2, sort_key="name",
                                    sort_dir="asc"))
    assert [p.name for p in paged] == ["p0", "p1", "p2", "p3", "p4"]
    assert [p.name for p in conn.network.ports(name="p3")] == ["p3"]

    port = conn.network.update_port(ports[1], name="renamed", admin_state_up=False)
    assert (port.name, port.is_admin_state_up) == ("renamed", False)
    conn.network.set_tags(network, ["blue", "green"])
    assert sorted(conn.network.get_network(network.id).tags) == ["blue", "green"]
    assert [n.id for n in conn.network.networks(tags="blue")] == [network.id]
    conn.network.update_subnet(subnet, name="renamed-sub")
    assert conn.network.get_subnet(subnet.id).name == "renamed-sub"

    for port in ports:
        conn.network.delete_port(port)
    assert list(conn.network.ports(network_id=network.id)) == []
    conn.network.delete_subnet(subnet)
    conn.network.delete_network(network)
    assert conn.network.find_network("sdk-net") is None


def test_sdk_admin_sees_provider_and_binding(cloud, network_url):
    admin = _connect(cloud, "admin")
    network = admin.network.create_network(
        name="flat", provider_network_type="flat", provider_physical_network="public",
        is_router_external=True)
    assert (network.provider_network_type, network.provider_physical_network) == \
        ("flat", "public")
    assert network.is_router_external is True
    admin.network.create_subnet(network_id=network.id, ip_version=4, cidr="172.24.4.0/24")
    port = admin.network.create_port(network_id=network.id, binding_host_id="node-1")
    assert (port.binding_host_id, port.binding_vif_type) == ("node-1", "bridge")
    demo = _connect(cloud, "demo")
    seen = demo.network.get_network(network.id)
    assert seen.provider_network_type is None
    assert [n.id for n in demo.network.networks(is_router_external=True)] == [network.id]
    quota = admin.network.get_quota(demo.current_project_id)
    assert quota.networks == 100
