"""openstacksdk's router and floating IP calls against the in-process
network service, found through the identity catalog."""
import openstack

from tests.functional.cloud import PASSWORD
from tests.functional.identity.conftest import ADMIN_PASSWORD


def _connect(cloud, user):
    password = ADMIN_PASSWORD if user == "admin" else PASSWORD
    return openstack.connect(
        auth_url=f"{cloud.url}/v3", username=user, password=password, project_name=user,
        user_domain_id="default", project_domain_id="default", region_name="RegionOne")


def test_sdk_router_and_floating_ip_lifecycle(cloud, network_url):
    admin = _connect(cloud, "admin")
    public = admin.network.create_network(name="public", is_router_external=True)
    admin.network.create_subnet(network_id=public.id, ip_version=4, cidr="172.24.4.0/24")

    conn = _connect(cloud, "demo")
    network = conn.network.create_network(name="private")
    subnet = conn.network.create_subnet(network_id=network.id, ip_version=4,
                                        cidr="10.0.0.0/24")
    router = conn.network.create_router(name="sdk-router")
    assert (router.status, router.external_gateway_info) == ("ACTIVE", None)
    info = conn.network.add_interface_to_router(router, subnet_id=subnet.id)
    assert (info["subnet_id"], info["id"]) == (subnet.id, router.id)
    router = conn.network.update_router(router,
                                        external_gateway_info={"network_id": public.id})
    assert router.external_gateway_info["network_id"] == public.id
    assert router.external_gateway_info["enable_snat"] is True
    assert conn.network.find_router("sdk-router").id == router.id

    server_port = conn.network.create_port(network_id=network.id, name="vm")
    fip = conn.network.create_ip(floating_network_id=public.id)
    assert (fip.status, fip.port_id) == ("DOWN", None)
    fip = conn.network.update_ip(fip, port_id=server_port.id)
    assert (fip.port_id, fip.router_id, fip.status) == (server_port.id, router.id, "ACTIVE")
    assert fip.fixed_ip_address == server_port.fixed_ips[0]["ip_address"]
    assert fip.port_details["name"] == "vm"
    found = list(conn.network.ips(port_id=server_port.id))
    assert [ip.id for ip in found] == [fip.id]
    fip = conn.network.update_ip(fip, port_id=None)
    assert (fip.port_id, fip.router_id) == (None, None)
    conn.network.delete_ip(fip)
    assert list(conn.network.ips()) == []

    conn.network.add_extra_routes_to_router(router, body={"router": {"routes": [
        {"destination": "192.168.0.0/24", "nexthop": "10.0.0.5"}]}})
    assert conn.network.get_router(router.id).routes == [
        {"destination": "192.168.0.0/24", "nexthop": "10.0.0.5"}]
    conn.network.update_router(router, routes=[])
    conn.network.remove_interface_from_router(router, subnet_id=subnet.id)
    conn.network.update_router(router, external_gateway_info={})
    conn.network.delete_router(router)
    assert conn.network.find_router("sdk-router") is None
    conn.network.delete_port(server_port)
    conn.network.delete_subnet(subnet)
    conn.network.delete_network(network)
