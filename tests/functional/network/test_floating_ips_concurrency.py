"""Several API processes associating floating IPs with one fixed IP, and
attaching one port to several routers, at once: exactly one wins, the
others get a clean 409 (never a 500, never two winners), on SQLite and (when
``STRATUS_TEST_*`` servers answer) on MariaDB and PostgreSQL."""
import pytest

from network import exception
from network.manage import make_conf
from network.manager import Caller
from network.service import NetworkService
from stratus import config
from stratus.db import Database, migration
from tests.functional.test_db_concurrency import PROCESSES, run_processes

PROJECT = "concurrent-project"
ADMIN = Caller(None, True)
ATTEMPTS = 2  # per worker


def _service(url: str, state_path: str) -> NetworkService:
    conf = make_conf()
    config.load(conf, [], [])
    conf.set_override("connection", url, group="database")
    conf.set_override("state_path", state_path)
    return NetworkService(conf)


def associate_worker(setup, worker: int, count: int):
    """Try ``count`` times to give the port's fixed IP a floating IP."""
    url, state_path, public_id, port_id = setup
    service = _service(url, state_path)
    won, lost = [], 0
    try:
        for _ in range(count):
            try:
                [fip] = service.floatingips.create_many(Caller(PROJECT), [{
                    "project_id": PROJECT, "floating_network_id": public_id,
                    "port_id": port_id}])
                won.append(fip["id"])
            except exception.FloatingIPPortAlreadyAssociated as error:
                assert error.code == 409
                lost += 1
    finally:
        service.db.dispose()
    return won, lost


def attach_worker(setup, worker: int, count: int):
    """Try to attach the one port to this worker's own router."""
    url, state_path, port_id = setup
    service = _service(url, state_path)
    caller = Caller(PROJECT)
    won, lost = [], 0
    try:
        [router] = service.routers.create_many(caller, [{"project_id": PROJECT,
                                                         "name": f"w{worker}"}])
        try:
            service.routers.add_interface(caller, router["id"], {"port_id": port_id})
            won.append(router["id"])
        except exception.PortInUse as error:
            assert error.code == 409
            lost += 1
    finally:
        service.db.dispose()
    return won, lost


def _topology(service: NetworkService):
    caller = Caller(PROJECT)
    [public] = service.networks.create_many(ADMIN, [{"project_id": "admin",
                                                    "router:external": True}])
    service.subnets.create_many(ADMIN, [{"project_id": "admin", "network_id": public["id"],
                                         "ip_version": 4, "cidr": "172.24.4.0/24"}])
    [net] = service.networks.create_many(caller, [{"project_id": PROJECT}])
    [subnet] = service.subnets.create_many(caller, [{
        "project_id": PROJECT, "network_id": net["id"], "ip_version": 4,
        "cidr": "10.0.0.0/24"}])
    [router] = service.routers.create_many(caller, [{
        "project_id": PROJECT, "external_gateway_info": {"network_id": public["id"]}}])
    service.routers.add_interface(caller, router["id"], {"subnet_id": subnet["id"]})
    [port] = service.ports.create_many(caller, [{"project_id": PROJECT,
                                                 "network_id": net["id"]}])
    return public, net, port


def check(url: str, state_path: str) -> None:
    database = Database(url)
    migration.upgrade(database, "network")
    database.dispose()
    service = _service(url, state_path)
    public, net, port = _topology(service)
    results = run_processes(associate_worker, (url, state_path, public["id"], port["id"]),
                            ATTEMPTS)
    won = [fip for got, _ in results for fip in got]
    assert len(won) == 1
    assert sum(lost for _, lost in results) == PROCESSES * ATTEMPTS - 1
    shown = service.floatingips.get(ADMIN, won[0])
    assert (shown["port_id"], shown["status"]) == (port["id"], "ACTIVE")

    [free] = service.ports.create_many(Caller(PROJECT), [{"project_id": PROJECT,
                                                         "network_id": net["id"]}])
    results = run_processes(attach_worker, (url, state_path, free["id"]), 1)
    winners = [router for got, _ in results for router in got]
    assert len(winners) == 1
    assert sum(lost for _, lost in results) == PROCESSES - 1
    attached = service.ports.get(ADMIN, free["id"])
    assert (attached["device_id"], attached["device_owner"]) == (winners[0],
                                                                 "network:router_interface")
    service.db.dispose()


def test_on_sqlite(tmp_path):
    check(f"sqlite:///{tmp_path / 'network.sqlite'}", str(tmp_path))


@pytest.mark.parametrize("server_check", [check], ids=["floating_ips_and_interfaces"])
def test_on_servers(empty_database, tmp_path, server_check):
    server_check(empty_database, str(tmp_path))
