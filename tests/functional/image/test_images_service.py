"""The image service's plumbing: migrations match the models, stratus-manage,
the JSON body cap, the fault format."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from image import models
from stratus import db
from stratus.cmd import manage
from stratus.db import migration
from tests.functional.image.conftest import image_conf


def test_sync_reaches_the_models(cloud, tmp_path):
    conf = image_conf(cloud, tmp_path)
    conf_file = tmp_path / "image.conf"
    assert manage.main(["--config-file", str(conf_file), "image", "db", "sync"]) == 0
    assert manage.main(["--config-file", str(conf_file), "image", "db", "sync"]) == 0
    database = db.Database.from_conf(conf)
    try:
        assert migration.current(database) == migration.head(database, "image")
        with database.engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn),
                                    models.Base.metadata) == []
    finally:
        database.dispose()


def test_json_bodies_stay_capped(demo):
    response = demo.post("/v2/images", json={"name": "x" * 200000})
    assert response.status_code == 413


def test_fault_is_glance_shaped(demo):
    response = demo.get("/v2/images/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404
    assert response.get_json() == {
        "message": "No image found with ID 00000000-0000-0000-0000-000000000000",
        "code": "404 Not Found", "title": "Not Found"}
