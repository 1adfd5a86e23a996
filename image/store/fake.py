"""An in-memory store with the same contract, for tests and simulations.

Locations are ``memory://<image_id>``; adds in progress are visible to
``orphans`` as ``memory://.partial-<image_id>-<n>``, as a crashed add's
temporary file would be in a real store. Nothing is ever written to disk,
so it declares no ``local_path``, ``capacity`` or ``bounded_memory``.
"""
import itertools
import threading
import time
from collections.abc import Collection, Iterable, Iterator

from image.store import base

SCHEME = "memory://"
PARTIAL_PREFIX = ".partial-"


class MemoryStore(base.Store):
    """Image data in a dict; thread-safe."""

    name = "memory"
    description = "Image data in process memory (tests only)."
    capabilities = frozenset()

    def __init__(self):
        self._lock = threading.Lock()
        self._data: dict[str, bytes] = {}
        self._touched: dict[str, float] = {}  # location -> last write, data and partials
        self._partials: set[str] = set()
        self._counter = itertools.count()

    def location_of(self, image_id: str) -> str:
        base.check_image_id(image_id)
        return SCHEME + image_id

    def add(self, image_id: str, chunks: Iterable[bytes],
            max_size: int | None = None) -> base.StoredData:
        location = self.location_of(image_id)
        with self._lock:
            if location in self._data:
                raise base.Conflict(image_id)
            partial = f"{SCHEME}{PARTIAL_PREFIX}{image_id}-{next(self._counter)}"
            self._partials.add(partial)
            self._touched[partial] = time.time()
        try:
            with base.Fingerprint(max_size) as fingerprint:
                parts = []
                for chunk in chunks:
                    parts.append(fingerprint.update(chunk))
                    self._touch(partial)
                stored = fingerprint.stored_at(location)
            self._publish(partial, location, image_id, b"".join(parts))
        finally:
            self._forget(partial)
        return stored

    def _touch(self, partial: str) -> None:
        with self._lock:
            if partial not in self._partials:
                raise base.StoreError(f"partial data {partial} was removed")
            self._touched[partial] = time.time()

    def _publish(self, partial: str, location: str, image_id: str, data: bytes) -> None:
        with self._lock:
            if partial not in self._partials:
                raise base.StoreError(f"partial data {partial} was removed")
            if location in self._data:
                raise base.Conflict(image_id)
            self._data[location] = data
            self._touched[location] = self._touched[partial]

    def _forget(self, partial: str) -> None:
        with self._lock:
            self._partials.discard(partial)
            self._touched.pop(partial, None)

    def get(self, location: str, offset: int = 0, length: int | None = None,
            chunk_size: int = base.DEFAULT_CHUNK_SIZE) -> Iterator[bytes]:
        base.check_range(offset, length, chunk_size)
        data = self._lookup(location)
        end = len(data) if length is None else min(len(data), offset + length)
        return _slices(data, offset, end, chunk_size)

    def size(self, location: str) -> int:
        return len(self._lookup(location))

    def delete(self, location: str) -> None:
        self._check(location)
        with self._lock:
            self._data.pop(location, None)
            self._touched.pop(location, None)

    def orphans(self, known_locations: Collection[str],
                min_age: float = base.DEFAULT_ORPHAN_AGE) -> list[str]:
        known = set(known_locations)
        newest = time.time() - min_age
        with self._lock:
            candidates = list(self._data) + list(self._partials)
            return sorted(location for location in candidates
                          if location not in known and self._touched[location] <= newest)

    def remove_orphans(self, known_locations: Collection[str],
                       min_age: float = base.DEFAULT_ORPHAN_AGE) -> list[str]:
        removed = self.orphans(known_locations, min_age)
        with self._lock:
            for location in removed:
                self._data.pop(location, None)
                self._partials.discard(location)
                self._touched.pop(location, None)
        return removed

    def _lookup(self, location: str) -> bytes:
        self._check(location)
        with self._lock:
            try:
                return self._data[location]
            except KeyError:
                raise base.DataNotFound(location)

    @staticmethod
    def _check(location: str) -> None:
        if not isinstance(location, str) or not location.startswith(SCHEME) or \
                not base.IMAGE_ID.fullmatch(location[len(SCHEME):]):
            raise base.BadLocation(location)


def _slices(data: bytes, start: int, end: int, chunk_size: int) -> Iterator[bytes]:
    view = memoryview(data)
    for position in range(start, end, chunk_size):
        yield bytes(view[position:min(position + chunk_size, end)])
