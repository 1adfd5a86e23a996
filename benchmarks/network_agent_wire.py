"""Wiring guest ports with the network agent's Linux-bridge driver (root).

``--ports`` taps are made up front, as compute would make them (untimed),
on one VXLAN network of this host. Then, timed:

  batch        one sync for all ports: ensure_network, plug_taps (all),
               ensure_port_security (all: egress any, ingress TCP 22 and
               ingress from the ports' own group, an ipset of all of them),
               ensure_dhcp (a hosts entry per port)
  one-by-one   the ports arrive one at a time, each its own sync: plug_tap,
               ensure_port_security([port]) (the group grows by one each
               time), ensure_dhcp (all ports so far)

Prints milliseconds per port and processes started per port for each. The
target (issue: network agent dataplane) is at most 20 ms per port. The
driver runs in its own scope with a private state directory, and everything
it and this script made is removed at the end. Never asserts.

  sudo /opt/stratus/venv/bin/python benchmarks/network_agent_wire.py
  sudo /opt/stratus/venv/bin/python benchmarks/network_agent_wire.py --ports 500 --json
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import tempfile
import time
import uuid

from network.agent import driver as base
from network.agent import model, names
from network.agent.linuxbridge.driver import LinuxBridgeDriver


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ports", type=int, default=200)
    parser.add_argument("--json", action="store_true", help="print JSON, not a table")
    return parser.parse_args()


def make_ports(count: int) -> tuple[model.Network, model.Subnet, model.Port, list[model.Port]]:
    network = model.Network(id=str(uuid.uuid4()), network_type=model.VXLAN,
                            segmentation_id=random.randrange(10_000_000, 16_000_000))
    subnet = model.Subnet(id=str(uuid.uuid4()), network_id=network.id, cidr="10.96.0.0/16",
                          gateway_ip="10.96.0.1")
    dhcp_port = model.Port(id=str(uuid.uuid4()), network_id=network.id,
                           mac_address="fa:16:3e:ff:00:02",
                           fixed_ips=(model.FixedIP(subnet.id, "10.96.0.2"),))
    ports = [model.Port(id=str(uuid.uuid4()), network_id=network.id,
                        mac_address=f"fa:16:3e:{n >> 16 & 255:02x}:{n >> 8 & 255:02x}:"
                                    f"{n & 255:02x}",
                        fixed_ips=(model.FixedIP(subnet.id,
                                                 f"10.96.{1 + n // 250}.{1 + n % 250}"),))
             for n in range(count)]
    return network, subnet, dhcp_port, ports


def port_filters(ports: list[model.Port], group: str) -> list[model.PortSecurity]:
    members = tuple(port.fixed_ips[0].ip_address for port in ports)
    rules = (model.SecurityRule(model.EGRESS),
             model.SecurityRule(model.INGRESS, protocol="tcp", port_range_min=22,
                                port_range_max=22),
             model.SecurityRule(model.INGRESS, remote_group_id=group, remote_ips=members))
    return [model.PortSecurity(port_id=port.id, network_id=port.network_id,
                               mac_address=port.mac_address,
                               ip_addresses=(port.fixed_ips[0].ip_address,), rules=rules)
            for port in ports]


def ip_batch(lines: list[str]) -> None:
    subprocess.run(["ip", "-force", "-batch", "-"], input="\n".join(lines) + "\n", text=True,
                   check=False, capture_output=True)


def make_taps(ports: list[model.Port]) -> None:
    lines = []
    for port in ports:
        tap = names.tap(port.id)
        lines += [f"tuntap add {tap} mode tap", f"link set {tap} address {port.mac_address}",
                  f"link set {tap} up"]
    ip_batch(lines)


def remove_taps(ports: list[model.Port]) -> None:
    ip_batch([f"link del {names.tap(port.id)}" for port in ports])


def batch(agent: LinuxBridgeDriver, count: int) -> dict:
    network, subnet, dhcp_port, ports = make_ports(count)
    make_taps(ports)
    try:
        calls = agent.executor.calls
        started = time.perf_counter()
        agent.ensure_network(network)
        wired = agent.plug_taps(network, ports)
        agent.ensure_port_security(port_filters(ports, str(uuid.uuid4())))
        agent.ensure_dhcp(network, [subnet], dhcp_port, ports)
        elapsed = time.perf_counter() - started
        assert len(wired) == count, f"only {len(wired)} of {count} taps wired"
        return {"scenario": "batch", "ports": count, "seconds": elapsed,
                "ms_per_port": elapsed * 1000 / count,
                "processes_per_port": (agent.executor.calls - calls) / count}
    finally:
        agent.cleanup_all()
        remove_taps(ports)


def one_by_one(agent: LinuxBridgeDriver, count: int) -> dict:
    network, subnet, dhcp_port, ports = make_ports(count)
    make_taps(ports)
    group = str(uuid.uuid4())
    try:
        calls = agent.executor.calls
        started = time.perf_counter()
        for index, port in enumerate(ports):
            assert agent.plug_tap(port, network)
            agent.ensure_port_security(port_filters(ports[:index + 1], group)[-1:])
            agent.ensure_dhcp(network, [subnet], dhcp_port, ports[:index + 1])
        elapsed = time.perf_counter() - started
        return {"scenario": "one-by-one", "ports": count, "seconds": elapsed,
                "ms_per_port": elapsed * 1000 / count,
                "processes_per_port": (agent.executor.calls - calls) / count}
    finally:
        agent.cleanup_all()
        remove_taps(ports)


def main() -> None:
    args = parse_args()
    state = tempfile.mkdtemp(prefix="stratus-wire-", dir="/tmp")
    os.chmod(state, 0o755)
    agent = LinuxBridgeDriver(base.Settings(state_path=state, scope="wire"))
    try:
        results = [batch(agent, args.ports), one_by_one(agent, args.ports)]
    finally:
        agent.cleanup_all()
        shutil.rmtree(state, ignore_errors=True)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{'scenario':<12} {'ports':>6} {'seconds':>8} {'ms/port':>8} {'procs/port':>10}")
    for row in results:
        print(f"{row['scenario']:<12} {row['ports']:>6} {row['seconds']:>8.2f} "
              f"{row['ms_per_port']:>8.1f} {row['processes_per_port']:>10.2f}")
    print("target: <= 20 ms per port")


if __name__ == "__main__":
    main()
