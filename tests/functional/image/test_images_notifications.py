"""The image service's notifications: Glance's event types, in Glance's order,
with Glance's payload (``format_image_notification``) of the image as stored."""
import pytest

from stratus import notifications
from tests.functional.image.conftest import _client, build_image


class Recorder:
    """An oslo.messaging Notifier stand-in keeping (priority, event type, payload)."""

    def __init__(self):
        self.events = []

    def info(self, ctxt, event_type, payload):
        self.events.append(("info", event_type, payload))

    def error(self, ctxt, event_type, payload):
        self.events.append(("error", event_type, payload))


@pytest.fixture
def recorded(cloud, tmp_path):
    """(demo client, admin client, notifier, recorder) of an image service whose
    notifications are recorded; ``image_size_cap`` is 1000 bytes."""
    recorder = Recorder()
    notifier = notifications.Notifier("image", recorder)
    app = build_image(cloud, tmp_path, notifier=notifier, image_size_cap=1000)
    yield _client(cloud, app, "demo"), _client(cloud, app, "admin"), notifier, recorder
    notifier.close()
    app.extensions["image"].db.dispose()


def sent(notifier, recorder) -> list:
    assert notifier.flush(5)
    events, recorder.events[:] = list(recorder.events), []
    return events


def _queued(client, **body) -> str:
    return client.create(disk_format="raw", container_format="bare", **body)["id"]


def test_life_of_an_image_is_glances_event_sequence(recorded):
    demo, _, notifier, recorder = recorded
    image_id = _queued(demo, name="n")
    assert demo.upload(image_id, b"data").status_code == 204
    demo.patch_image(image_id, [{"op": "replace", "path": "/name", "value": "m"}])
    assert demo.delete(f"/v2/images/{image_id}").status_code == 204

    events = sent(notifier, recorder)
    assert [(priority, event_type) for priority, event_type, _ in events] == [
        ("info", "image.create"), ("info", "image.prepare"), ("info", "image.upload"),
        ("info", "image.activate"), ("info", "image.update"), ("info", "image.delete")]
    payloads = {event_type: payload for _, event_type, payload in events}
    assert all(payload["id"] == image_id for payload in payloads.values())
    assert payloads["image.create"]["status"] == "queued"
    assert payloads["image.prepare"]["status"] == "saving"
    uploaded = payloads["image.upload"]
    assert uploaded["status"] == "active" and uploaded["size"] == 4
    assert uploaded["checksum"] == "8d777f385d3dfec8815d20f7496026dc"  # md5 of b"data"
    assert uploaded["os_glance_importing_to_stores"] == []
    assert uploaded["os_glance_failed_import"] == []
    assert payloads["image.activate"]["status"] == "active"
    assert payloads["image.update"]["name"] == "m"
    deleted = payloads["image.delete"]
    assert deleted["deleted"] is True and deleted["deleted_at"].endswith("Z")


def test_payload_has_glances_fields_and_no_location(recorded):
    _, admin, notifier, recorder = recorded
    image_id = _queued(admin, name="n", visibility="public", tags=["t"], color="blue")
    assert admin.upload(image_id, b"data").status_code == 204

    for _, event_type, payload in sent(notifier, recorder):
        assert {"id", "name", "status", "created_at", "updated_at", "min_disk", "min_ram",
                "protected", "checksum", "owner", "disk_format", "container_format", "size",
                "virtual_size", "is_public", "visibility", "properties", "tags", "deleted",
                "deleted_at"} <= set(payload), event_type
        assert "location" not in payload and "locations" not in payload
        assert payload["is_public"] is True and payload["visibility"] == "public"
        assert payload["properties"] == {"color": "blue"} and payload["tags"] == ["t"]
        assert payload["deleted"] is False and payload["deleted_at"] is None
        assert payload["created_at"].endswith("Z")


def test_tags_and_actions_are_image_updates(recorded):
    demo, admin, notifier, recorder = recorded
    image_id = _queued(demo)
    assert demo.upload(image_id, b"data").status_code == 204
    sent(notifier, recorder)

    assert demo.put(f"/v2/images/{image_id}/tags/blue").status_code == 204
    assert demo.delete(f"/v2/images/{image_id}/tags/blue").status_code == 204
    assert admin.post(f"/v2/images/{image_id}/actions/deactivate").status_code == 204
    assert admin.post(f"/v2/images/{image_id}/actions/reactivate").status_code == 204

    events = sent(notifier, recorder)
    assert [event_type for _, event_type, _ in events] == ["image.update"] * 4
    assert [payload["tags"] for _, _, payload in events[:2]] == [["blue"], []]
    assert [payload["status"] for _, _, payload in events[2:]] == ["deactivated", "active"]


def test_failed_upload_is_an_error_image_upload(recorded):
    demo, _, notifier, recorder = recorded
    image_id = _queued(demo)
    sent(notifier, recorder)

    assert demo.upload(image_id, b"x" * 1001).status_code == 413

    events = sent(notifier, recorder)
    assert [(priority, event_type) for priority, event_type, _ in events] == [
        ("info", "image.prepare"), ("error", "image.upload")]
    message = events[1][2]
    assert isinstance(message, str) and image_id in message


def test_glance_direct_import_sends_prepare_upload_activate(recorded):
    demo, _, notifier, recorder = recorded
    image_id = _queued(demo)
    assert demo.put(f"/v2/images/{image_id}/stage", data=b"staged",
                    headers={"Content-Type": "application/octet-stream"}).status_code == 204
    assert [event_type for _, event_type, _ in sent(notifier, recorder)] == ["image.create"]

    response = demo.post(f"/v2/images/{image_id}/import",
                         json={"method": {"name": "glance-direct"}})
    assert response.status_code == 202

    events = sent(notifier, recorder)
    assert [event_type for _, event_type, _ in events] == [
        "image.prepare", "image.upload", "image.activate"]
    assert events[1][2]["size"] == 6 and events[2][2]["status"] == "active"
