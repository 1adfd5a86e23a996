"""Identity announces creates, updates and deletes on the bus, Keystone style."""
import queue
import uuid

from identity import api
from identity.service import IdentityService
from stratus import notifications, rpc
from tests.functional.identity.conftest import AuthedClient, build_identity, issue_token


class Collector:
    def __init__(self):
        self.events: queue.Queue = queue.Queue()

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        self.events.put((ctxt, event_type, payload))

    def next_event(self, prefix="identity."):
        while True:
            ctxt, event_type, payload = self.events.get(timeout=10)
            if event_type.startswith(prefix):
                return ctxt, event_type, payload


def test_user_and_project_changes_are_announced(tmp_path):
    topic = f"notifications-{uuid.uuid4().hex}"
    conf, _ = build_identity(tmp_path, overrides={
        (None, "transport_url"): "kombu+memory:////",
        ("oslo_messaging_notifications", "driver"): ["messagingv2"],
        ("oslo_messaging_notifications", "topics"): [topic]})
    transport = rpc.get_notification_transport(conf)
    collector = Collector()
    listener = rpc.get_notification_listener(transport, [topic], [collector])
    listener.start()
    notifier = notifications.Notifier.from_conf(conf)
    service = IdentityService(conf, notifier)
    try:
        client = api.create_app(conf, service).test_client()
        admin = AuthedClient(client, issue_token(client))
        user = admin.post("/v3/users", json={"user": {"name": "announced"}}).get_json()["user"]
        ctxt, event_type, payload = collector.next_event()
        assert event_type == "identity.user.created"
        assert payload["resource_info"] == user["id"]
        assert ctxt.user_id and payload["initiator"]["id"] == ctxt.user_id
        assert not ctxt.auth_token
        admin.delete(f"/v3/users/{user['id']}")
        assert collector.next_event()[1] == "identity.user.deleted"
    finally:
        notifier.close()
        listener.stop()
        listener.wait()
        transport.cleanup()
        service.db.dispose()
