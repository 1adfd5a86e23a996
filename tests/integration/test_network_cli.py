"""The network service through the stock ``openstack`` CLI: the networking
guide's self-service scenario, its refusals, and packets through what the
agent builds (stand-in guests in namespaces, no compute)."""
import ipaddress
import socket
import subprocess
import time

import pytest

from tests.integration.guests import Guest, sh

HOST_PUBLIC_IP = "172.24.4.1"  # the host's address on br-ex (devstack/lib/network)


def wait_for(predicate, timeout: float, what: str, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def host_pings(address: str) -> bool:
    return subprocess.run(["ping", "-c", "1", "-W", "1", address],
                          capture_output=True).returncode == 0


@pytest.fixture
def cleanup(admin_cli):
    """Deletes what a test registered, last first, even when it failed."""
    steps: list[tuple] = []
    yield steps
    for args in reversed(steps):
        admin_cli.run(*args, check=False)


def test_self_service_network_flow(demo_cli, unique, cleanup):
    network = demo_cli.json("network", "create", "--description", "flow", unique)
    cleanup.append(("network", "delete", network["id"]))
    assert network["status"] == "ACTIVE" and network["mtu"] == 1450
    subnet = demo_cli.json("subnet", "create", "--network", unique, "--subnet-range",
                           "192.168.77.0/24", "--dns-nameserver", "192.0.2.53", f"{unique}-sn")
    cleanup.append(("subnet", "delete", subnet["id"]))
    assert subnet["gateway_ip"] == "192.168.77.1"
    assert subnet["allocation_pools"] == [{"start": "192.168.77.2", "end": "192.168.77.254"}]

    port = demo_cli.json("port", "create", "--network", unique, "--fixed-ip",
                         f"subnet={subnet['id']},ip-address=192.168.77.50", f"{unique}-p")
    cleanup.append(("port", "delete", port["id"]))
    assert port["fixed_ips"][0]["ip_address"] == "192.168.77.50"
    error = demo_cli.fails("port", "create", "--network", unique, "--fixed-ip",
                           f"subnet={subnet['id']},ip-address=192.168.77.50", f"{unique}-p2")
    assert "192.168.77.50" in error
    demo_cli.run("port", "set", "--name", f"{unique}-renamed", port["id"])
    assert demo_cli.json("port", "show", port["id"])["name"] == f"{unique}-renamed"
    listed = demo_cli.json("port", "list", "--network", unique)
    assert port["id"] in {p["ID"] for p in listed}

    router = demo_cli.json("router", "create", f"{unique}-r")
    cleanup.append(("router", "delete", router["id"]))
    demo_cli.run("router", "set", "--external-gateway", "public", router["id"])
    demo_cli.run("router", "add", "subnet", router["id"], subnet["id"])
    cleanup.append(("router", "remove", "subnet", router["id"], subnet["id"]))
    shown = demo_cli.json("router", "show", router["id"])
    assert shown["external_gateway_info"]["network_id"] == \
        demo_cli.json("network", "show", "public")["id"]

    fip = demo_cli.json("floating", "ip", "create", "public")
    cleanup.append(("floating", "ip", "delete", fip["id"]))
    demo_cli.run("floating", "ip", "set", "--port", port["id"], fip["id"])
    associated = demo_cli.json("floating", "ip", "show", fip["id"])
    assert associated["fixed_ip_address"] == "192.168.77.50"
    assert associated["router_id"] == router["id"]
    demo_cli.run("floating", "ip", "unset", "--port", fip["id"])

    group = demo_cli.json("security", "group", "create", f"{unique}-sg")
    cleanup.append(("security", "group", "delete", group["id"]))
    rule = demo_cli.json("security", "group", "rule", "create", "--ingress", "--protocol",
                         "tcp", "--dst-port", "80:81", group["id"])
    assert (rule["port_range_min"], rule["port_range_max"]) == (80, 81)
    demo_cli.fails("security", "group", "rule", "create", "--ingress", "--protocol", "tcp",
                   "--dst-port", "80:81", group["id"])
    demo_cli.run("port", "set", "--security-group", group["id"], port["id"])
    assert group["id"] in demo_cli.json("port", "show", port["id"])["security_group_ids"]

    # A network with ports in use is not deleted; everything goes in order.
    assert demo_cli.fails("network", "delete", network["id"])
    demo_cli.run("floating", "ip", "delete", fip["id"])
    demo_cli.run("port", "delete", port["id"])
    demo_cli.run("router", "remove", "subnet", router["id"], subnet["id"])
    demo_cli.run("router", "delete", router["id"])
    demo_cli.run("security", "group", "delete", group["id"])
    demo_cli.run("network", "delete", network["id"])
    assert unique not in {n["Name"] for n in demo_cli.json("network", "list")}


def test_overlapping_subnets_on_one_router_are_refused(demo_cli, unique, cleanup):
    router = demo_cli.json("router", "create", f"{unique}-r")
    cleanup.append(("router", "delete", router["id"]))
    subnets = []
    for index in range(2):
        name = f"{unique}-{index}"
        network = demo_cli.json("network", "create", name)
        cleanup.append(("network", "delete", network["id"]))
        subnets.append(demo_cli.json("subnet", "create", "--network", name,
                                     "--subnet-range", "192.168.88.0/24", name))
    demo_cli.run("router", "add", "subnet", router["id"], subnets[0]["id"])
    cleanup.append(("router", "remove", "subnet", router["id"], subnets[0]["id"]))
    assert "overlap" in demo_cli.fails("router", "add", "subnet", router["id"],
                                       subnets[1]["id"]).lower()


def namespaces() -> str:
    return sh("ip", "netns", "list")


def test_guests_get_leases_reach_each_other_and_a_floating_ip(
        admin_cli, demo_cli, unique, cleanup, tmp_path):
    """Two stand-in guests on a tenant network behind a router: DHCP, ping
    between them and to the router, a floating IP the host reaches while an
    ICMP rule allows it; nothing left behind after deleting it all."""
    host = socket.gethostname()
    network = demo_cli.json("network", "create", unique)
    cleanup.append(("network", "delete", network["id"]))
    subnet = demo_cli.json("subnet", "create", "--network", unique, "--subnet-range",
                           "192.168.66.0/24", f"{unique}-sn")
    router = demo_cli.json("router", "create", f"{unique}-r")
    cleanup.append(("router", "delete", router["id"]))
    demo_cli.run("router", "set", "--external-gateway", "public", router["id"])
    demo_cli.run("router", "add", "subnet", router["id"], subnet["id"])
    cleanup.append(("router", "remove", "subnet", router["id"], subnet["id"]))
    group = demo_cli.json("security", "group", "create", f"{unique}-sg")
    cleanup.append(("security", "group", "delete", group["id"]))
    icmp = demo_cli.json("security", "group", "rule", "create", "--ingress", "--protocol",
                         "icmp", group["id"])
    ports, guests = [], []
    try:
        for index in range(2):
            port = admin_cli.json("port", "create", "--network", network["id"], "--project",
                                  network["project_id"], "--host", host, "--device-owner",
                                  "compute:test", "--security-group", group["id"],
                                  f"{unique}-{index}")
            cleanup.append(("port", "delete", port["id"]))
            ports.append(port)
            guests.append(Guest.for_port(port["id"], port["mac_address"], str(tmp_path)))
        wait_for(lambda: all(admin_cli.json("port", "show", p["id"])["status"] == "ACTIVE"
                             for p in ports), 30, "the agent to wire both ports")
        leases = [guest.dhcp() for guest in guests]
        addresses = [p["fixed_ips"][0]["ip_address"] for p in ports]
        assert [lease["ip"] for lease in leases] == addresses
        assert leases[0]["router"].split()[0] == "192.168.66.1"
        assert guests[0].ping(addresses[1]) and guests[1].ping(addresses[0])
        assert guests[0].ping("192.168.66.1")

        fip = demo_cli.json("floating", "ip", "create", "--port", ports[0]["id"], "public")
        cleanup.append(("floating", "ip", "delete", fip["id"]))
        address = fip["floating_ip_address"]
        assert ipaddress.ip_address(address) in ipaddress.ip_network("172.24.4.0/24")
        wait_for(lambda: host_pings(address), 30, f"the host to reach {address}")
        assert guests[1].ping(HOST_PUBLIC_IP), "SNAT out of the router"

        demo_cli.run("security", "group", "rule", "delete", icmp["id"])
        wait_for(lambda: not host_pings(address), 30, "the ICMP rule's removal to bite")
        demo_cli.run("security", "group", "rule", "create", "--ingress", "--protocol",
                     "icmp", group["id"])
        wait_for(lambda: host_pings(address), 30, "the ICMP rule to be back")
    finally:
        for guest in guests:
            guest.delete()
        for args in reversed(cleanup):
            admin_cli.run(*args, check=False)
        cleanup.clear()
    wait_for(lambda: f"qrouter-{router['id']}" not in namespaces()
             and f"qdhcp-{network['id']}" not in namespaces(), 30,
             "the router and DHCP namespaces to go")
    bridge = f"brq{network['id'][:11]}"
    wait_for(lambda: bridge not in sh("ip", "-o", "link", "show"), 30, f"{bridge} to go")
    rules = sh("iptables-save")
    assert all(p["id"][:11] not in rules for p in ports), "firewall rules left behind"
