"""Port throughput of a running Stratus network service, and how fast its
agent wires ports.

1. create  ``--clients`` threads create ``--ports`` ports (each with an IP from
           the subnet's pool) on a fresh network through ``POST /v2.0/ports``;
           prints ports/s and latency percentiles (target: >= 100 ports/s).
2. wire    (root, with the agent running on this host) ``--wire`` ports are
           bound to this host with ``binding:host_id``, then a tap per port
           is created as compute's libvirt would (``tap<port id[:11]>``); the
           time from the taps' creation until every port is ``ACTIVE`` is
           divided by the number of ports (target: <= 20 ms a port).
Everything made is deleted at the end. Prints figures; never asserts.

  source /etc/stratus/openrc-admin
  python benchmarks/network_ports.py [--ports 500] [--clients 10] [--wire 200]
"""
import argparse
import os
import socket
import subprocess
import sys
import threading
import time
from concurrent import futures

import requests

CREATE_TARGET = 100.0  # ports/s
WIRE_TARGET_MS = 20.0  # ms per port


class Api:
    """Token from the OS_* environment, network endpoint from the catalog."""

    def __init__(self):
        auth_url = os.environ["OS_AUTH_URL"].rstrip("/")
        body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": os.environ["OS_USERNAME"], "password": os.environ["OS_PASSWORD"],
            "domain": {"id": os.environ.get("OS_USER_DOMAIN_ID", "default")}}}},
            "scope": {"project": {"name": os.environ["OS_PROJECT_NAME"], "domain": {
                "id": os.environ.get("OS_PROJECT_DOMAIN_ID", "default")}}}}}
        response = requests.post(f"{auth_url}/auth/tokens", json=body, timeout=60)
        response.raise_for_status()
        self.token = response.headers["X-Subject-Token"]
        self.project_id = response.json()["token"]["project"]["id"]
        catalog = response.json()["token"]["catalog"]
        self.url = next(e["url"] for s in catalog if s["type"] == "network"
                        for e in s["endpoints"] if e["interface"] == "public").rstrip("/")
        self._local = threading.local()

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
            session.headers["X-Auth-Token"] = self.token
        response = session.request(method, f"{self.url}/v2.0{path}", timeout=120, **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text}")
        return response


def percentile(ordered: list[float], p: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else 0.0


def create_ports(api: Api, network_id: str, count: int, clients: int,
                 extra: dict | None = None) -> tuple[list[str], float, list[float]]:
    """Create ``count`` ports with ``clients`` threads; (ids, seconds, latencies)."""
    latencies: list[float] = []

    def one(_):
        start = time.perf_counter()
        port = api.call("POST", "/ports", json={"port": {
            "network_id": network_id, **(extra or {})}}).json()["port"]
        latencies.append(time.perf_counter() - start)
        return port["id"]

    start = time.perf_counter()
    with futures.ThreadPoolExecutor(clients) as pool:
        ids = list(pool.map(one, range(count)))
    return ids, time.perf_counter() - start, sorted(latencies)


def delete_ports(api: Api, ids: list[str], clients: int) -> None:
    with futures.ThreadPoolExecutor(clients) as pool:
        list(pool.map(lambda port_id: api.call("DELETE", f"/ports/{port_id}"), ids))


def make_network(api: Api, name: str, cidr: str) -> str:
    network = api.call("POST", "/networks", json={"network": {"name": name}}).json()["network"]
    api.call("POST", "/subnets", json={"subnet": {
        "network_id": network["id"], "cidr": cidr, "ip_version": 4}})
    return network["id"]


def wire(api: Api, network_id: str, count: int, clients: int, host: str) -> None:
    ids, _, _ = create_ports(api, network_id, count, clients, {
        "binding:host_id": host, "device_owner": "compute:bench", "device_id": "bench"})
    taps = [f"tap{port_id[:11]}" for port_id in ids]
    try:
        batch = "".join(f"tuntap add dev {tap} mode tap\nlink set {tap} up\n" for tap in taps)
        start = time.perf_counter()
        subprocess.run(["ip", "-batch", "-"], input=batch, text=True, check=True)
        pending = set(ids)
        deadline = start + max(60.0, count * 0.5)
        while pending and time.perf_counter() < deadline:
            time.sleep(0.05)
            listed = api.call("GET", f"/ports?network_id={network_id}&status=ACTIVE"
                                     "&fields=id").json()["ports"]
            pending -= {port["id"] for port in listed}
        elapsed = time.perf_counter() - start
        if pending:
            print(f"wire: {len(pending)} of {count} ports not ACTIVE after {elapsed:.1f} s")
        else:
            per_port = elapsed * 1000 / count
            print(f"wire: {count} ports ACTIVE {elapsed:.2f} s after their taps appeared: "
                  f"{per_port:.1f} ms a port (target <= {WIRE_TARGET_MS:.0f}) "
                  f"{'MET' if per_port <= WIRE_TARGET_MS else 'MISSED'}")
    finally:
        subprocess.run(["ip", "-batch", "-"], text=True, check=False,
                       input="".join(f"link del {tap}\n" for tap in taps))
        delete_ports(api, ids, clients)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ports", type=int, default=500)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--wire", type=int, default=200,
                        help="ports to wire through the agent (0: skip; needs root)")
    parser.add_argument("--host", default=socket.gethostname(),
                        help="the agent's host name (binding:host_id)")
    args = parser.parse_args(argv)
    api = Api()
    # Room for the ports whatever the project holds already (needs admin).
    quota_url = f"/quotas/{api.project_id}"
    port_quota = api.call("GET", quota_url).json()["quota"]["port"]
    api.call("PUT", quota_url, json={"quota": {"port": -1}})
    network_id = make_network(api, "bench-ports", "10.250.0.0/20")
    try:
        ids, seconds, latencies = create_ports(api, network_id, args.ports, args.clients)
        rate = len(ids) / seconds
        print(f"create: {len(ids)} ports by {args.clients} clients in {seconds:.2f} s: "
              f"{rate:.0f} ports/s (target >= {CREATE_TARGET:.0f}) "
              f"{'MET' if rate >= CREATE_TARGET else 'MISSED'}; latency p50 "
              f"{percentile(latencies, 0.5) * 1000:.0f} ms, p99 "
              f"{percentile(latencies, 0.99) * 1000:.0f} ms")
        start = time.perf_counter()
        delete_ports(api, ids, args.clients)
        print(f"delete: {len(ids) / (time.perf_counter() - start):.0f} ports/s")
        if args.wire:
            if os.geteuid() != 0:
                print("wire: skipped (needs root to create taps)")
            else:
                wire(api, network_id, args.wire, args.clients, args.host)
    finally:
        leftover = api.call("GET", f"/ports?network_id={network_id}&device_owner="
                                   "&fields=id").json()["ports"]
        delete_ports(api, [port["id"] for port in leftover], args.clients)
        api.call("DELETE", f"/networks/{network_id}")
        api.call("PUT", quota_url, json={"quota": {"port": port_quota}})


if __name__ == "__main__":
    main(sys.argv[1:])
