"""The network service's plumbing: migrations match the models, stratus-manage,
the console script and the revision guard on deletes."""
from importlib import metadata

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from network import models
from stratus import db
from stratus.cmd import manage
from stratus.db import migration
from tests.functional.network.conftest import fault, network_conf


def test_sync_reaches_the_models(cloud, tmp_path):
    conf = network_conf(cloud, tmp_path)
    conf_file = tmp_path / "network.conf"
    assert manage.main(["--config-file", str(conf_file), "network", "db", "sync"]) == 0
    assert manage.main(["--config-file", str(conf_file), "network", "db", "sync"]) == 0
    database = db.Database.from_conf(conf)
    try:
        assert migration.current(database) == migration.head(database, "network")
        with database.engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn),
                                    models.Base.metadata) == []
    finally:
        database.dispose()


def test_entry_points_are_declared():
    scripts = {ep.name: ep.value for ep in metadata.entry_points(group="console_scripts")}
    assert scripts["stratus-network-api"] == "network.cmd.api:main"
    for group in ("oslo.config.opts", "oslo.policy.policies"):
        names = {ep.name for ep in metadata.entry_points(group=group)}
        assert "stratus.network" in names
    assert "network" in {ep.name for ep in metadata.entry_points(group="stratus.manage")}


def test_delete_honours_if_match(demo):
    network = demo.network()
    path = f"/v2.0/networks/{network['id']}"
    stale = demo.delete(path, headers={"If-Match": "revision_number=7"})
    assert fault(stale) == (412, "RevisionNumberConstraintFailed")
    bad = demo.delete(path, headers={"If-Match": "revision_number=x"})
    assert fault(bad) == (400, "BadRequest")
    assert demo.delete(path, headers={"If-Match": "revision_number=0"}).status_code == 204


def test_json_bodies_stay_capped(demo):
    response = demo.post("/v2.0/networks", json={"network": {"name": "x" * 200000}})
    assert fault(response) == (413, "HTTPRequestEntityTooLarge")


def test_migrations_match_the_models_on_servers(empty_database):
    database = db.Database(empty_database)
    try:
        migration.upgrade(database, "network")
        with database.engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn),
                                    models.Base.metadata) == []
    finally:
        database.dispose()


class _Publisher:
    def __init__(self):
        self.sent = []

    def info(self, ctxt, event_type, payload):
        self.sent.append((event_type, payload))


def test_events_go_through_the_real_notifier(cloud, tmp_path):
    from stratus import notifications
    from tests.functional.network.conftest import build_network, client_for
    publisher = _Publisher()
    notifier = notifications.Notifier("network", publisher)
    app = build_network(cloud, tmp_path, notifier=notifier)
    demo = client_for(cloud, app, "demo")
    network = demo.network(name="announced")
    demo.put(f"/v2.0/networks/{network['id']}", json={"network": {"name": "renamed"}})
    demo.delete(f"/v2.0/networks/{network['id']}")
    assert notifier.flush(10)
    notifier.close()
    app.extensions["network"].db.dispose()
    assert [event for event, _ in publisher.sent] == [
        "network.create.end", "network.update.end", "network.delete.end"]
    announced = publisher.sent[0][1]["network"]
    assert {key: announced[key] for key in network} == network
    assert announced["provider:network_type"] == "vxlan"
    assert "_policy" not in publisher.sent[1][1]["network"]
    assert publisher.sent[2][1]["network_id"] == network["id"]
