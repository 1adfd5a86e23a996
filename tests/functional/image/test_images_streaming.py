"""How image data moves through the API: an upload is read straight from a
``wsgi.input`` the server terminates, in ``[image] chunk_size`` reads; a
download from the file store is handed to the server's ``wsgi.file_wrapper``
(gunicorn sends it with sendfile), whole or a range."""
import hashlib
import io
import os

import pytest

from image.store.filesystem import FilesystemStore
from tests.functional.image.conftest import _client, build_image

OCTET_STREAM = {"Content-Type": "application/octet-stream"}


class RecordingWrapper:
    """A ``wsgi.file_wrapper`` (PEP 3333) that notes what it was given and
    where the descriptor stood, as a server about to sendfile() would see it."""

    made: list = []

    def __init__(self, filelike, blksize=8192):
        self.filelike = filelike
        self.position = os.lseek(filelike.fileno(), 0, os.SEEK_CUR)
        self.blksize = blksize
        RecordingWrapper.made.append(self)

    def __iter__(self):
        return iter(lambda: self.filelike.read(self.blksize), b"")

    def close(self):
        self.filelike.close()


class RecordingInput(io.BytesIO):
    """A ``wsgi.input`` noting the size of every read."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.reads: list[int] = []

    def read(self, size=-1):
        self.reads.append(size)
        return super().read(size)


@pytest.fixture
def file_store(tmp_path):
    return FilesystemStore(str(tmp_path / "images"))


@pytest.fixture
def on_file_store(cloud, tmp_path, file_store):
    app = build_image(cloud, tmp_path, store=file_store, chunk_size=4096,
                      image_size_cap=50_000)
    RecordingWrapper.made.clear()
    yield _client(cloud, app, "demo")
    app.extensions["image"].db.dispose()


def _active(client, data: bytes) -> str:
    image_id = client.create(disk_format="raw", container_format="bare")["id"]
    assert client.upload(image_id, data).status_code == 204
    return image_id


def _download(client, image_id, **headers):
    return client.get(f"/v2/images/{image_id}/file", headers=headers,
                      environ_overrides={"wsgi.file_wrapper": RecordingWrapper})


def test_whole_download_goes_to_the_file_wrapper(on_file_store):
    data = os.urandom(10_000)
    image_id = _active(on_file_store, data)

    response = _download(on_file_store, image_id)

    assert response.status_code == 200 and response.data == data
    assert response.headers["Content-Length"] == "10000"
    assert response.headers["Content-MD5"] == hashlib.md5(data).hexdigest()
    [wrapper] = RecordingWrapper.made
    assert wrapper.position == 0 and wrapper.blksize == 4096


def test_range_download_goes_to_the_file_wrapper_at_its_start(on_file_store):
    data = os.urandom(10_000)
    image_id = _active(on_file_store, data)

    response = _download(on_file_store, image_id, Range="bytes=1000-2999")

    assert response.status_code == 206 and response.data == data[1000:3000]
    assert response.headers["Content-Range"] == "bytes 1000-2999/10000"
    assert response.headers["Content-Length"] == "2000"
    [wrapper] = RecordingWrapper.made
    assert wrapper.position == 1000
    assert wrapper.filelike.read(10) == b""  # the range is spent, not the file


def test_download_from_memory_store_does_not_use_the_file_wrapper(cloud, tmp_path):
    app = build_image(cloud, tmp_path)
    demo = _client(cloud, app, "demo")
    RecordingWrapper.made.clear()
    image_id = _active(demo, b"in memory")

    response = _download(demo, image_id, Range="bytes=3-")

    assert response.data == b"memory" and RecordingWrapper.made == []
    app.extensions["image"].db.dispose()


def _upload_terminated(client, image_id, data: bytes):
    body = RecordingInput(data)
    response = client.put(f"/v2/images/{image_id}/file", data=data, headers=OCTET_STREAM,
                          environ_overrides={"wsgi.input": body,
                                             "wsgi.input_terminated": True})
    return response, body


def test_upload_reads_a_terminated_input_directly_in_chunk_size_reads(on_file_store):
    data = os.urandom(10_000)
    image_id = on_file_store.create(disk_format="raw", container_format="bare")["id"]

    response, body = _upload_terminated(on_file_store, image_id, data)

    assert response.status_code == 204
    assert body.reads and set(body.reads) == {4096}
    image = on_file_store.get(f"/v2/images/{image_id}").get_json()
    assert image["size"] == 10_000 and image["status"] == "active"
    assert image["os_hash_value"] == hashlib.sha512(data).hexdigest()
    assert _download(on_file_store, image_id).data == data


def test_terminated_input_past_the_size_cap_is_413_and_leaves_nothing(on_file_store,
                                                                      file_store):
    image_id = on_file_store.create(disk_format="raw", container_format="bare")["id"]

    data = b"x" * (3 * 1024 * 1024)  # past what the format check holds back (1 MiB)

    response, body = _upload_terminated(on_file_store, image_id, data)

    assert response.status_code == 413
    assert len(body.reads) < len(data) // 4096 // 2  # stopped at the cap, not the end
    assert on_file_store.get(f"/v2/images/{image_id}").get_json()["status"] == "queued"
    assert file_store.orphans([], min_age=0) == []
