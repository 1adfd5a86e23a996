"""After a stop, ``stratus-manage image recover`` leaves no upload hanging
and no orphan data, and keeps everything that belongs to an image."""
import sqlalchemy as sa

from image import models, recovery


def _set_status(service, image_id, status):
    service.db.write(lambda s: s.execute(sa.update(models.Image).where(
        models.Image.id == image_id).values(status=status)))


def _status(demo, image_id):
    return demo.get(f"/v2/images/{image_id}").get_json()["status"]


def test_recover_requeues_restages_and_removes_orphans(demo, image_app):
    service = image_app.extensions["image"]
    active = demo.create(name="kept", disk_format="raw", container_format="bare")
    assert demo.upload(active["id"], b"kept data").status_code == 204
    interrupted = demo.create(name="interrupted", disk_format="raw", container_format="bare")
    _set_status(service, interrupted["id"], models.SAVING)
    staged = demo.create(name="staged", disk_format="raw", container_format="bare")
    assert demo.put(f"/v2/images/{staged['id']}/stage", data=b"staged data", headers={
        "Content-Type": "application/octet-stream"}).status_code == 204
    _set_status(service, staged["id"], models.IMPORTING)
    orphan = service.store.add("f" * 32, [b"nobody's"])

    done = recovery.recover(service)

    assert done["saving_requeued"] == 1 and done["importing_restaged"] == 1
    assert orphan.location in done["orphans_removed"]
    assert _status(demo, interrupted["id"]) == "queued"
    assert _status(demo, staged["id"]) == "uploading"
    assert demo.get(f"/v2/images/{active['id']}/file").get_data() == b"kept data"
    imported = demo.post(f"/v2/images/{staged['id']}/import",
                         json={"method": {"name": "glance-direct"}})
    assert imported.status_code == 202
    assert _status(demo, staged["id"]) == "active"
