"""RPC through stratus.rpc on ``kombu+memory:////``: oslo.messaging's real
rabbit driver over kombu's in-process broker, on a service's private conf."""
import queue
import socket
import uuid

import oslo_messaging
import pytest

from stratus import config, exception, rpc
from stratus import context as ctx
from stratus.conf import messaging as messaging_conf

MEMORY_URL = "kombu+memory:////"
RABBIT_URL = "rabbit://guest:guest@127.0.0.1:5672/"


class EchoEndpoint:
    """What a server-side manager looks like: versioned, thin methods."""

    target = oslo_messaging.Target(version="1.0")

    def __init__(self, name: str = "server"):
        self.name = name
        self.casts: queue.Queue = queue.Queue()

    def echo(self, ctxt, value):
        return {"value": value, "server": self.name, "context_type": type(ctxt).__name__,
                "request_id": ctxt.request_id, "user_id": ctxt.user_id,
                "project_id": ctxt.project_id, "roles": ctxt.roles,
                "auth_token": ctxt.auth_token}

    def record(self, ctxt, value):
        self.casts.put((ctxt.request_id, value))

    def fail(self, ctxt, message):
        raise ValueError(message)

    def find_flavor(self, ctxt, flavor_id):
        raise exception.NotFound(target="flavor", id=flavor_id)


@pytest.fixture(scope="module")
def conf():
    """A private service conf, as stratus.config.make_conf builds it."""
    conf = config.make_conf("test", messaging_conf.register)
    conf.set_override("transport_url", MEMORY_URL)
    return conf


@pytest.fixture(scope="module")
def transport(conf):
    transport = rpc.get_transport(conf)
    yield transport
    transport.cleanup()


def new_topic() -> str:
    """A topic no other test uses (the in-memory broker lives per process)."""
    return f"test-{uuid.uuid4().hex}"


@pytest.fixture
def serve(transport):
    """Start an RPC server for (topic, server, endpoints); all stopped at the end.

    Stopping a server takes about a second (its listener's poll interval),
    so tests share the module's ``echo`` server unless they need their own.
    """
    servers = []

    def start(topic: str, endpoints, server: str = "host-a"):
        rpc_server = rpc.get_server(transport, topic, server, endpoints)
        rpc_server.start()
        servers.append(rpc_server)
        return rpc_server

    yield start
    for rpc_server in servers:
        rpc_server.stop()
    for rpc_server in servers:
        rpc_server.wait()


@pytest.fixture(scope="module")
def echo(transport):
    """(topic, endpoint) of one EchoEndpoint server shared by the module."""
    topic, endpoint = new_topic(), EchoEndpoint()
    rpc_server = rpc.get_server(transport, topic, "host-a", [endpoint])
    rpc_server.start()
    yield topic, endpoint
    rpc_server.stop()
    rpc_server.wait()


def request_context() -> ctx.RequestContext:
    return ctx.RequestContext(user_id="u-1", project_id="p-1", roles=["member"],
                              auth_token="user-token", overwrite=False)


def test_transport_url_defaults_to_local_rabbitmq():
    conf = config.make_conf("test", messaging_conf.register)
    assert conf.transport_url == RABBIT_URL
    assert conf.control_exchange == "stratus"


def test_call_carries_the_request_context_across(transport, echo):
    topic, _ = echo
    client = rpc.get_client(transport, topic, "1.0", timeout=10)
    context = request_context()

    answer = client.call(context, "echo", value=[1, "two"])

    assert answer == {"value": [1, "two"], "server": "server",
                      "context_type": "RequestContext",
                      "request_id": context.request_id, "user_id": "u-1",
                      "project_id": "p-1", "roles": ["member"],
                      "auth_token": "user-token"}


def test_cast_is_delivered_with_its_request_id(transport, echo):
    topic, endpoint = echo
    client = rpc.get_client(transport, topic, "1.0")
    context = request_context()

    client.cast(context, "record", value=42)

    assert endpoint.casts.get(timeout=10) == (context.request_id, 42)


def test_server_pins_a_call_to_one_host(transport, serve):
    topic = new_topic()
    serve(topic, [EchoEndpoint("a")], server="host-a")
    serve(topic, [EchoEndpoint("b")], server="host-b")

    for host, name in (("host-a", "a"), ("host-b", "b")):
        client = rpc.get_client(transport, topic, "1.0", server=host, timeout=10)
        assert client.call(request_context(), "echo", value=0)["server"] == name


def test_remote_builtin_exception_is_raised_by_call(transport, echo):
    topic, _ = echo
    client = rpc.get_client(transport, topic, "1.0", timeout=10)

    with pytest.raises(ValueError, match="no such flavor"):
        client.call(request_context(), "fail", message="no such flavor")


def test_remote_stratus_error_keeps_its_class_status_and_message(transport, echo):
    topic, _ = echo
    client = rpc.get_client(transport, topic, "1.0", timeout=10)

    with pytest.raises(exception.NotFound) as raised:
        client.call(request_context(), "find_flavor", flavor_id="f-1")

    assert raised.value.code == 404
    assert raised.value.message == "Could not find flavor: f-1."


def test_call_without_a_server_times_out(transport):
    client = rpc.get_client(transport, new_topic(), "1.0", timeout=0.5)

    with pytest.raises(oslo_messaging.MessagingTimeout):
        client.call(request_context(), "echo", value=1)


def test_call_to_a_newer_version_than_served_is_refused(transport, echo):
    topic, _ = echo
    client = rpc.get_client(transport, topic, "1.5", timeout=10)

    with pytest.raises(oslo_messaging.RemoteError) as raised:
        client.call(request_context(), "echo", value=1)

    assert raised.value.exc_type == "UnsupportedVersion"


def test_wait_for_broker_accepts_in_process_transports():
    rpc.wait_for_broker(MEMORY_URL, timeout=0)
    rpc.wait_for_broker("fake:/", timeout=0)


def test_wait_for_broker_fails_fast_when_nothing_listens():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # The port is free again: nothing listens there.
    with pytest.raises(rpc.BrokerUnavailable, match=f"127.0.0.1:{port}"):
        rpc.wait_for_broker(f"rabbit://guest:guest@127.0.0.1:{port}/", timeout=0.5)


def test_wait_for_broker_reaches_a_running_rabbitmq():
    try:
        socket.create_connection(("127.0.0.1", 5672), timeout=1).close()
    except OSError:
        pytest.skip("no RabbitMQ listening on 127.0.0.1:5672")
    rpc.wait_for_broker(RABBIT_URL, timeout=5)
