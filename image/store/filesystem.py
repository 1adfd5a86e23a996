"""The ``file`` store: one file per image in a directory.

Layout: ``<directory>/<image_id>`` holds complete data;
``<directory>/.partial-<image_id>-<random>`` is an add in progress (or one a
crash interrupted: ``orphans`` finds it). Data reaches its final name by a
hard link from the fsynced partial file, which never replaces an existing
file, so concurrent adds for one image cannot clobber each other.
Locations are ``file://<absolute path>``; any location naming something
other than a direct child of the directory is refused.
"""
import contextlib
import errno
import os
import secrets
import stat
import time
from collections.abc import Collection, Iterable, Iterator

from image.store import base

PARTIAL_PREFIX = ".partial-"
SCHEME = "file://"
FILE_MODE = 0o640
NO_SPACE = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
NO_HARD_LINKS = (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP)
WRITE_BEHIND = 8 * 1024 * 1024
_FADVISE = getattr(os, "posix_fadvise", None)


class FileChunks(Iterator[bytes]):
    """Reads a byte range of an open file in chunks; closes it when done.

    Also a read-only file object over that range — ``read(size)``,
    ``fileno()`` — so that a WSGI server can send it with sendfile()
    (``wsgi.file_wrapper``): until the first read, the descriptor's offset
    is the range's start.
    """

    def __init__(self, file, offset: int, length: int | None, chunk_size: int):
        self._file = file
        self._remaining = length
        self._chunk_size = chunk_size
        file.seek(offset)

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes (all that is left when negative) of the range."""
        if self._file.closed:
            return b""
        if self._remaining is not None:
            size = self._remaining if size < 0 else min(size, self._remaining)
        chunk = self._file.read(size) if size else b""
        if self._remaining is not None:
            self._remaining -= len(chunk)
        return chunk

    def fileno(self) -> int:
        return self._file.fileno()

    def __next__(self) -> bytes:
        chunk = self.read(self._chunk_size)
        if not chunk:
            self.close()
            raise StopIteration
        return chunk

    def close(self) -> None:
        self._file.close()


class WriteBehind:
    """Starts writing an upload to disk while it arrives.

    Every WRITE_BEHIND bytes, ``posix_fadvise(DONTNEED)`` over the last two
    steps: the kernel starts writing back the newest step and drops the one
    before, written back meanwhile, from the page cache. The final fsync then
    has little left to wait for, and an upload does not fill the page cache
    with dirty data that the kernel would otherwise write late and all at once.
    Only advice: errors are ignored, nothing changes where fadvise is missing.
    """

    def __init__(self, fd: int):
        self.fd = fd
        self.written = 0
        self._started = 0  # writeback was asked for [0, _started)
        self._dropped = 0  # and the cache dropped for [0, _dropped), when clean

    def wrote(self, count: int) -> None:
        self.written += count
        if self.written - self._started >= WRITE_BEHIND and _FADVISE is not None:
            with contextlib.suppress(OSError):
                _FADVISE(self.fd, self._dropped, self.written - self._dropped,
                         os.POSIX_FADV_DONTNEED)
            self._dropped, self._started = self._started, self.written


class FilesystemStore(base.Store):
    """Image data as files in ``directory`` (created if missing)."""

    name = "file"
    description = "Image data as files in a local or shared directory."
    capabilities = frozenset({base.LOCAL_PATH, base.CAPACITY, base.BOUNDED_MEMORY})

    def __init__(self, directory: str):
        os.makedirs(directory, mode=0o750, exist_ok=True)
        self.directory = os.path.realpath(directory)

    def location_of(self, image_id: str) -> str:
        """The location data of ``image_id`` has once added."""
        base.check_image_id(image_id)
        return SCHEME + os.path.join(self.directory, image_id)

    def add(self, image_id: str, chunks: Iterable[bytes],
            max_size: int | None = None) -> base.StoredData:
        location = self.location_of(image_id)
        final = self._path(location)
        if os.path.lexists(final):
            raise base.Conflict(image_id)
        partial = os.path.join(
            self.directory, f"{PARTIAL_PREFIX}{image_id}-{secrets.token_hex(8)}")
        try:
            with base.Fingerprint(max_size) as fingerprint:
                self._write(partial, chunks, fingerprint)
                stored = fingerprint.stored_at(location)
            self._publish(partial, final, image_id)
        except BaseException:
            _unlink(partial)
            raise
        return stored

    def _write(self, path: str, chunks: Iterable[bytes],
               fingerprint: base.Fingerprint) -> None:
        with _storage_errors():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC,
                         FILE_MODE)
        try:
            behind = WriteBehind(fd)
            for chunk in chunks:
                data = fingerprint.update(chunk)
                with _storage_errors():
                    _write_all(fd, data)
                behind.wrote(len(data))
            with _storage_errors():
                os.fsync(fd)
        finally:
            os.close(fd)

    def _publish(self, partial: str, final: str, image_id: str) -> None:
        """Give the complete partial file its final name, never replacing one."""
        try:
            os.link(partial, final)
        except FileExistsError:
            raise base.Conflict(image_id)
        except OSError as error:
            if error.errno not in NO_HARD_LINKS:
                raise base.StoreError(f"cannot publish {final}: {error}")
            if os.path.lexists(final):  # no hard links here: a narrow race remains
                raise base.Conflict(image_id)
            os.rename(partial, final)
        try:
            _fsync_directory(self.directory)
        except OSError as error:
            _unlink(final)
            raise base.StoreError(f"cannot make {final} durable: {error}")
        with contextlib.suppress(OSError):  # a leftover is an orphan, cleaned later
            _unlink(partial)

    def get(self, location: str, offset: int = 0, length: int | None = None,
            chunk_size: int = base.DEFAULT_CHUNK_SIZE) -> Iterator[bytes]:
        base.check_range(offset, length, chunk_size)
        path = self._path(location)
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except FileNotFoundError:
            raise base.DataNotFound(location)
        except OSError as error:
            raise base.StoreError(f"cannot read {location}: {error}")
        return FileChunks(os.fdopen(fd, "rb", buffering=0), offset, length, chunk_size)

    def size(self, location: str) -> int:
        return self._stat(location).st_size

    def delete(self, location: str) -> None:
        _unlink(self._path(location))

    def local_path(self, location: str) -> str | None:
        self._stat(location)
        return self._path(location)

    def orphans(self, known_locations: Collection[str],
                min_age: float = base.DEFAULT_ORPHAN_AGE) -> list[str]:
        known = set(known_locations)
        newest = time.time() - min_age
        found = []
        for entry in os.scandir(self.directory):
            location = SCHEME + entry.path
            if location in known or not entry.is_file(follow_symlinks=False):
                continue
            is_ours = (entry.name.startswith(PARTIAL_PREFIX)
                       or base.IMAGE_ID.fullmatch(entry.name))
            try:
                fresh = entry.stat(follow_symlinks=False).st_mtime > newest
            except FileNotFoundError:
                continue
            if is_ours and not fresh:
                found.append(location)
        return sorted(found)

    def remove_orphans(self, known_locations: Collection[str],
                       min_age: float = base.DEFAULT_ORPHAN_AGE) -> list[str]:
        removed = self.orphans(known_locations, min_age)
        for location in removed:
            _unlink(location[len(SCHEME):])
        return removed

    def capacity(self) -> tuple[int, int]:
        stats = os.statvfs(self.directory)
        return stats.f_blocks * stats.f_frsize, stats.f_bavail * stats.f_frsize

    def _stat(self, location: str) -> os.stat_result:
        """The status of the data file itself (never of a symlink's target)."""
        try:
            status = os.lstat(self._path(location))
        except FileNotFoundError:
            raise base.DataNotFound(location)
        if not stat.S_ISREG(status.st_mode):
            raise base.StoreError(f"{location} is not a regular file")
        return status

    def _path(self, location: str) -> str:
        """The file behind one of this store's data locations; BadLocation for
        anything else (another scheme, another directory, '..', partial files)."""
        if not isinstance(location, str) or not location.startswith(SCHEME):
            raise base.BadLocation(location)
        path = location[len(SCHEME):]
        name = os.path.basename(path)
        if not base.IMAGE_ID.fullmatch(name) or path != os.path.join(self.directory, name):
            raise base.BadLocation(location, f"outside the store directory {self.directory}")
        return path


@contextlib.contextmanager
def _storage_errors() -> Iterator[None]:
    """Turns OSErrors of the store's own I/O into StoreErrors."""
    try:
        yield
    except OSError as error:
        if error.errno in NO_SPACE:
            raise base.StorageFull(str(error)) from error
        raise base.StoreError(str(error)) from error


def _write_all(fd: int, chunk: bytes) -> None:
    view = memoryview(chunk).cast("B")
    while view:
        view = view[os.write(fd, view):]


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _fsync_directory(directory: str) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
