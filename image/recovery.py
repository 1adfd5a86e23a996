"""``stratus-manage image recover``: finish what a stopped image API left half done.

Run it while no image API process serves (the installer does, before it
starts the API). It guarantees afterwards:

* no image stays ``saving``: its upload died with the process, and since a
  store write is atomic the image has no data — it goes back to ``queued``;
* no image stays ``importing``: it goes back to ``uploading`` (its staged data
  is still there, so the import can simply be asked for again);
* no data lies in either store that no image refers to (a write that
  finished just before the crash, the data of an image deleted meanwhile,
  partial temporary files).
"""
import sqlalchemy as sa

from image import models

STAGED = (models.UPLOADING, models.IMPORTING)


def recover(service) -> dict:
    """Apply the guarantees above; returns what was changed, for the operator."""
    db = service.db

    def reset(session):
        image = models.Image
        saving = session.execute(sa.update(image).where(image.status == models.SAVING)
                                 .values(status=models.QUEUED, location=None)).rowcount
        importing = session.execute(sa.update(image).where(image.status == models.IMPORTING)
                                    .values(status=models.UPLOADING)).rowcount
        return saving, importing

    saving, importing = db.write(reset)
    with db.reader() as session:
        rows = session.execute(sa.select(models.Image.status, models.Image.location).where(
            models.Image.location.is_not(None))).all()
    stored = {location for status, location in rows if status not in STAGED}
    staged = {location for status, location in rows if status in STAGED}
    removed = (service.store.remove_orphans(stored, min_age=0)
               + service.staging.remove_orphans(staged, min_age=0))
    return {"saving_requeued": saving, "importing_restaged": importing,
            "orphans_removed": removed}
