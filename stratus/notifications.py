"""Announcing state changes on the bus as oslo.messaging notifications.

A service builds one :class:`Notifier` per process (after any fork) with
:meth:`Notifier.from_conf` and calls :meth:`Notifier.emit` with the full event
type its OpenStack counterpart sends (each project names its own: Glance
``image.upload``, Neutron ``network.create.end``, Nova
``compute.instance.create.end``) or, for identity's Keystone-style audit
events, :meth:`Notifier.resource_event`::

    notifier.emit("compute.instance.create.end", {"instance_id": ...}, context=ctxt)
    # -> event "compute.instance.create.end", the payload as given
    notifier.resource_event("user", "created", user_id)
    # -> event "identity.user.created", CADF payload with resource_info=user_id

The context (who acted, under which request id) defaults to the calling
thread's current one, which every RequestContext built with ``overwrite=True``
becomes: the API's per-request context, or the context an RPC server
deserialized for the call it is running.

Guarantees:

* **Never fails the caller.**  A payload that cannot be serialized, a broker
  error, a driver error: each is logged and the notification dropped; no
  exception reaches the API call that emitted it.
* **Never blocks the caller.**  oslo.messaging's notifier blocks while the
  broker is unreachable (forever with the default ``retry = -1``), so
  notifications go into a bounded in-memory outbox that one daemon thread
  sends in order.  While the broker is down the outbox fills; once full, new
  notifications are dropped with one warning per episode.  Nothing is
  persisted: notifications still in the outbox when the process dies are lost.
* **Off unless configured.**  With ``[oslo_messaging_notifications] driver``
  unset (oslo.messaging's default) or ``noop``, the notifier does nothing at
  all: no transport, no thread.
"""
import collections
import datetime
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import oslo_messaging
from oslo_config import cfg
from oslo_context import context as oslo_context
from oslo_log import log
from oslo_serialization import jsonutils

from stratus import rpc
from stratus.conf import messaging as messaging_conf

LOG = log.getLogger(__name__)

DEFAULT_CAPACITY = 1000
PRIORITIES = ("audit", "critical", "debug", "error", "info", "sample", "warn")

CADF_EVENT_TYPE_URI = "http://schemas.dmtf.org/cloud/audit/1.0/event"
CADF_INITIATOR_TYPE_URI = "service/security/account/user"
CADF_OBSERVER_TYPE_URI = "service/security"
CADF_UNKNOWN_TYPE_URI = "unknown"
# Keystone's CADF_TYPE_MAP (pycadf taxonomy values).
CADF_TARGET_TYPE_URIS = {
    "user": "data/security/account/user",
    "group": "data/security/group",
    "project": "data/security/project",
    "domain": "data/security/domain",
    "role": "data/security/role",
    "region": "data/security/region",
    "service": "data/security/service",
    "endpoint": "data/security/endpoint",
    "policy": "data/security/policy",
    "credential": "data/security/credential",
    "application_credential": "data/security/credential",
    "role_assignment": "service/security/account/user",
}


def initiator_from_context(context, address: str | None = None,
                           agent: str | None = None) -> dict[str, Any]:
    """The CADF initiator for the caller of ``context``.

    ``address`` and ``agent`` are the client's IP and User-Agent when known
    (an API handler has them from the request).  Unknown fields are left out.
    """
    fields = {
        "id": getattr(context, "user_id", None),
        "user_id": getattr(context, "user_id", None),
        "project_id": getattr(context, "project_id", None),
        "domain_id": getattr(context, "domain_id", None),
        "request_id": getattr(context, "request_id", None),
        "global_request_id": getattr(context, "global_request_id", None),
    }
    initiator = {"typeURI": CADF_INITIATOR_TYPE_URI}
    initiator.update((key, value) for key, value in fields.items() if value)
    host = {"address": address, "agent": agent}
    initiator["host"] = {key: value for key, value in host.items() if value}
    return initiator


def cadf_payload(action: str, resource_type: str, resource_id: str,
                 initiator: dict[str, Any], observer_id: str | None = None,
                 outcome: str = "success",
                 details: dict[str, Any] | None = None) -> dict[str, Any]:
    """A CADF activity event for ``action`` (e.g. ``"created"``) on a resource.

    Shaped as Keystone's audit notifications: ``action`` becomes
    ``"<action>.<resource_type>"`` (``"created.user"``), the target's typeURI
    comes from :data:`CADF_TARGET_TYPE_URIS` (``"unknown"`` otherwise), and
    ``resource_info`` carries the resource id as in Keystone's basic format,
    so consumers of either format find it.  ``details`` adds top-level fields
    (Keystone's role assignment events carry ``role``, ``user`` or ``group``,
    ``project`` or ``domain``, ``inherited_to_projects``); it cannot replace
    the CADF ones.
    """
    payload = dict(details or {})
    payload.update({
        "typeURI": CADF_EVENT_TYPE_URI,
        "eventType": "activity",
        "id": f"openstack:{uuid.uuid4()}",
        "eventTime": datetime.datetime.now(datetime.UTC).isoformat(),
        "action": f"{action}.{resource_type}",
        "outcome": outcome,
        "initiator": initiator,
        "target": {
            "id": resource_id,
            "typeURI": CADF_TARGET_TYPE_URIS.get(resource_type, CADF_UNKNOWN_TYPE_URI),
        },
        "observer": {
            "id": observer_id or f"openstack:{uuid.uuid4()}",
            "typeURI": CADF_OBSERVER_TYPE_URI,
        },
        "resource_info": resource_id,
    })
    return payload


def publishes(conf: cfg.ConfigOpts) -> bool:
    """True when ``conf`` names a notification driver other than ``noop``."""
    messaging_conf.register(conf)
    return any(driver != "noop" for driver in conf.oslo_messaging_notifications.driver)


class Notifier:
    """Publishes one service's events without ever failing or blocking the caller.

    ``publisher`` is anything with oslo.messaging Notifier's priority methods
    (``info(ctxt, event_type, payload)``, ``error(...)``…); None makes a
    notifier that drops everything silently.
    """

    def __init__(self, service: str, publisher: Any = None, *,
                 publisher_id: str | None = None, capacity: int = DEFAULT_CAPACITY,
                 transport: oslo_messaging.Transport | None = None):
        self.service = service
        self.publisher_id = publisher_id or service
        self._publisher = publisher
        self._transport = transport
        self._outbox = _Outbox(self._deliver, capacity) if publisher is not None else None

    @classmethod
    def from_conf(cls, conf: cfg.ConfigOpts,
                  transport: oslo_messaging.Transport | None = None) -> "Notifier":
        """The notifier of ``conf``'s service, publishing as ``<service>.<host>``.

        Without ``transport`` one is built from ``conf`` (and cleaned up by
        :meth:`close`).  Call after any fork.
        """
        service = conf.stratus_service
        if not publishes(conf):
            return cls(service)
        owned = None
        if transport is None:
            transport = owned = rpc.get_notification_transport(conf)
        publisher_id = f"{service}.{conf.host}"
        publisher = rpc.get_notifier(conf, transport, publisher_id)
        return cls(service, publisher, publisher_id=publisher_id, transport=owned)

    @property
    def enabled(self) -> bool:
        """False when notifications are switched off (every call is a no-op)."""
        return self._outbox is not None

    def emit(self, event_type: str, payload: dict[str, Any] | str, *,
             context=None, priority: str = "info") -> None:
        """Queue the event ``event_type`` (sent as given, e.g. ``"image.upload"``)
        with ``payload`` (a dict as a rule; Glance's error events carry a message).

        Returns at once.  The payload and the context (default: the thread's
        current one, see the module doc) are copied now, so the caller may
        change them afterwards; the context goes on the bus without its token.
        ``priority`` is one of :data:`PRIORITIES`; anything else is a
        programming error (``ValueError``).
        """
        if priority not in PRIORITIES:
            raise ValueError(f"Unknown notification priority {priority!r}")
        if self._outbox is None:
            return
        try:
            message = (priority, _snapshot(_current(context)), event_type,
                       jsonutils.to_primitive(payload, convert_instances=True))
        except Exception:
            LOG.exception("Dropping notification %s: payload not serializable", event_type)
            return
        self._outbox.put(message)

    def resource_event(self, resource_type: str, action: str, resource_id: str, *,
                       context=None, initiator: dict[str, Any] | None = None,
                       details: dict[str, Any] | None = None,
                       outcome: str = "success") -> None:
        """Announce that ``action`` (``created``, ``updated``, ``deleted``,
        ``disabled``…) happened to a resource, Keystone style.

        Sends ``<service>.<resource_type>.<action>`` with a :func:`cadf_payload`
        (which includes Keystone's basic ``resource_info``).  ``initiator``
        defaults to :func:`initiator_from_context` of ``context`` (default:
        the thread's current one) without client address.
        """
        if self._outbox is None:
            return
        context = _current(context)
        if initiator is None:
            initiator = initiator_from_context(context)
        payload = cadf_payload(action, resource_type, resource_id, initiator,
                               observer_id=self.publisher_id, outcome=outcome,
                               details=details)
        self.emit(f"{self.service}.{resource_type}.{action}", payload, context=context)

    def flush(self, timeout: float) -> bool:
        """Wait up to ``timeout`` s until every queued notification was handed
        to the bus (or dropped); True if the outbox emptied in time."""
        return True if self._outbox is None else self._outbox.flush(timeout)

    def close(self, timeout: float = 5.0) -> bool:
        """Flush for up to ``timeout`` s, stop the sender and release the
        transport this notifier built; True if nothing was left unsent.

        Later calls to :meth:`emit` are dropped.
        """
        drained = True if self._outbox is None else self._outbox.close(timeout)
        if self._transport is not None and drained:
            self._transport.cleanup()
            self._transport = None
        return drained

    def _deliver(self, message: tuple) -> None:
        priority, ctxt, event_type, payload = message
        getattr(self._publisher, priority)(ctxt, event_type, payload)


def _current(context):
    """``context``, or the calling thread's current RequestContext (or None)."""
    return context if context is not None else oslo_context.get_current()


def _snapshot(context):
    """A copy of ``context`` without secrets, frozen at emit time."""
    if context is None or isinstance(context, dict):
        return context
    return context.redacted_copy(overwrite=False)


class _Outbox:
    """A bounded FIFO drained in order by one daemon thread, started on first use."""

    def __init__(self, deliver: Callable[[Any], None], capacity: int):
        self._deliver = deliver
        self._capacity = capacity
        self._items: collections.deque = collections.deque()
        self._pending = 0  # queued plus being delivered
        self._dropped = 0  # since the outbox last had room
        self._closed = False
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def put(self, item: Any) -> bool:
        """Queue ``item``; False (and a warning per episode) when full or closed."""
        with self._cond:
            if self._closed:
                return False
            if len(self._items) >= self._capacity:
                self._dropped += 1
                if self._dropped == 1:
                    LOG.warning("Notification outbox full (%d waiting; is the message "
                                "broker reachable?): dropping notifications",
                                len(self._items))
                return False
            if self._dropped:
                LOG.warning("Dropped %d notifications while the outbox was full",
                            self._dropped)
                self._dropped = 0
            self._items.append(item)
            self._pending += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, daemon=True,
                                                name="notification-sender")
                self._thread.start()
            self._cond.notify_all()
            return True

    def flush(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._pending:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True

    def close(self, timeout: float) -> bool:
        drained = self.flush(timeout)
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        return drained

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._items and not self._closed:
                    self._cond.wait()
                if not self._items:
                    return
                item = self._items.popleft()
            try:
                self._deliver(item)
            except Exception:
                LOG.exception("Failed to send a notification; dropped")
            with self._cond:
                self._pending -= 1
                self._cond.notify_all()
