"""Building and loading a service's configuration.

Every service owns a private :class:`cfg.ConfigOpts` (so tests can build
several apps with different settings in one process) read from
``/etc/stratus/<service>.conf`` unless told otherwise.
"""
import os
from collections.abc import Callable, Sequence

from oslo_config import cfg
from oslo_log import log
from oslo_policy import opts as policy_opts

from stratus import conf as shared_conf

CONFIG_DIR = "/etc/stratus"


def make_conf(service: str, register: Callable[[cfg.ConfigOpts], None] | None = None
              ) -> cfg.ConfigOpts:
    """A fresh ConfigOpts with the shared groups, logging and ``register``'s."""
    conf = cfg.ConfigOpts()
    conf.stratus_service = service
    shared_conf.register(conf, service)
    log.register_options(conf)
    policy_opts.set_defaults(conf, policy_file=f"{service}-policy.yaml")
    if register is not None:
        register(conf)
    return conf


def load(conf: cfg.ConfigOpts, argv: Sequence[str] | None = None,
         config_files: Sequence[str] | None = None) -> cfg.ConfigOpts:
    """Parse ``argv`` and the service's config file into ``conf``.

    Without ``--config-file`` the service reads /etc/stratus/<service>.conf
    when it exists; a missing default file is not an error, so a developer
    can run a service on defaults alone.
    """
    service = conf.stratus_service
    if config_files is None:
        default = os.path.join(CONFIG_DIR, f"{service}.conf")
        config_files = [default] if os.path.exists(default) else []
    conf(list(argv or []), project="stratus", prog=f"stratus-{service}",
         default_config_files=list(config_files), validate_default_values=True)
    return conf


def setup_logging(conf: cfg.ConfigOpts) -> None:
    """Configure oslo.log: every line carries the request id of its context."""
    log.setup(conf, "stratus")


def database_url(conf: cfg.ConfigOpts) -> str:
    """The service's DB URL, defaulting to a SQLite file under state_path."""
    if conf.database.connection:
        return conf.database.connection
    path = os.path.join(conf.state_path, f"{conf.stratus_service}.sqlite")
    return f"sqlite:///{path}"
