"""The image service's parts, built once per process from its config."""
from image import exception as image_exception
from image import policies
from image.manager import data, images, listing, members, tasks
from image.store import base as store_base
from stratus import db, policy


def default_stores(conf) -> tuple[store_base.Store, store_base.Store]:
    """The image store and the staging store named by ``[store]``."""
    from image.store.filesystem import FilesystemStore
    return (FilesystemStore(conf.store.filesystem_store_datadir),
            FilesystemStore(conf.store.staging_dir))


class ImageService:
    """Holds the database, the managers, the stores and the policy enforcer.

    ``store`` keeps active images' data and ``staging`` data staged for an
    import; both default to filesystem stores under ``[store]``'s
    directories. ``notifier`` (optional) receives ``emit(event_type, payload)``
    with Glance's event types (``image.create``, ``image.upload``, …).
    """

    def __init__(self, conf, notifier=None, store: store_base.Store | None = None,
                 staging: store_base.Store | None = None):
        self.conf = conf
        self.db = db.Database.from_conf(conf)
        self.notifier = notifier
        if store is None or staging is None:
            default_store, default_staging = default_stores(conf)
            store = store or default_store
            staging = staging or default_staging
        self.store = store
        self.staging = staging
        self.images = images.Images(self.db, conf, notifier)
        self.listing = listing.Listing(self.db)
        self.members = members.Members(self.db, conf)
        self.tasks = tasks.Tasks(self.db)
        self.data = data.ImageData(self.db, conf, self.images, store, staging, notifier,
                                   self.tasks)
        self.enforcer = policy.Enforcer(conf, policies.list_rules(),
                                        forbidden=image_exception.Forbidden)
