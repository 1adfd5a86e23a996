"""Several API processes allocating from one subnet and one subnet pool at
once, on SQLite and (when ``STRATUS_TEST_*`` servers answer) on MariaDB and
PostgreSQL: no address or prefix is handed out twice, and running out is a
clean 409, never a 500 or a lost request.

Each worker process builds its own :class:`NetworkService` on the shared
database, as every gunicorn worker of ``stratus-network-api`` does, and goes
through the same managers the API handlers call.
"""
import ipaddress

import pytest

from network import exception
from network.manage import make_conf
from network.manager import Caller
from network.service import NetworkService
from stratus import config
from stratus.db import Database, migration
from tests.functional.test_db_concurrency import PROCESSES, run_processes

PROJECT = "concurrent-project"
ATTEMPTS = 8  # per worker, on a /27 (29 addresses): some workers must run out
POOL_ATTEMPTS = 4  # per worker, on a /24 pool cut in /28s (16 blocks)


def _service(url: str, state_path: str) -> NetworkService:
    conf = make_conf()
    config.load(conf, [], [])
    conf.set_override("connection", url, group="database")
    conf.set_override("state_path", state_path)
    return NetworkService(conf)


def port_worker(setup, worker: int, count: int):
    """Create ``count`` ports; (addresses got, IpAddressGenerationFailure count)."""
    url, state_path, network_id = setup
    service = _service(url, state_path)
    caller = Caller(PROJECT)
    got, exhausted = [], 0
    try:
        for _ in range(count):
            try:
                [port] = service.ports.create_many(caller, [
                    {"network_id": network_id, "project_id": PROJECT, "name": f"w{worker}"}])
                got.append(port["fixed_ips"][0]["ip_address"])
            except exception.IpAddressGenerationFailure as error:
                assert error.code == 409
                exhausted += 1
    finally:
        service.db.dispose()
    return got, exhausted


def pool_worker(setup, worker: int, count: int):
    """Carve ``count`` /28 subnets out of the pool, each on a new network."""
    url, state_path, pool_id = setup
    service = _service(url, state_path)
    caller = Caller(PROJECT)
    got, exhausted = [], 0
    try:
        for _ in range(count):
            [network] = service.networks.create_many(caller, [{"project_id": PROJECT}])
            try:
                [subnet] = service.subnets.create_many(caller, [{
                    "network_id": network["id"], "project_id": PROJECT, "ip_version": 4,
                    "subnetpool_id": pool_id, "prefixlen": 28}])
                got.append(subnet["cidr"])
            except exception.SubnetAllocationError as error:
                assert error.code == 409
                exhausted += 1
    finally:
        service.db.dispose()
    return got, exhausted


def _prepare(url: str, state_path: str) -> NetworkService:
    database = Database(url)
    migration.upgrade(database, "network")
    database.dispose()
    return _service(url, state_path)


def check_ports(url: str, state_path: str) -> None:
    service = _prepare(url, state_path)
    caller = Caller(PROJECT)
    [network] = service.networks.create_many(caller, [{"project_id": PROJECT}])
    [subnet] = service.subnets.create_many(caller, [{
        "network_id": network["id"], "project_id": PROJECT, "ip_version": 4,
        "cidr": "10.0.0.0/27"}])
    results = run_processes(port_worker, (url, state_path, network["id"]), ATTEMPTS)
    addresses = [ip for got, _ in results for ip in got]
    exhausted = sum(count for _, count in results)
    pool = ipaddress.ip_network(subnet["cidr"])
    assert len(addresses) == len(set(addresses)) == 29
    assert exhausted == PROCESSES * ATTEMPTS - 29
    assert all(ipaddress.ip_address(ip) in pool for ip in addresses)
    assert "10.0.0.1" not in addresses
    from network.manager.query import ListQuery
    listed = service.ports.list(Caller(None, True), ListQuery())
    assert sorted(ip["ip_address"] for p in listed for ip in p["fixed_ips"]) == \
        sorted(addresses)
    service.db.dispose()


def check_pool(url: str, state_path: str) -> None:
    service = _prepare(url, state_path)
    [pool] = service.subnetpools.create_many(Caller(PROJECT), [{
        "project_id": PROJECT, "prefixes": ["10.1.0.0/24"], "default_prefixlen": 28}])
    results = run_processes(pool_worker, (url, state_path, pool["id"]), POOL_ATTEMPTS)
    cidrs = [ipaddress.ip_network(c) for got, _ in results for c in got]
    assert len(cidrs) == 16
    assert sum(count for _, count in results) == PROCESSES * POOL_ATTEMPTS - 16
    for i, first in enumerate(cidrs):
        assert not any(first.overlaps(other) for other in cidrs[i + 1:])
    service.db.dispose()


def test_ports_on_sqlite(tmp_path):
    check_ports(f"sqlite:///{tmp_path / 'network.sqlite'}", str(tmp_path))


def test_subnet_pool_on_sqlite(tmp_path):
    check_pool(f"sqlite:///{tmp_path / 'network.sqlite'}", str(tmp_path))


@pytest.mark.parametrize("check", [check_ports, check_pool], ids=["ports", "subnetpool"])
def test_on_servers(empty_database, tmp_path, check):
    check(empty_database, str(tmp_path))
