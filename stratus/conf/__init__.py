"""Option groups shared by every service, one module per group.

Each service builds its own :class:`oslo_config.cfg.ConfigOpts` with
:func:`stratus.config.make_conf`, which registers these groups and then the
service's own ones.
"""
from stratus.conf import api, database, default, messaging


def register(conf, service: str) -> None:
    """Register the shared option groups on ``conf`` for ``service``."""
    default.register(conf)
    database.register(conf, service)
    api.register(conf)
    messaging.register(conf)


def list_opts():
    return [
        (None, default.OPTS),
        (database.GROUP, database.OPTS),
        (api.GROUP, api.OPTS),
    ] + messaging.list_opts()
