"""stratus.notifications: events reach listeners over ``kombu+memory:////``,
and emitting never fails nor blocks the caller, whatever the bus does."""
import datetime
import queue
import socket
import threading
import time
import uuid

import pytest

from stratus import config, notifications, rpc
from stratus import context as ctx
from stratus.conf import messaging as messaging_conf

MEMORY_URL = "kombu+memory:////"
NOTIFICATIONS = "oslo_messaging_notifications"


def make_conf(transport_url: str = MEMORY_URL, drivers=("messagingv2",),
              topic: str = "notifications"):
    conf = config.make_conf("identity", messaging_conf.register)
    conf.set_override("host", "node-1")
    conf.set_override("transport_url", transport_url)
    conf.set_override("driver", list(drivers), group=NOTIFICATIONS)
    conf.set_override("topics", [topic], group=NOTIFICATIONS)
    return conf


def request_context(overwrite: bool = False) -> ctx.RequestContext:
    return ctx.RequestContext(user_id="u-admin", project_id="p-admin", domain_id="default",
                              auth_token="secret-token", overwrite=overwrite)


class Collector:
    """A notification listener endpoint keeping what it receives."""

    def __init__(self):
        self.events: queue.Queue = queue.Queue()

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        self.events.put(("info", ctxt, publisher_id, event_type, payload))

    def error(self, ctxt, publisher_id, event_type, payload, metadata):
        self.events.put(("error", ctxt, publisher_id, event_type, payload))


@pytest.fixture(scope="module")
def bus():
    """(conf, collector) with a listener on a topic of this module's own."""
    conf = make_conf(topic=f"notifications-{uuid.uuid4().hex}")
    transport = rpc.get_notification_transport(conf)
    collector = Collector()
    listener = rpc.get_notification_listener(
        transport, conf.oslo_messaging_notifications.topics, [collector])
    listener.start()
    yield conf, collector
    listener.stop()
    listener.wait()
    transport.cleanup()


@pytest.fixture
def notifier(bus):
    conf, _ = bus
    notifier = notifications.Notifier.from_conf(conf)
    yield notifier
    notifier.close()


def test_resource_event_reaches_a_listener_keystone_style(bus, notifier):
    _, collector = bus
    context = request_context()

    notifier.resource_event("user", "created", "u-123", context=context)

    priority, ctxt, publisher_id, event_type, payload = collector.events.get(timeout=10)
    assert (priority, publisher_id, event_type) == ("info", "identity.node-1",
                                                    "identity.user.created")
    assert payload["resource_info"] == "u-123"
    assert payload["action"] == "created.user"
    assert payload["target"] == {"id": "u-123", "typeURI": "data/security/account/user"}
    assert payload["initiator"]["id"] == "u-admin"
    assert payload["initiator"]["request_id"] == context.request_id
    assert payload["observer"] == {"id": "identity.node-1", "typeURI": "service/security"}
    assert ctxt.request_id == context.request_id
    assert ctxt.auth_token is None  # the token never goes on the bus


def test_context_defaults_to_the_threads_current_one(bus, notifier):
    """As in an API handler: the request's context was built with overwrite=True
    (in a thread of its own, so it stays that thread's current context)."""
    _, collector = bus
    contexts = []

    def handle_request():
        contexts.append(request_context(overwrite=True))
        notifier.resource_event("role_assignment", "created", "r-1",
                                details={"role": "r-1", "user": "u-2", "project": "p-3"})

    request = threading.Thread(target=handle_request)
    request.start()
    request.join()
    [context] = contexts

    _, ctxt, _, event_type, payload = collector.events.get(timeout=10)
    assert event_type == "identity.role_assignment.created"
    assert ctxt.request_id == context.request_id
    assert payload["initiator"]["id"] == "u-admin"
    assert (payload["role"], payload["user"], payload["project"]) == ("r-1", "u-2", "p-3")
    assert payload["target"]["typeURI"] == "service/security/account/user"


def test_emit_sends_the_event_type_as_given_and_copies_the_payload(bus, notifier):
    """Each OpenStack project names its events its own way; emit adds nothing."""
    _, collector = bus
    payload = {"instance_id": "i-1", "state": "building"}

    notifier.emit("compute.instance.create.error", payload, context=request_context(),
                  priority="error")
    payload["state"] = "changed after emit"

    priority, _, publisher_id, event_type, received = collector.events.get(timeout=10)
    assert (priority, event_type) == ("error", "compute.instance.create.error")
    assert publisher_id == "identity.node-1"
    assert received == {"instance_id": "i-1", "state": "building"}


@pytest.mark.parametrize("drivers", [(), ("noop",)], ids=["unset", "noop"])
def test_notifications_are_off_without_a_driver(drivers):
    notifier = notifications.Notifier.from_conf(make_conf(drivers=drivers))

    assert not notifier.enabled
    notifier.resource_event("user", "created", "u-1", context=request_context())
    notifier.emit("identity.user.deleted", {})
    assert notifier.flush(0) and notifier.close(0)


def test_default_conf_publishes_nothing():
    conf = config.make_conf("identity")
    assert not notifications.publishes(conf)


class BlockingPublisher:
    """An oslo Notifier stand-in that hangs, as one does while the broker is down."""

    def __init__(self):
        self.entered = threading.Event()
        self.release = threading.Event()
        self.sent: list[tuple[str, dict]] = []

    def info(self, ctxt, event_type, payload):
        self.entered.set()
        assert self.release.wait(timeout=30)
        self.sent.append((event_type, payload))


class FailingOncePublisher:
    def __init__(self):
        self.calls = 0
        self.sent: queue.Queue = queue.Queue()

    def info(self, ctxt, event_type, payload):
        self.calls += 1
        if self.calls == 1:
            raise ConnectionError("broker went away")
        self.sent.put(event_type)


def test_emit_returns_at_once_while_the_bus_hangs():
    publisher = BlockingPublisher()
    notifier = notifications.Notifier("compute", publisher)

    started = time.monotonic()
    for n in range(3):
        notifier.emit("compute.instance.update", {"n": n}, context=request_context())
    assert time.monotonic() - started < 0.5
    assert not notifier.flush(0.1)

    publisher.release.set()
    assert notifier.close(10)
    assert publisher.sent == [("compute.instance.update", {"n": n}) for n in range(3)]


def test_publisher_errors_never_reach_the_caller():
    publisher = FailingOncePublisher()
    notifier = notifications.Notifier("compute", publisher)

    notifier.emit("compute.instance.delete.start", {})
    notifier.emit("compute.instance.delete.end", {})

    assert publisher.sent.get(timeout=10) == "compute.instance.delete.end"
    assert notifier.close(10)


def test_full_outbox_drops_new_notifications():
    publisher = BlockingPublisher()
    notifier = notifications.Notifier("compute", publisher, capacity=2)

    notifier.emit("compute.instance.update", {"n": 0})
    assert publisher.entered.wait(10)  # n=0 is being sent, the outbox is empty
    for n in range(1, 5):
        notifier.emit("compute.instance.update", {"n": n})

    publisher.release.set()
    assert notifier.close(10)
    assert [payload["n"] for _, payload in publisher.sent] == [0, 1, 2]


def test_unknown_priority_is_a_programming_error():
    notifier = notifications.Notifier("compute", FailingOncePublisher())
    with pytest.raises(ValueError, match="priority"):
        notifier.emit("compute.instance.update", {}, priority="loud")
    notifier.close(1)


def test_unreachable_broker_does_not_fail_the_caller():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    conf = make_conf(transport_url=f"rabbit://guest:guest@127.0.0.1:{port}/")
    conf.set_override("retry", 0, group=NOTIFICATIONS)
    notifier = notifications.Notifier.from_conf(conf)

    started = time.monotonic()
    notifier.resource_event("project", "deleted", "p-9", context=request_context())
    assert time.monotonic() - started < 0.5
    assert notifier.close(10)  # the sender gave up, logged and dropped it


def test_cadf_payload_has_keystone_audit_shape():
    initiator = notifications.initiator_from_context(
        request_context(), address="192.0.2.7", agent="openstacksdk/4.0")

    payload = notifications.cadf_payload("deleted", "project", "p-1", initiator,
                                         observer_id="identity.node-1")

    assert payload["typeURI"] == "http://schemas.dmtf.org/cloud/audit/1.0/event"
    assert payload["eventType"] == "activity"
    assert payload["action"] == "deleted.project"
    assert payload["outcome"] == "success"
    assert payload["id"].startswith("openstack:")
    event_time = datetime.datetime.fromisoformat(payload["eventTime"])
    assert event_time.utcoffset() == datetime.timedelta(0)
    assert payload["target"] == {"id": "p-1", "typeURI": "data/security/project"}
    assert payload["observer"] == {"id": "identity.node-1", "typeURI": "service/security"}
    assert payload["resource_info"] == "p-1"
    assert payload["initiator"]["typeURI"] == "service/security/account/user"
    assert payload["initiator"]["id"] == "u-admin"
    assert payload["initiator"]["project_id"] == "p-admin"
    assert payload["initiator"]["host"] == {"address": "192.0.2.7",
                                            "agent": "openstacksdk/4.0"}


def test_cadf_payload_of_an_unmapped_resource_has_unknown_target_type():
    payload = notifications.cadf_payload("created", "widget", "w-1",
                                         notifications.initiator_from_context(None))
    assert payload["target"]["typeURI"] == "unknown"
    assert payload["initiator"] == {"typeURI": "service/security/account/user", "host": {}}
