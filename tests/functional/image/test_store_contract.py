"""The image store contract (``image/store/base.py``), one test class run
against every driver; a test of a capability a driver lacks is skipped by
name. Then what only the filesystem store promises about its files."""
import errno
import hashlib
import os
import threading

import pytest

from image.store import base, fake, filesystem

MiB = 1024 * 1024
LARGE = 64 * MiB
RSS_GROWTH_BOUND = 24 * MiB


@pytest.fixture(params=["file", "memory"])
def store(request, tmp_path) -> base.Store:
    if request.param == "file":
        return filesystem.FilesystemStore(str(tmp_path / "images"))
    return fake.MemoryStore()


def requires(store: base.Store, capability: str) -> None:
    if capability not in store.capabilities:
        pytest.skip(f"the {store.name} store lacks the {capability!r} capability")


def rss() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS in /proc/self/status")


class Source:
    """``total`` bytes in ``chunk_size`` chunks, made lazily; records what it
    gave (count, hashes) and can fail or call ``hook`` along the way."""

    def __init__(self, total: int, chunk_size: int = MiB, fail_after: int | None = None,
                 hook=None):
        self.total = total
        self.chunk_size = chunk_size
        self.fail_after = fail_after
        self.hook = hook
        self.pulled = 0
        self.md5 = hashlib.md5()
        self.sha512 = hashlib.sha512()
        self.block = os.urandom(chunk_size)

    def __iter__(self):
        sent = 0
        while sent < self.total:
            if self.fail_after is not None and self.pulled == self.fail_after:
                raise ConnectionResetError("client went away")
            size = min(self.chunk_size, self.total - sent)
            chunk = self.pulled.to_bytes(8, "big") + self.block[8:size]
            chunk = chunk[:size]
            self.pulled += 1
            sent += size
            self.md5.update(chunk)
            self.sha512.update(chunk)
            if self.hook:
                self.hook(self)
            yield chunk


def read_all(store: base.Store, location: str, **kwargs) -> bytes:
    return b"".join(store.get(location, **kwargs))


def must_not_be_read():
    raise AssertionError("chunks were read")
    yield b""  # pragma: no cover


class TestStoreContract:

    def test_declares_itself(self, store):
        assert store.name and store.description
        assert store.capabilities <= {base.LOCAL_PATH, base.CAPACITY, base.BOUNDED_MEMORY}

    def test_round_trip_with_hashlib_hashes(self, store):
        data = os.urandom(300_000)
        stored = store.add("img-1", [data[:100_000], b"", data[100_000:]])
        assert stored.size == len(data)
        assert stored.checksum == hashlib.md5(data).hexdigest()
        assert stored.hash_algo == "sha512"
        assert stored.hash_value == hashlib.sha512(data).hexdigest()
        assert store.size(stored.location) == len(data)
        assert read_all(store, stored.location) == data

    def test_empty_data(self, store):
        stored = store.add("empty", [])
        assert stored.size == 0
        assert stored.checksum == hashlib.md5(b"").hexdigest()
        assert read_all(store, stored.location) == b""

    def test_accepts_any_bytes_like_chunk(self, store):
        wide = memoryview(b"ghij").cast("H")  # 2 items, 4 bytes
        stored = store.add("img", [bytearray(b"ab"), memoryview(b"cd"), b"ef", wide])
        assert read_all(store, stored.location) == b"abcdefghij"
        assert stored.size == 10 and stored.checksum == hashlib.md5(b"abcdefghij").hexdigest()

    @pytest.mark.parametrize("offset, length", [
        (0, None), (10, None), (10, 100), (0, 0), (5, 5000), (99_999, 10),
        (100_000, None), (100_005, 3), (0, 10**9)])
    def test_ranges(self, store, offset, length):
        data = bytes(range(256)) * 400 + b"tail"
        stored = store.add("img", [data])
        chunks = list(store.get(stored.location, offset, length, chunk_size=1000))
        end = len(data) if length is None else offset + length
        assert b"".join(chunks) == data[offset:end]
        assert all(0 < len(chunk) <= 1000 for chunk in chunks)

    @pytest.mark.parametrize("offset, length, chunk_size", [(-1, None, 10), (0, -1, 10),
                                                            (0, None, 0)])
    def test_bad_range_is_a_value_error(self, store, offset, length, chunk_size):
        stored = store.add("img", [b"data"])
        with pytest.raises(ValueError):
            store.get(stored.location, offset, length, chunk_size)

    def test_get_can_be_closed_early(self, store):
        stored = store.add("img", [b"x" * 10_000])
        chunks = store.get(stored.location, chunk_size=100)
        assert next(chunks) == b"x" * 100
        chunks.close()
        assert read_all(store, stored.location) == b"x" * 10_000

    def test_large_data_streams_through(self, store):
        source = Source(LARGE + 123)
        stored = store.add("big", source)
        assert stored.size == LARGE + 123
        assert stored.checksum == source.md5.hexdigest()
        assert stored.hash_value == source.sha512.hexdigest()
        read = hashlib.sha512()
        for chunk in store.get(stored.location, chunk_size=MiB):
            read.update(chunk)
        assert read.hexdigest() == stored.hash_value

    def test_memory_stays_flat_whatever_the_size(self, store):
        requires(store, base.BOUNDED_MEMORY)
        before = rss()
        peak = [before]
        source = Source(LARGE, hook=lambda _: peak.append(rss()))
        stored = store.add("big", source)
        for chunk in store.get(stored.location, chunk_size=MiB):
            assert chunk
            peak.append(rss())
        growth = max(peak) - before
        assert growth < RSS_GROWTH_BOUND, f"RSS grew by {growth // MiB} MiB for 64 MiB"

    def test_chunks_changed_after_they_were_given_do_not_change_the_data(self, store):
        """A source may refill one buffer for every chunk: what is stored and
        what is hashed are the bytes as they were when handed over."""
        buffer = bytearray(MiB)
        expected = []

        def refilled():
            for _ in range(5):
                buffer[:] = os.urandom(MiB)
                expected.append(bytes(buffer))
                yield buffer
            buffer[:] = bytes(MiB)

        stored = store.add("img", refilled())
        data = b"".join(expected)
        assert read_all(store, stored.location) == data
        assert stored.checksum == hashlib.md5(data).hexdigest()
        assert stored.hash_value == hashlib.sha512(data).hexdigest()

    def test_hashing_threads_end_with_the_add(self, store):
        def hashers():
            return [t for t in threading.enumerate() if t.name.endswith("-hasher")]

        store.add("img", Source(4 * MiB))
        assert hashers() == []
        with pytest.raises(ConnectionResetError):
            store.add("other", Source(10 * MiB, fail_after=3))
        with pytest.raises(base.SizeExceeded):
            store.add("third", Source(10 * MiB), max_size=2 * MiB)
        assert hashers() == []

    def test_failing_chunks_leave_nothing(self, store):
        source = Source(10 * MiB, fail_after=3)
        with pytest.raises(ConnectionResetError):  # the source's own error, unchanged
            store.add("img", source)
        assert store.orphans(set(), min_age=0) == []
        stored = store.add("img", [b"retry"])  # no Conflict: nothing was kept
        assert read_all(store, stored.location) == b"retry"

    def test_size_exceeded_stops_reading_and_leaves_nothing(self, store):
        source = Source(100 * MiB)
        with pytest.raises(base.SizeExceeded) as raised:
            store.add("img", source, max_size=10 * MiB + 1)
        assert raised.value.limit == 10 * MiB + 1
        assert source.pulled == 11
        assert store.orphans(set(), min_age=0) == []

    def test_data_of_exactly_max_size_is_accepted(self, store):
        stored = store.add("img", Source(3 * MiB), max_size=3 * MiB)
        assert stored.size == 3 * MiB

    def test_second_add_conflicts_without_reading_and_keeps_the_first(self, store):
        first = store.add("img", [b"first"])
        with pytest.raises(base.Conflict):
            store.add("img", must_not_be_read())
        assert read_all(store, first.location) == b"first"

    def test_of_concurrent_adds_one_wins(self, store):
        both_reading = threading.Barrier(2, timeout=10)
        outcomes = {}

        def add(name: bytes):
            def chunks():
                both_reading.wait()
                yield name
            try:
                outcomes[name] = store.add("img", chunks())
            except base.Conflict as conflict:
                outcomes[name] = conflict

        threads = [threading.Thread(target=add, args=(name,)) for name in (b"a", b"b")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        winners = [name for name, outcome in outcomes.items()
                   if isinstance(outcome, base.StoredData)]
        assert len(winners) == 1 and len(outcomes) == 2
        assert read_all(store, outcomes[winners[0]].location) == winners[0]
        assert store.orphans({outcomes[winners[0]].location}, min_age=0) == []

    @pytest.mark.parametrize("image_id", ["", ".hidden", "../up", "a/b", "x" * 300, "a\x00b"])
    def test_unfit_image_id_is_a_value_error(self, store, image_id):
        with pytest.raises(ValueError):
            store.add(image_id, must_not_be_read())

    def test_delete_is_idempotent(self, store):
        stored = store.add("img", [b"data"])
        store.delete(stored.location)
        store.delete(stored.location)
        with pytest.raises(base.DataNotFound):
            store.size(stored.location)

    def test_missing_data_is_reported_before_streaming(self, store):
        stored = store.add("img", [b"data"])
        store.delete(stored.location)
        with pytest.raises(base.DataNotFound) as raised:
            store.get(stored.location)  # at call time, not on first next()
        assert raised.value.location == stored.location

    def test_refuses_locations_it_did_not_make(self, store):
        stored = store.add("img", [b"data"])
        folder = stored.location.rsplit("/", 1)[0]
        for location in ("file:///etc/passwd", "rbd://pool/img", f"{folder}/../img",
                         f"{folder}/img/../img", f"{folder}/.partial-img-0", "img", ""):
            for operation in (store.get, store.size, store.delete):
                with pytest.raises(base.BadLocation):
                    operation(location)
        assert read_all(store, stored.location) == b"data"

    def test_orphans_are_data_no_image_refers_to(self, store):
        kept = store.add("kept", [b"kept"])
        lost = store.add("lost", [b"lost"])
        assert store.orphans({kept.location}, min_age=0) == [lost.location]
        assert store.orphans({kept.location, lost.location}, min_age=0) == []
        assert store.orphans(set()) == []  # both too recent for the default age
        assert store.remove_orphans({kept.location}, min_age=0) == [lost.location]
        with pytest.raises(base.DataNotFound):
            store.size(lost.location)
        assert read_all(store, kept.location) == b"kept"

    def test_partial_data_of_an_add_in_progress(self, store):
        seen = {}

        def look(source):
            if source.pulled == 2:
                seen["young"] = store.orphans(set(), min_age=0)
                seen["old"] = store.orphans(set())

        stored = store.add("img", Source(4 * MiB, hook=look))
        assert len(seen["young"]) == 1 and seen["young"][0] != stored.location
        assert seen["old"] == []
        assert store.orphans({stored.location}, min_age=0) == []

    def test_removing_partial_data_fails_the_add(self, store):
        def remove(source):
            if source.pulled == 2:
                assert len(store.remove_orphans(set(), min_age=0)) == 1

        with pytest.raises(base.StoreError):
            store.add("img", Source(4 * MiB, hook=remove))
        assert store.orphans(set(), min_age=0) == []
        store.add("img", [b"retry"])

    def test_local_path_holds_the_data(self, store):
        requires(store, base.LOCAL_PATH)
        stored = store.add("img", [b"local data"])
        path = store.local_path(stored.location)
        with open(path, "rb") as file:
            assert file.read() == b"local data"
        store.delete(stored.location)
        with pytest.raises(base.DataNotFound):
            store.local_path(stored.location)
        with pytest.raises(base.BadLocation):
            store.local_path("file:///etc/passwd")

    def test_capacity(self, store):
        requires(store, base.CAPACITY)
        total, free = store.capacity()
        assert isinstance(total, int) and isinstance(free, int)
        assert 0 <= free <= total


class TestFilesystemStore:
    """What the ``file`` store promises about the files it writes."""

    @pytest.fixture
    def directory(self, tmp_path) -> str:
        return str(tmp_path / "images")

    @pytest.fixture
    def fs_store(self, directory) -> filesystem.FilesystemStore:
        return filesystem.FilesystemStore(directory)

    def test_locations_are_file_urls_in_the_directory(self, fs_store, directory):
        stored = fs_store.add("img", [b"data"])
        assert stored.location == f"file://{os.path.realpath(directory)}/img"
        assert fs_store.local_path(stored.location) == os.path.join(directory, "img")
        assert os.listdir(directory) == ["img"]

    def test_writes_to_a_partial_file_beside_the_data(self, fs_store, directory):
        seen = []
        fs_store.add("img", Source(3 * MiB, hook=lambda _: seen.append(os.listdir(directory))))
        assert all(len(names) == 1 and names[0].startswith(".partial-img-") for names in seen)
        assert os.listdir(directory) == ["img"]

    def test_failed_adds_leave_no_file(self, fs_store, directory):
        with pytest.raises(ConnectionResetError):
            fs_store.add("img", Source(5 * MiB, fail_after=2))
        with pytest.raises(base.SizeExceeded):
            fs_store.add("img", Source(5 * MiB), max_size=MiB)
        assert os.listdir(directory) == []

    def test_data_is_fsynced_before_it_appears(self, fs_store, directory, monkeypatch):
        events = []
        real_fsync = os.fsync

        def fsync(fd):
            target = os.readlink(f"/proc/self/fd/{fd}")
            events.append((os.path.basename(target), os.path.exists(
                os.path.join(directory, "img"))))
            real_fsync(fd)

        monkeypatch.setattr(os, "fsync", fsync)
        fs_store.add("img", [b"durable"])
        assert events[0][0].startswith(".partial-img-") and events[0][1] is False
        assert events[-1] == ("images", True)  # the directory, after the link

    def test_full_disk_is_storage_full_and_leaves_nothing(self, fs_store, directory,
                                                          monkeypatch):
        def fsync(fd):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(os, "fsync", fsync)
        with pytest.raises(base.StorageFull):
            fs_store.add("img", [b"data"])
        assert os.listdir(directory) == []

    def test_partial_file_left_by_a_crash_is_an_orphan(self, fs_store, directory):
        leftover = os.path.join(directory, ".partial-img-0123456789abcdef")
        with open(leftover, "wb") as file:
            file.write(b"half")
        os.utime(leftover, (1, 1))
        assert fs_store.orphans(set()) == [f"file://{os.path.realpath(leftover)}"]
        assert fs_store.remove_orphans(set()) == [f"file://{os.path.realpath(leftover)}"]
        assert os.listdir(directory) == []

    def test_ignores_what_is_not_its_own(self, fs_store, directory):
        os.mkdir(os.path.join(directory, "lost+found"))
        os.symlink("/etc/hostname", os.path.join(directory, "link"))
        assert fs_store.orphans(set(), min_age=0) == []

    def test_refuses_paths_outside_its_directory(self, fs_store, directory, tmp_path):
        (tmp_path / "secret").write_bytes(b"secret")
        outside = f"file://{os.path.realpath(tmp_path)}/secret"
        traversal = f"file://{os.path.realpath(directory)}/../secret"
        for location in (outside, traversal, f"file://{os.path.realpath(directory)}"):
            with pytest.raises(base.BadLocation):
                fs_store.get(location)
            with pytest.raises(base.BadLocation):
                fs_store.delete(location)
        assert (tmp_path / "secret").read_bytes() == b"secret"

    def test_get_is_also_a_file_over_the_range(self, fs_store):
        data = os.urandom(10_000)
        stored = fs_store.add("img", [data])
        chunks = fs_store.get(stored.location, 1000, 3000, chunk_size=MiB)
        assert os.lseek(chunks.fileno(), 0, os.SEEK_CUR) == 1000  # where sendfile starts
        assert chunks.read(1000) == data[1000:2000]
        assert chunks.read() == data[2000:4000]
        assert chunks.read(10) == b""
        chunks.close()
        assert chunks.read() == b""

    def test_write_behind_asks_the_kernel_to_write_and_drop_behind(self, fs_store,
                                                                   monkeypatch):
        calls = []
        monkeypatch.setattr(filesystem, "_FADVISE",
                            lambda fd, offset, length, advice: calls.append(
                                (offset, length, advice)))
        fs_store.add("img", Source(40 * MiB + 5))
        step = filesystem.WRITE_BEHIND
        assert [(offset, offset + length) for offset, length, _ in calls] == [
            (0, step), (0, 2 * step), (step, 3 * step), (2 * step, 4 * step),
            (3 * step, 5 * step)]
        assert {advice for _, _, advice in calls} == {os.POSIX_FADV_DONTNEED}

    def test_write_behind_failures_are_ignored(self, fs_store, monkeypatch):
        def fadvise(fd, offset, length, advice):
            raise OSError(errno.ESPIPE, "Illegal seek")

        monkeypatch.setattr(filesystem, "_FADVISE", fadvise)
        source = Source(20 * MiB)
        stored = fs_store.add("img", source)
        assert stored.hash_value == source.sha512.hexdigest()

    def test_does_not_follow_a_symlink_planted_in_its_directory(self, fs_store, directory,
                                                               tmp_path):
        (tmp_path / "secret").write_bytes(b"secret")
        os.symlink(tmp_path / "secret", os.path.join(directory, "planted"))
        with pytest.raises(base.StoreError):
            fs_store.get(f"file://{os.path.realpath(directory)}/planted")
