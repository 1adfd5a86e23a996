"""The message bus for every service: RPC clients and servers, notifiers.

Each service passes its own private ConfigOpts (:func:`stratus.config.make_conf`);
the helpers register what oslo.messaging needs on it first
(:func:`stratus.conf.messaging.register`).

Contracts every caller relies on:

* A :class:`stratus.context.RequestContext` crosses the bus whole: the server
  side receives a ``RequestContext`` with the caller's request id, user,
  project, roles and token (:class:`RequestContextSerializer`), so log lines on
  both sides carry the same request id.
* Arguments and results are JSON primitives; datetimes and other objects are
  turned into primitives by oslo.serialization on the way out.
* **Create transports after fork.**  A transport owns sockets and threads
  (heartbeats, reply listeners) that do not survive ``fork()``; a gunicorn
  worker or a multiprocessing child builds its own in its post-fork hook,
  never inherits the parent's.
* **Check the broker before serving.**  When the broker is down from the
  start, an RPC ``call()`` hangs forever whatever its timeout (setting up the
  reply queue retries without end).  Services call :func:`wait_for_broker`
  at startup and exit with its error instead.
"""
import time
from collections.abc import Sequence
from urllib import parse

import kombu
import oslo_messaging
from oslo_config import cfg
from oslo_log import log

from stratus import context, exception
from stratus.conf import messaging as messaging_conf

LOG = log.getLogger(__name__)

DEFAULT_CALL_TIMEOUT = 60.0
ALLOWED_REMOTE_EXMODS = (exception.__name__,)
_IN_PROCESS_TRANSPORTS = ("fake", "kombu+memory")
_AMQP_TRANSPORTS = ("rabbit", "kombu+amqp", "amqp")


class BrokerUnavailable(RuntimeError):
    """The message broker did not accept a connection in time."""


class RequestContextSerializer(oslo_messaging.Serializer):
    """Sends a RequestContext as its dict and rebuilds it on the other side.

    Payloads go through ``base`` (JSON primitives by default).  A context that
    is None or already a dict is sent as a dict, so internal calls without a
    request still work.
    """

    def __init__(self, base: oslo_messaging.Serializer | None = None):
        self._base = base or oslo_messaging.JsonPayloadSerializer()

    def serialize_entity(self, ctxt, entity):
        return self._base.serialize_entity(ctxt, entity)

    def deserialize_entity(self, ctxt, entity):
        return self._base.deserialize_entity(ctxt, entity)

    def serialize_context(self, ctxt) -> dict:
        if ctxt is None:
            return {}
        if isinstance(ctxt, dict):
            return ctxt
        return ctxt.to_dict()

    def deserialize_context(self, ctxt: dict) -> context.RequestContext:
        return context.RequestContext.from_dict(ctxt or {})


def get_transport(conf: cfg.ConfigOpts, url: str | None = None,
                  allowed_remote_exmods: Sequence[str] = ()) -> oslo_messaging.Transport:
    """An RPC transport to ``url`` (default ``conf.transport_url``).

    An exception a server raises reaches the ``call()``er as the same class
    when it is a builtin, from :mod:`stratus.exception`, or from one of
    ``allowed_remote_exmods`` (a service's own exception module); any other
    arrives as ``oslo_messaging.RemoteError``.  Must be called in the process
    that uses it (after any fork).
    """
    messaging_conf.register(conf)
    return oslo_messaging.get_rpc_transport(
        conf, url=url,
        allowed_remote_exmods=[*ALLOWED_REMOTE_EXMODS, *allowed_remote_exmods])


def get_notification_transport(conf: cfg.ConfigOpts, url: str | None = None
                               ) -> oslo_messaging.Transport:
    """A transport for notifications.

    ``url`` defaults to ``[oslo_messaging_notifications] transport_url``, then
    to ``transport_url``.  Must be called after any fork.
    """
    messaging_conf.register(conf)
    return oslo_messaging.get_notification_transport(conf, url=url)


def get_client(transport: oslo_messaging.Transport, topic: str, version: str,
               server: str | None = None, timeout: float = DEFAULT_CALL_TIMEOUT
               ) -> oslo_messaging.RPCClient:
    """A client of the RPC API ``topic`` at ``version``.

    ``server`` pins calls to one server (an agent's host); ``timeout`` is the
    default for ``call()`` and may be overridden per call with
    ``client.prepare(timeout=...)``.  ``call()`` raises
    ``oslo_messaging.MessagingTimeout`` when no answer comes in time.
    """
    target = oslo_messaging.Target(topic=topic, version=version, server=server)
    return oslo_messaging.get_rpc_client(
        transport, target, serializer=RequestContextSerializer(), timeout=timeout)


def get_server(transport: oslo_messaging.Transport, topic: str, server: str,
               endpoints: Sequence[object]) -> oslo_messaging.MessageHandlingServer:
    """An RPC server for ``topic`` on host ``server``; call ``start()`` on it.

    Each endpoint declares ``target = oslo_messaging.Target(version="X.Y")``
    and its methods take ``(ctxt, **kwargs)``, ``ctxt`` being a
    RequestContext.  Requests run on oslo.messaging's threading executor;
    ``stop()`` then ``wait()`` shuts the server down.
    """
    target = oslo_messaging.Target(topic=topic, server=server)
    return oslo_messaging.get_rpc_server(
        transport, target, list(endpoints), serializer=RequestContextSerializer())


def get_notifier(conf: cfg.ConfigOpts, transport: oslo_messaging.Transport,
                 publisher_id: str) -> oslo_messaging.Notifier:
    """An oslo.messaging Notifier publishing as ``publisher_id``.

    Drivers and topics come from ``[oslo_messaging_notifications]``; with no
    driver configured it sends nothing.  Sending blocks while the broker is
    unreachable: use :class:`stratus.notifications.Notifier` in API paths.
    """
    messaging_conf.register(conf)
    return oslo_messaging.Notifier(transport, publisher_id,
                                   serializer=RequestContextSerializer())


def get_notification_listener(transport: oslo_messaging.Transport, topics: Sequence[str],
                              endpoints: Sequence[object], pool: str | None = None
                              ) -> oslo_messaging.MessageHandlingServer:
    """A listener for notifications on ``topics`` (e.g. ``["notifications"]``).

    Endpoints define ``info(ctxt, publisher_id, event_type, payload, metadata)``
    (and ``error``, ``warn``…), ``ctxt`` being a RequestContext.  Listeners
    sharing a ``pool`` name share the messages; each pool gets every message.
    """
    targets = [oslo_messaging.Target(topic=topic) for topic in topics]
    return oslo_messaging.get_notification_listener(
        transport, targets, list(endpoints), serializer=RequestContextSerializer(),
        pool=pool)


def wait_for_broker(transport_url: str, timeout: float, ssl: bool = False) -> None:
    """Return once the broker of ``transport_url`` accepts a connection.

    Retries for up to ``timeout`` seconds (a single attempt when 0), trying
    each host of a cluster URL in turn.  In-process transports (``fake:``,
    ``kombu+memory:``) return at once; other drivers than RabbitMQ are not
    checked.

    :raises BrokerUnavailable: no host answered in time, or the broker refused
        the credentials.
    """
    url = oslo_messaging.TransportURL.parse(cfg.ConfigOpts(), transport_url)
    if url.transport in _IN_PROCESS_TRANSPORTS:
        return
    if url.transport not in _AMQP_TRANSPORTS:
        LOG.debug("Not checking broker reachability for %s transports", url.transport)
        return
    if url.query.get("ssl") in ("1", "true", "True"):
        ssl = True
    where = ", ".join(f"{host.hostname or 'localhost'}:{host.port or 5672}"
                      for host in url.hosts) or "localhost:5672"
    connection = kombu.Connection(_kombu_url(url), ssl=ssl,
                                  connect_timeout=min(max(timeout, 1.0), 5.0))
    started = time.monotonic()
    try:
        connection.ensure_connection(
            max_retries=None if timeout > 0 else 0, timeout=timeout or None,
            interval_start=0.2, interval_step=0.3, interval_max=1.0)
    except Exception as error:  # kombu, amqp and socket errors alike
        raise BrokerUnavailable(
            f"Message broker at {where} unavailable: {error} (gave up after "
            f"{time.monotonic() - started:.1f} s; is RabbitMQ running, and are "
            f"transport_url's host and credentials right?)") from error
    finally:
        connection.release()


def _kombu_url(url: oslo_messaging.TransportURL) -> str:
    """The kombu failover URL for an oslo.messaging rabbit URL (``;``-separated)."""
    vhost = url.virtual_host or ""
    hosts = url.hosts or [oslo_messaging.TransportHost(hostname="localhost")]
    return ";".join(
        "amqp://{}:{}@{}:{}/{}".format(
            parse.quote(host.username or "guest", safe=""),
            parse.quote(host.password or "guest", safe=""),
            _bracket_ipv6(host.hostname or "localhost"), host.port or 5672, vhost)
        for host in hosts)


def _bracket_ipv6(hostname: str) -> str:
    return f"[{hostname}]" if ":" in hostname else hostname
