"""Image data: upload, download, stage and import, streamed in chunks.

Guarantees: data is never held whole in memory; an image becomes ``active``
only once its data is completely stored (the store's ``add`` is atomic) and
recorded; an upload that fails leaves no data behind and puts the image back
to ``queued`` (too large, over quota, wrong format, client gone — the caller
can retry) or ``killed`` (the store itself failed); data stored for an image
deleted meanwhile is removed.

Notifications are Glance's, for an upload and a glance-direct import alike:
``image.prepare`` once the data starts to flow, then ``image.upload`` and
``image.activate`` once it is stored and the image active; a failed transfer
sends ``image.upload`` at ``error`` priority with a message as its payload.
Staging sends none.
"""
from collections.abc import Iterable, Iterator

import sqlalchemy as sa
from oslo_log import log

from image import exception, formats, models
from image.manager import Caller
from image.manager.images import payload
from image.manager.tasks import Origin, Tasks
from image.store import base as store_base

LOG = log.getLogger(__name__)

IMPORT_METHODS = ("glance-direct",)
# Glance adds these to image.prepare and image.upload; one store: never any.
IMPORT_PROPERTIES = {"os_glance_importing_to_stores": [], "os_glance_failed_import": []}
NOT_OFFERED = {
    "copy-image": "this cloud has a single store, so there is nothing to copy to",
    "web-download": "this cloud does not fetch image data from URLs",
    "glance-download": "this cloud does not import from other regions",
}


class ImageData:
    def __init__(self, db, conf, images, store: store_base.Store,
                 staging: store_base.Store, notifier=None, tasks: Tasks | None = None):
        self.db = db
        self.conf = conf
        self.images = images
        self.tasks = tasks or Tasks(db)
        self.store = store
        self.staging = staging
        self.notifier = notifier

    # -- upload ------------------------------------------------------------

    def upload(self, caller: Caller, image_id: str, chunks: Iterable[bytes]) -> None:
        """Store ``chunks`` as the image's data and activate it.

        409 unless the image is ``queued``; 400 without disk and container
        formats or when the data does not match the disk format; 413 past
        image_size_cap or the owner's storage quota.
        """
        image = self._claim(caller, image_id, models.SAVING, "saving")
        self._notify("image.prepare", image_id, **IMPORT_PROPERTIES)
        try:
            stored, virtual_size = self._store(image, chunks, self.store)
        except BaseException as error:
            killed = isinstance(error, store_base.StoreError)
            self.images.transition(image_id, models.SAVING,
                                   models.KILLED if killed else models.QUEUED)
            self._notify_failure(image_id, error)
            raise
        self._activate(image, stored, virtual_size, models.SAVING)

    def stage(self, caller: Caller, image_id: str, chunks: Iterable[bytes]) -> None:
        """Keep ``chunks`` in the staging store for a later glance-direct import;
        the image goes ``uploading``. Same errors as :meth:`upload`."""
        image = self._claim(caller, image_id, models.UPLOADING, "uploading")
        try:
            stored = self.staging.add(image_id, chunks, self._max_size(image.owner))
        except BaseException as error:
            self.images.transition(image_id, models.UPLOADING, models.QUEUED)
            _raise_store_error(error)
            raise
        if not self.images.transition(image_id, models.UPLOADING, models.UPLOADING,
                                      location=stored.location):
            self.staging.delete(stored.location)
            raise exception.Conflict(f"Image {image_id} was deleted while staging.")

    def import_image(self, caller: Caller, image_id: str, method: str,
                     import_req: dict | None = None, origin: Origin = Origin()) -> None:
        """Run import ``method`` (glance-direct only): move the staged data
        into the store and activate the image. Once started, the import is
        recorded as a task (``import_req`` is the request body, ``origin``
        who sent it), whether it succeeds or fails."""
        if method in NOT_OFFERED:
            raise exception.BadRequest(
                f"Import method {method} is not offered: {NOT_OFFERED[method]}. "
                f"Available methods: {', '.join(IMPORT_METHODS)}.")
        if method not in IMPORT_METHODS:
            raise exception.BadRequest(f"Unknown import method name '{method}'.")
        image = self.images.get(caller, image_id)
        if image.status != models.UPLOADING or image.location is None:
            raise exception.Conflict(
                "Image needs to be staged before 'glance-direct' method can be used")
        staged = image.location
        if not self.images.transition(image_id, models.UPLOADING, models.IMPORTING):
            raise exception.Conflict(f"Image {image_id} is already being imported.")
        import_req = import_req or {"method": {"name": method}}
        self._notify("image.prepare", image_id, **IMPORT_PROPERTIES)
        try:
            stored, virtual_size = self._store(image, self.staging.get(staged), self.store)
        except BaseException as error:
            self.images.transition(image_id, models.IMPORTING, models.QUEUED, location=None)
            self.staging.delete(staged)
            self.tasks.record(image, origin, import_req, "failure", str(error))
            self._notify_failure(image_id, error)
            raise
        self._activate(image, stored, virtual_size, models.IMPORTING)
        self.staging.delete(staged)
        self.tasks.record(image, origin, import_req, "success")

    def _claim(self, caller: Caller, image_id: str, status: str, word: str) -> models.Image:
        image = self.images.get(caller, image_id)
        if image.status != models.QUEUED:
            raise exception.InvalidStatus(
                detail=f"Image status transition from {image.status} to {word} "
                       "is not allowed")
        if not image.disk_format or not image.container_format:
            raise exception.BadRequest(
                "Properties disk_format, container_format must be set prior to "
                "saving data.")
        if not self.images.transition(image_id, models.QUEUED, status):
            raise exception.InvalidStatus(
                detail=f"Image status transition to {word} is not allowed")
        return image

    def _store(self, image: models.Image, chunks: Iterable[bytes],
               store: store_base.Store) -> tuple[store_base.StoredData, int | None]:
        inspector = formats.UploadInspector(image.disk_format)
        chunks = inspector.wrap(chunks)
        try:
            stored = store.add(image.id, chunks, self._max_size(image.owner))
        except BaseException as error:
            _raise_store_error(error, image.id)
            raise
        try:
            virtual_size = _virtual_size(inspector, store, stored, image.disk_format)
        except BaseException:
            store.delete(stored.location)
            raise
        return stored, virtual_size

    def _activate(self, image, stored, virtual_size, from_status) -> None:
        if not self.images.transition(
                image.id, from_status, models.ACTIVE, size=stored.size,
                checksum=stored.checksum, os_hash_algo=stored.hash_algo,
                os_hash_value=stored.hash_value, virtual_size=virtual_size,
                location=stored.location):
            self.store.delete(stored.location)
            raise exception.Conflict(f"Image {image.id} was deleted during the upload.")
        self._notify("image.upload", image.id, **IMPORT_PROPERTIES)
        self._notify("image.activate", image.id)

    def _max_size(self, owner: str | None) -> int:
        cap = self.conf.image.image_size_cap
        quota = self.conf.image.user_storage_quota
        if not quota or owner is None:
            return cap
        with self.db.reader() as session:
            used = session.execute(sa.select(sa.func.coalesce(
                sa.func.sum(models.Image.size), 0)).where(
                models.Image.owner == owner, models.Image.location.is_not(None))
            ).scalar_one()
        remaining = quota - used
        if remaining <= 0:
            raise exception.QuotaExceeded(
                detail=f"Denying attempt to upload image because it exceeds the quota: "
                       f"The size of the data will exceed the limit. {max(remaining, 0)} "
                       "bytes remaining.")
        return min(cap, remaining)

    # -- download ----------------------------------------------------------

    def open(self, image: models.Image, offset: int = 0, length: int | None = None,
             ) -> Iterator[bytes]:
        """The image's bytes ``[offset, offset+length)``, streamed.

        404 when the stored data is gone."""
        try:
            return self.store.get(image.location, offset, length,
                                  chunk_size=self.conf.image.chunk_size)
        except store_base.DataNotFound:
            raise exception.NotFound(f"Image {image.id} data not found")

    # -- deletion ----------------------------------------------------------

    def release(self, image: models.Image) -> None:
        """Remove the data of a deleted image (staged or stored)."""
        if image.location is None:
            return
        store = self.staging if image.status in (models.UPLOADING,
                                                 models.IMPORTING) else self.store
        try:
            store.delete(image.location)
        except store_base.StoreError:
            LOG.exception("Could not remove data of deleted image %s", image.id)

    def _notify(self, event_type: str, image_id: str, **extra) -> None:
        """Send ``event_type`` with the image as stored now (plus ``extra``)."""
        if self.notifier is None:
            return
        with self.db.reader() as session:
            image = session.get(models.Image, image_id)
            if image is not None:
                self.notifier.emit(event_type, {**payload(image), **extra})

    def _notify_failure(self, image_id: str, error: BaseException) -> None:
        """Glance's error-priority ``image.upload``: a message, not an image."""
        if self.notifier is not None:
            self.notifier.emit("image.upload", f"Failed to upload image data for image "
                               f"{image_id}: {error}", priority="error")


def _raise_store_error(error: BaseException, image_id: str = "") -> None:
    """Turn a store or format failure into the image API's error (or let it pass)."""
    if isinstance(error, store_base.SizeExceeded):
        raise exception.RequestTooLarge(
            f"Image exceeds the storage quota or image_size_cap: the limit is "
            f"{error.limit} bytes.")
    if isinstance(error, store_base.StorageFull):
        raise exception.RequestTooLarge("Image storage media is full.")
    if isinstance(error, store_base.Conflict):
        raise exception.Conflict(f"Data for image {image_id} is already stored.")
    if isinstance(error, formats.FormatError):
        raise exception.BadRequest(f"Image data refused: {error}")


# Formats whose virtual size only qemu-img can tell for sure (on a local file).
_QEMU_CHECKED = ("qcow2", "vmdk", "vhd", "vhdx", "vdi", "ploop")


def _virtual_size(inspector: formats.UploadInspector, store: store_base.Store,
                  stored: store_base.StoredData, disk_format: str | None) -> int | None:
    """The image's virtual size: from qemu-img when the store has local files
    (which also re-checks the stored file is safe), else from the header."""
    if disk_format in _QEMU_CHECKED:
        path = store.local_path(stored.location)
        if path is not None:
            try:
                return formats.verify_local_image(path, disk_format)
            except formats.FormatError as error:
                _raise_store_error(error)
        return inspector.virtual_size
    if disk_format in ("raw", "iso", "ami", "ari", "aki"):
        return stored.size
    return inspector.virtual_size
