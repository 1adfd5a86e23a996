"""[service_auth]: the service user a service calls other services as.

keystoneauth1 owns these options: the session ones (``cafile``, ``insecure``,
``timeout``…), ``auth_type`` and ``auth_section``, and, once ``auth_type`` is
known, the plugin's own (for ``password``: ``auth_url``, ``username``,
``password``, ``user_domain_name``, ``project_name``,
``project_domain_name``…).  Example::

    [service_auth]
    auth_type = password
    auth_url = http://127.0.0.1:5000/v3
    username = compute
    password = secret
    user_domain_name = Default
    project_name = service
    project_domain_name = Default

A service may register the same options under another group name (one per
peer it talks to, say) with ``register(conf, "image_client")``.
"""
from keystoneauth1 import loading as ks_loading
from oslo_config import cfg

GROUP = "service_auth"


def register(conf: cfg.ConfigOpts, group: str = GROUP) -> None:
    """Register keystoneauth1's session and auth options under ``group``."""
    ks_loading.register_session_conf_options(conf, group)
    ks_loading.register_auth_conf_options(conf, group)


def list_opts(group: str = GROUP) -> list[tuple[str, list[cfg.Opt]]]:
    """Options for the sample config generator (shown for ``auth_type = password``)."""
    opts = (ks_loading.get_session_conf_options()
            + ks_loading.get_auth_common_conf_options()
            + ks_loading.get_auth_plugin_conf_options("password"))
    unique = {opt.dest: opt for opt in opts}
    return [(group, list(unique.values()))]
