"""Image data: upload, download (ranges), stage + import, limits."""
import hashlib
import subprocess

import pytest

from tests.functional.image.conftest import _client, build_image


def _queued(client, disk_format="raw", **body):
    return client.create(disk_format=disk_format, container_format="bare", **body)["id"]


def test_upload_download_round_trip(demo):
    data = bytes(range(256)) * 1000
    image_id = _queued(demo)
    assert demo.upload(image_id, data).status_code == 204
    image = demo.get(f"/v2/images/{image_id}").get_json()
    assert image["status"] == "active"
    assert image["size"] == image["virtual_size"] == len(data)
    assert image["checksum"] == hashlib.md5(data).hexdigest()
    assert image["os_hash_algo"] == "sha512"
    assert image["os_hash_value"] == hashlib.sha512(data).hexdigest()
    response = demo.get(f"/v2/images/{image_id}/file")
    assert response.status_code == 200
    assert response.data == data
    assert response.headers["Content-MD5"] == image["checksum"]
    assert response.headers["Content-Length"] == str(len(data))
    assert response.headers["Content-Type"] == "application/octet-stream"


def test_range_download(demo):
    image_id = _queued(demo)
    demo.upload(image_id, b"0123456789")
    response = demo.get(f"/v2/images/{image_id}/file", headers={"Range": "bytes=2-5"})
    assert response.status_code == 206
    assert response.data == b"2345"
    assert response.headers["Content-Range"] == "bytes 2-5/10"
    response = demo.get(f"/v2/images/{image_id}/file", headers={"Range": "bytes=-3"})
    assert response.data == b"789"
    response = demo.get(f"/v2/images/{image_id}/file", headers={"Range": "bytes=20-30"})
    assert response.status_code == 416


def test_download_without_data_is_204(demo):
    assert demo.get(f"/v2/images/{_queued(demo)}/file").status_code == 204


def test_upload_errors(demo, alt):
    image_id = _queued(demo)
    response = demo.put(f"/v2/images/{image_id}/file", data=b"x",
                        headers={"Content-Type": "application/json"})
    assert response.status_code == 415
    assert demo.upload(demo.create()["id"], b"x").status_code == 400  # no formats
    assert alt.upload(image_id, b"x").status_code == 404
    assert demo.upload(image_id, b"x").status_code == 204
    assert demo.upload(image_id, b"y").status_code == 409


def test_upload_beyond_size_cap_is_413_and_leaves_queued(cloud, tmp_path):
    app = build_image(cloud, tmp_path, image_size_cap=100)
    demo = _client(cloud, app, "demo")
    image_id = _queued(demo)
    response = demo.upload(image_id, b"x" * 101)
    assert response.status_code == 413
    assert response.get_json()["title"] == "Request Entity Too Large"
    image = demo.get(f"/v2/images/{image_id}").get_json()
    assert image["status"] == "queued" and image["size"] is None
    assert app.extensions["image"].store.orphans([], min_age=0) == []
    assert demo.upload(image_id, b"x" * 100).status_code == 204


def test_storage_quota(cloud, tmp_path):
    app = build_image(cloud, tmp_path, user_storage_quota=150)
    demo = _client(cloud, app, "demo")
    assert demo.upload(_queued(demo), b"x" * 100).status_code == 204
    second = _queued(demo)
    assert demo.upload(second, b"x" * 51).status_code == 413
    assert demo.get(f"/v2/images/{second}").get_json()["status"] == "queued"
    assert demo.upload(second, b"x" * 50).status_code == 204
    response = demo.upload(_queued(demo), b"x")
    assert response.status_code == 413
    assert "quota" in response.get_json()["message"]


def test_truncated_upload_leaves_no_active_image(demo, image_app):
    image_id = _queued(demo)
    response = demo.put(f"/v2/images/{image_id}/file", data=b"abc",
                        headers={"Content-Type": "application/octet-stream"},
                        environ_overrides={"CONTENT_LENGTH": "100"})
    assert response.status_code == 400
    assert demo.get(f"/v2/images/{image_id}").get_json()["status"] == "queued"
    assert image_app.extensions["image"].store.orphans([], min_age=0) == []


def _qcow2(tmp_path, *extra) -> bytes:
    path = tmp_path / "disk.qcow2"
    subprocess.run(["qemu-img", "create", "-f", "qcow2", *extra, str(path), "1M"],
                   check=True, capture_output=True)
    return path.read_bytes()


def test_qcow2_virtual_size_and_format_mismatch(demo, tmp_path):
    data = _qcow2(tmp_path)
    image_id = _queued(demo, disk_format="qcow2")
    assert demo.upload(image_id, data).status_code == 204
    assert demo.get(f"/v2/images/{image_id}").get_json()["virtual_size"] == 1024 * 1024
    raw_declared_qcow2 = _queued(demo, disk_format="qcow2")
    assert demo.upload(raw_declared_qcow2, b"\0" * 4096).status_code == 400
    assert demo.get(f"/v2/images/{raw_declared_qcow2}").get_json()["status"] == "queued"
    qcow2_declared_raw = _queued(demo, disk_format="raw")
    assert demo.upload(qcow2_declared_raw, data).status_code == 400


def test_qcow2_with_backing_file_is_refused(demo, tmp_path):
    base = tmp_path / "base.raw"
    base.write_bytes(b"\0" * 1024)
    data = _qcow2(tmp_path, "-b", str(base), "-F", "raw")
    image_id = _queued(demo, disk_format="qcow2")
    assert demo.upload(image_id, data).status_code == 400


def test_stage_and_glance_direct_import(demo):
    image_id = _queued(demo)
    url = f"/v2/images/{image_id}"
    assert demo.post(f"{url}/import", json={"method": {"name": "glance-direct"}}
                     ).status_code == 409
    response = demo.put(f"{url}/stage", data=b"staged",
                        headers={"Content-Type": "application/octet-stream"})
    assert response.status_code == 204
    assert demo.get(url).get_json()["status"] == "uploading"
    response = demo.post(f"{url}/import", json={"method": {"name": "glance-direct"}})
    assert response.status_code == 202
    image = demo.get(url).get_json()
    assert image["status"] == "active" and image["size"] == 6
    assert demo.get(f"{url}/file").data == b"staged"
    tasks = demo.get(f"{url}/tasks").get_json()["tasks"]
    assert [(t["type"], t["status"], t["image_id"]) for t in tasks] == [
        ("api_image_import", "success", image_id)]
    assert tasks[0]["request_id"] == response.headers["X-Openstack-Request-Id"]
    assert tasks[0]["input"]["import_req"]["method"]["name"] == "glance-direct"


def test_image_tasks_of_an_unseen_image_are_404(demo, alt):
    image_id = _queued(demo, visibility="private")
    assert demo.get(f"/v2/images/{image_id}/tasks").get_json() == {"tasks": []}
    assert alt.get(f"/v2/images/{image_id}/tasks").status_code == 404


@pytest.mark.parametrize("method", ["copy-image", "web-download", "nonsense"])
def test_other_import_methods_are_refused(demo, admin, method):
    image_id = _queued(admin)
    response = admin.post(f"/v2/images/{image_id}/import", json={"method": {"name": method}})
    assert response.status_code == 400
    if method != "nonsense":
        assert "not offered" in response.get_json()["message"]


def test_delete_removes_data(demo, image_app):
    image_id = _queued(demo)
    demo.upload(image_id, b"data")
    store = image_app.extensions["image"].store
    assert store.orphans([], min_age=0) != []
    assert demo.delete(f"/v2/images/{image_id}").status_code == 204
    assert store.orphans([], min_age=0) == []
