"""oslo.messaging options on a service's private ConfigOpts.

oslo.messaging registers most of its options on the conf it is handed, but
not all: its tracing and metrics groups exist only on the global
``cfg.CONF``, so RPC on a private conf fails with ``NoSuchOptError:
oslo_messaging_tracing`` unless they are registered here.  :func:`register`
puts every group RPC and notifications read on ``conf`` and sets Stratus's
defaults; it is idempotent, so :mod:`stratus.rpc` calls it before building a
transport.

Options that matter most:

* ``[DEFAULT] transport_url`` - the bus, ``rabbit://user:pass@host:5672/``
  (several hosts separated by commas for a cluster);
* ``[DEFAULT] control_exchange`` - the exchange every Stratus service shares;
* ``[oslo_messaging_notifications] driver`` - ``messagingv2`` to publish
  notifications; unset (the default) or ``noop`` publishes nothing;
* ``[DEFAULT] broker_wait_timeout`` - how long a starting service waits for
  the broker before exiting.
"""
from oslo_config import cfg
from oslo_messaging import opts as messaging_opts
from oslo_messaging._metrics import client as metrics_client
from oslo_messaging._tracing import client as tracing_client

DEFAULT_TRANSPORT_URL = "rabbit://guest:guest@127.0.0.1:5672/"
CONTROL_EXCHANGE = "stratus"

OPTS = [
    cfg.FloatOpt("broker_wait_timeout", default=60.0, min=0,
                 help="Seconds a starting service waits for the message broker "
                      "named by transport_url to accept a connection before it "
                      "exits with an error. A broker that is down when a "
                      "service starts would otherwise make its first RPC call "
                      "hang forever."),
]

_TRACING_GROUP = "oslo_messaging_tracing"
_METRICS_GROUP = "oslo_messaging_metrics"
# Only the rabbit driver is used; Kafka's group is left to the Kafka driver.
_SKIPPED_GROUPS = ("oslo_messaging_kafka",)


def _library_opts() -> list[tuple[str | None, list[cfg.Opt]]]:
    groups = [(group, opts) for group, opts in messaging_opts.list_opts()
              if group not in _SKIPPED_GROUPS]
    groups.append((_TRACING_GROUP, tracing_client.oslo_messaging_tracing))
    groups.append((_METRICS_GROUP, metrics_client.oslo_messaging_metrics))
    return groups


def register(conf: cfg.ConfigOpts) -> None:
    """Register oslo.messaging's groups and ours on ``conf`` (idempotent)."""
    for group, opts in _library_opts():
        conf.register_opts(opts, group=group)
    conf.register_opts(OPTS)
    conf.set_default("transport_url", DEFAULT_TRANSPORT_URL)
    conf.set_default("control_exchange", CONTROL_EXCHANGE)


def list_opts() -> list[tuple[str | None, list[cfg.Opt]]]:
    """Options for the sample config generator."""
    return [(None, OPTS)] + _library_opts()
