"""The image store driver contract: where image data lives.

A store keeps the bytes of images and nothing else; which image owns which
location is the image service's business (its database). Every driver
(``filesystem.FilesystemStore``, ``fake.MemoryStore``, later Ceph RBD) keeps
the same promises, checked by ``tests/functional/image/test_store_contract.py``:

* ``add`` is atomic: data appears at its location only complete and durable;
  after any failure nothing of it remains.
* memory use does not grow with the image size (drivers that declare
  ``bounded_memory``).
* locations are opaque strings the driver made; a driver refuses any other
  (``BadLocation``) rather than reading or deleting outside its own storage.

Errors raised by the ``chunks`` iterable given to ``add`` (a client that went
away, a format check that failed) propagate unchanged; the driver's own
failures are ``StoreError`` subclasses.
"""
import abc
import hashlib
import queue
import re
import threading
from collections.abc import Collection, Iterable, Iterator
from typing import NamedTuple

HASH_ALGO = "sha512"
DEFAULT_CHUNK_SIZE = 1024 * 1024
# Fingerprint: chunks this large are hashed in threads (smaller ones inline,
# where a thread hand-off would cost more than it saves), at most this many
# chunks behind the writer.
THREADED_MIN = 64 * 1024
HASH_QUEUE_DEPTH = 8
DEFAULT_ORPHAN_AGE = 3600.0
IMAGE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,254}")

# Capabilities a driver may declare in ``Store.capabilities``.
LOCAL_PATH = "local_path"          # local_path() returns a readable file path
CAPACITY = "capacity"              # capacity() reports (total, free) bytes
BOUNDED_MEMORY = "bounded_memory"  # data lives outside the process's memory


class StoredData(NamedTuple):
    """What ``Store.add`` stored: where, how much, and its fingerprints."""

    location: str
    size: int
    checksum: str  # md5, hex (Glance's ``checksum``)
    hash_algo: str  # always HASH_ALGO (Glance's ``os_hash_algo``)
    hash_value: str  # hex digest with hash_algo (``os_hash_value``)


class StoreError(Exception):
    """The root of every error a store driver raises itself."""


class DataNotFound(StoreError):
    """No data at that location (never stored, deleted, or lost)."""

    def __init__(self, location: str):
        self.location = location
        super().__init__(f"no image data at {location}")


class BadLocation(StoreError):
    """A location this store did not make, or one outside its storage."""

    def __init__(self, location: str, reason: str = "not a location of this store"):
        self.location = location
        super().__init__(f"{location!r}: {reason}")


class SizeExceeded(StoreError):
    """More than ``limit`` bytes arrived; what came was discarded."""

    def __init__(self, limit: int):
        self.limit = limit
        super().__init__(f"image data exceeds the limit of {limit} bytes")


class StorageFull(StoreError):
    """The backing storage ran out of space (or quota); nothing was kept."""


class Conflict(StoreError):
    """Data for that image is already stored; the existing data is untouched."""

    def __init__(self, image_id: str):
        self.image_id = image_id
        super().__init__(f"data for image {image_id} is already stored")


class Fingerprint:
    """Counts and hashes data as it passes: md5 and HASH_ALGO together.

    Chunks of THREADED_MIN bytes or more are hashed in two threads, one per
    hash, fed in order through short queues: hashlib releases the GIL on large
    buffers, so md5, HASH_ALGO and the caller's own I/O run on different cores
    instead of one after another. The hashes lag at most HASH_QUEUE_DEPTH
    chunks behind ``update``. Use it as a context manager (or call
    :meth:`close`) so the threads end whatever happens.
    """

    def __init__(self, max_size: int | None = None):
        self.max_size = max_size
        self.size = 0
        self._hashers = (_Hasher(hashlib.md5(usedforsecurity=False)),
                         _Hasher(hashlib.new(HASH_ALGO)))

    def __enter__(self) -> "Fingerprint":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def update(self, chunk: bytes) -> bytes:
        """Account for ``chunk``; SizeExceeded, before hashing it, if it crosses
        max_size. Returns the chunk as ``bytes`` (a copy when it was another
        bytes-like object, which could change while the threads hash it):
        store what it returns, and the hashes match what was stored."""
        data = chunk if type(chunk) is bytes else bytes(chunk)
        self.size += len(data)
        if self.max_size is not None and self.size > self.max_size:
            raise SizeExceeded(self.max_size)
        for hasher in self._hashers:
            hasher.update(data)
        return data

    def stored_at(self, location: str) -> StoredData:
        """What was stored at ``location``: waits for the hashes to catch up."""
        md5, other = (hasher.hexdigest() for hasher in self._hashers)
        return StoredData(location, self.size, md5, HASH_ALGO, other)

    def close(self) -> None:
        """End the hashing threads (idempotent; the hashes are then final)."""
        for hasher in self._hashers:
            hasher.stop()


class _Hasher:
    """One hash, updated inline until a chunk of THREADED_MIN bytes comes, in a
    thread of its own from then on (in the same order either way)."""

    def __init__(self, hash_object):
        self._hash = hash_object
        self._queue: queue.Queue = queue.Queue(maxsize=HASH_QUEUE_DEPTH)
        self._thread: threading.Thread | None = None

    def update(self, data: bytes) -> None:
        if self._thread is None:
            if len(data) < THREADED_MIN:
                self._hash.update(data)
                return
            self._thread = threading.Thread(target=self._run, daemon=True,
                                            name=f"{self._hash.name}-hasher")
            self._thread.start()
        self._queue.put(data)

    def _run(self) -> None:
        while (data := self._queue.get()) is not None:
            self._hash.update(data)

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None

    def hexdigest(self) -> str:
        self.stop()
        return self._hash.hexdigest()


def check_image_id(image_id: str) -> None:
    """ValueError unless ``image_id`` is safe as a file or object name."""
    if not isinstance(image_id, str) or not IMAGE_ID.fullmatch(image_id):
        raise ValueError(f"invalid image id for a store: {image_id!r}")


def check_range(offset: int, length: int | None, chunk_size: int) -> None:
    if offset < 0:
        raise ValueError(f"negative offset {offset}")
    if length is not None and length < 0:
        raise ValueError(f"negative length {length}")
    if chunk_size <= 0:
        raise ValueError(f"chunk_size must be positive, not {chunk_size}")


class Store(abc.ABC):
    """A place that keeps image data; see the module docstring for the promises."""

    name: str = ""
    description: str = ""
    capabilities: frozenset[str] = frozenset()

    @abc.abstractmethod
    def add(self, image_id: str, chunks: Iterable[bytes],
            max_size: int | None = None) -> StoredData:
        """Store the bytes of ``chunks`` as the data of ``image_id``.

        Consumes ``chunks`` once, hashing and counting while writing, never
        holding more than a chunk or so in memory (``bounded_memory``). The
        data becomes visible at the returned location only when complete and
        durable (flushed and fsynced for files). On any failure — an exception
        from ``chunks``, SizeExceeded, StorageFull, a crash — nothing of it is
        left at the location, and no temporary data outlives the call (a crash
        leaves only what ``orphans`` finds).

        Raises ValueError for an image id unfit as a name; Conflict when data
        for ``image_id`` is already stored (before reading ``chunks`` when
        possible; of concurrent adds for one id, exactly one wins);
        SizeExceeded as soon as more than ``max_size`` bytes arrived, without
        reading further; StorageFull; other StoreErrors. Exceptions raised by
        ``chunks`` propagate unchanged.
        """

    @abc.abstractmethod
    def get(self, location: str, offset: int = 0, length: int | None = None,
            chunk_size: int = DEFAULT_CHUNK_SIZE) -> Iterator[bytes]:
        """Stream bytes ``[offset, offset + length)`` of the data, clipped to
        its end (an offset at or past the end yields nothing), in chunks of at
        most ``chunk_size`` bytes.

        Raises DataNotFound or BadLocation at call time — before the first
        chunk, so an API can still answer 404 — and ValueError for a negative
        offset or length. The returned iterator has ``close()``; close it (or
        exhaust it) to release what it holds. When it also has ``fileno()``,
        it is a file object over exactly that range (``read(size)``, the
        descriptor at ``offset``), which an API may hand to its WSGI server's
        ``wsgi.file_wrapper`` to be sent with sendfile().
        """

    @abc.abstractmethod
    def size(self, location: str) -> int:
        """Bytes stored at ``location``; DataNotFound, BadLocation."""

    @abc.abstractmethod
    def delete(self, location: str) -> None:
        """Remove the data; deleting missing data is not an error.
        BadLocation for a location this store did not make."""

    def local_path(self, location: str) -> str | None:
        """A local file path holding exactly the data (to run ``qemu-img`` on),
        or None when the store keeps no local files. Drivers declaring
        ``local_path`` raise DataNotFound and BadLocation like ``size``."""
        return None

    @abc.abstractmethod
    def orphans(self, known_locations: Collection[str],
                min_age: float = DEFAULT_ORPHAN_AGE) -> list[str]:
        """Locations of what no image refers to: data not in
        ``known_locations`` and partial data of adds that never finished,
        untouched for at least ``min_age`` seconds.

        The age guards adds still running (or just finished but not yet
        recorded by the caller): with ``min_age=0`` the list includes partial
        data of adds in progress, in any process sharing the storage.
        """

    @abc.abstractmethod
    def remove_orphans(self, known_locations: Collection[str],
                       min_age: float = DEFAULT_ORPHAN_AGE) -> list[str]:
        """Delete what ``orphans`` returns; return those locations. Removing
        the partial data of an add still in progress makes that add fail."""

    def capacity(self) -> tuple[int, int] | None:
        """(total, free) bytes of the backing storage, or None when unknown.
        Drivers declaring ``capacity`` always return a tuple."""
        return None
