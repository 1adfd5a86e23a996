"""Image data stores: the driver contract (``base``) and its drivers —
``filesystem.FilesystemStore`` (the ``file`` store) and ``fake.MemoryStore``
(tests). Import a driver from its module; the contract's names are here."""
from image.store.base import (  # noqa: F401  (the contract, re-exported)
    BOUNDED_MEMORY,
    CAPACITY,
    HASH_ALGO,
    LOCAL_PATH,
    BadLocation,
    Conflict,
    DataNotFound,
    SizeExceeded,
    StorageFull,
    Store,
    StoredData,
    StoreError,
)
