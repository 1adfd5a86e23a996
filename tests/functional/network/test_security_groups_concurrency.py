"""A project's default security group is made exactly once when several API
processes (or threads of one) use the project for the first time at once:
listing its groups, creating a port, creating a group. On SQLite and (when
``STRATUS_TEST_*`` servers answer) on MariaDB and PostgreSQL.
"""
import concurrent.futures

import pytest
import sqlalchemy as sa

from network import models
from network.manage import make_conf
from network.manager import Caller
from network.manager.query import ListQuery
from network.service import NetworkService
from stratus import config
from stratus.db import Database, migration
from tests.functional.test_db_concurrency import PROCESSES, run_processes

OWNER = "network-owner"
PROJECTS = 4  # fresh projects each worker races on, one after the other
THREADS = 8


def _service(url: str, state_path: str) -> NetworkService:
    conf = make_conf()
    config.load(conf, [], [])
    conf.set_override("connection", url, group="database")
    conf.set_override("state_path", state_path)
    return NetworkService(conf)


def first_use(service: NetworkService, network_id: str, project: str, how: int) -> str:
    """Use ``project`` in one of three ways; the default group id it ends up with."""
    caller = Caller(project)
    if how == 0:
        listed = service.security_groups.list(caller, ListQuery())
        [group] = [g for g in listed if g["name"] == "default"]
        return group["id"]
    if how == 1:
        [port] = service.ports.create_many(caller, [
            {"network_id": network_id, "project_id": project}])
        return port["security_groups"][0]
    service.security_groups.create_many(caller, [{"project_id": project, "name": "mine"}])
    return service.security_groups.ensure_default(caller, project)


def worker(setup, worker_id: int, count: int) -> list[str]:
    url, state_path, network_id = setup
    service = _service(url, state_path)
    try:
        return [first_use(service, network_id, f"project-{n}", (worker_id + n) % 3)
                for n in range(count)]
    finally:
        service.db.dispose()


def _prepare(url: str, state_path: str) -> tuple[NetworkService, str]:
    database = Database(url)
    migration.upgrade(database, "network")
    database.dispose()
    service = _service(url, state_path)
    [network] = service.networks.create_many(Caller(OWNER), [
        {"project_id": OWNER, "shared": True}])
    service.subnets.create_many(Caller(OWNER), [{
        "network_id": network["id"], "project_id": OWNER, "ip_version": 4,
        "cidr": "10.0.0.0/22"}])
    return service, network["id"]


def _check_one_default_each(service: NetworkService, seen: list[list[str]]) -> None:
    with service.db.reader() as session:
        defaults = dict(session.execute(sa.select(
            models.DefaultSecurityGroup.project_id,
            models.DefaultSecurityGroup.security_group_id)).all())
        named = session.execute(sa.select(models.SecurityGroup.project_id).where(
            models.SecurityGroup.name == "default")).scalars().all()
        rules = session.execute(sa.select(
            models.SecurityGroupRule.security_group_id, sa.func.count()).group_by(
            models.SecurityGroupRule.security_group_id)).all()
    projects = [f"project-{n}" for n in range(PROJECTS)]
    assert sorted(defaults) == projects
    assert sorted(named) == projects  # no second group called default anywhere
    for n, project in enumerate(projects):
        assert {ids[n] for ids in seen} == {defaults[project]}
    counts = dict(rules)
    assert all(counts[group] == 4 for group in defaults.values())


def check_processes(url: str, state_path: str) -> None:
    service, network_id = _prepare(url, state_path)
    try:
        seen = run_processes(worker, (url, state_path, network_id), PROJECTS)
        assert len(seen) == PROCESSES
        _check_one_default_each(service, seen)
    finally:
        service.db.dispose()


def test_processes_on_sqlite(tmp_path):
    check_processes(f"sqlite:///{tmp_path / 'network.sqlite'}", str(tmp_path))


def test_threads_on_sqlite(tmp_path):
    service, network_id = _prepare(f"sqlite:///{tmp_path / 'network.sqlite'}", str(tmp_path))
    try:
        with concurrent.futures.ThreadPoolExecutor(THREADS) as pool:
            futures = [pool.submit(lambda t=t: [
                first_use(service, network_id, f"project-{n}", (t + n) % 3)
                for n in range(PROJECTS)]) for t in range(THREADS)]
            seen = [future.result() for future in futures]
        _check_one_default_each(service, seen)
    finally:
        service.db.dispose()


@pytest.mark.parametrize("check", [check_processes], ids=["processes"])
def test_on_servers(empty_database, tmp_path, check):
    check(empty_database, str(tmp_path))
