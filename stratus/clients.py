"""Calling another Stratus service's REST API, as OpenStack services do.

Two kinds of session, both keystoneauth1:

* the **service session** (:func:`get_session`), authenticated as the
  service user of ``[service_auth]``.  Build it once per process and keep it:
  its token is reused until it nears expiry, and its connection pool is
  shared.
* a **user session** (:func:`user_session`), built per request from the
  caller's :class:`~stratus.context.RequestContext` and the service session.
  It sends the caller's token (``X-Auth-Token``) and the service user's
  (``X-Service-Token``), so the called service authorizes the caller and
  knows which service acts for them (and accepts a user token that expired
  mid-operation, if configured to).

Endpoints come from the caller's own catalog when the context carries the
validated token's body (``context.token_data == {"token": {..., "catalog":
[...]}}``, keystonemiddleware's ``keystone.token_info``), else from the
service user's catalog.  The two differ only for endpoints whose URL embeds a project id;
build such calls from a context that carries its token data.
"""
from typing import Any

from keystoneauth1 import access, plugin, service_token
from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import loading as ks_loading
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import access as access_plugin
from oslo_config import cfg

from stratus.conf import service_auth as service_auth_conf

GROUP = service_auth_conf.GROUP


class ServiceAuthNotConfigured(RuntimeError):
    """The config group for the service user names no ``auth_type``."""


def load_service_auth(conf: cfg.ConfigOpts, group: str = GROUP) -> plugin.BaseAuthPlugin:
    """The service user's auth plugin, from the options of ``group``.

    :raises ServiceAuthNotConfigured: ``[group] auth_type`` is unset.
    """
    service_auth_conf.register(conf, group)
    auth = ks_loading.load_auth_from_conf_options(conf, group)
    if auth is None:
        raise ServiceAuthNotConfigured(
            f"[{group}] auth_type is not set: this service cannot call other "
            f"services (set auth_type = password, auth_url, username, ...)")
    return auth


def get_session(conf: cfg.ConfigOpts, group: str = GROUP,
                auth: plugin.BaseAuthPlugin | None = None) -> ks_session.Session:
    """A session authenticated as the service user of ``group``.

    TLS and timeout settings come from ``group``; ``auth`` defaults to
    :func:`load_service_auth`.  Nothing is sent until the first request.
    """
    service_auth_conf.register(conf, group)
    if auth is None:
        auth = load_service_auth(conf, group)
    return ks_loading.load_session_from_conf_options(conf, group, auth=auth)


def get_service_auth_plugin(user_auth: plugin.BaseAuthPlugin,
                            service_auth: plugin.BaseAuthPlugin
                            ) -> service_token.ServiceTokenAuthWrapper:
    """An auth plugin sending ``user_auth``'s token plus ``service_auth``'s as
    ``X-Service-Token``; everything else (endpoints, ids) is ``user_auth``'s."""
    return service_token.ServiceTokenAuthWrapper(user_auth=user_auth,
                                                 service_auth=service_auth)


class ContextAuth(plugin.BaseAuthPlugin):
    """The caller's token from a RequestContext; endpoints from ``catalog_auth``.

    It never re-authenticates: the token is the caller's, so a revoked or
    expired one fails as the caller's own request would.
    """

    def __init__(self, context, catalog_auth: plugin.BaseAuthPlugin):
        super().__init__()
        self.context = context
        self._catalog_auth = catalog_auth

    def get_token(self, session: ks_session.Session) -> str | None:
        return self.context.auth_token

    def get_endpoint_data(self, session: ks_session.Session, **kwargs: Any):
        return self._catalog_auth.get_endpoint_data(session, **kwargs)

    def get_endpoint(self, session: ks_session.Session, **kwargs: Any) -> str | None:
        return self._catalog_auth.get_endpoint(session, **kwargs)

    def get_api_major_version(self, session: ks_session.Session, **kwargs: Any):
        return self._catalog_auth.get_api_major_version(session, **kwargs)

    def get_all_version_data(self, session: ks_session.Session, **kwargs: Any):
        return self._catalog_auth.get_all_version_data(session, **kwargs)

    def get_user_id(self, session: ks_session.Session) -> str | None:
        return self.context.user_id

    def get_project_id(self, session: ks_session.Session) -> str | None:
        return self.context.project_id


def user_session(context, service_session: ks_session.Session) -> ks_session.Session:
    """A session acting for the caller of ``context``, vouched for by the service.

    Sends ``context.auth_token`` with the service session's token as
    ``X-Service-Token``, and shares the service session's connection pool,
    TLS settings and timeout.  Cheap: build one per request.
    """
    service_auth = service_session.auth
    user_auth = ContextAuth(context, _catalog_auth(context, service_auth))
    return ks_session.Session(
        auth=get_service_auth_plugin(user_auth, service_auth),
        session=service_session.session, verify=service_session.verify,
        cert=service_session.cert, timeout=service_session.timeout)


def endpoint_for(session: ks_session.Session, service_type: str,
                 interface: str = "public", region: str | None = None) -> str:
    """The catalog URL of ``service_type`` (``image``, ``network``…) for ``session``.

    :raises keystoneauth1.exceptions.EndpointNotFound: the catalog has none.
    """
    url = session.get_endpoint(service_type=service_type, interface=interface,
                               region_name=region)
    if not url:
        raise ks_exceptions.EndpointNotFound(
            f"No {interface} endpoint for service type {service_type!r}"
            + (f" in region {region!r}" if region else ""))
    return url


def _catalog_auth(context, service_auth: plugin.BaseAuthPlugin) -> plugin.BaseAuthPlugin:
    """The caller's catalog when the context has it, else the service user's."""
    body = _token_body(getattr(context, "token_data", None))
    if body is None or not body["token"].get("catalog"):
        return service_auth
    return access_plugin.AccessInfoPlugin(
        access.create(body=body, auth_token=context.auth_token))


def _token_body(token_data) -> dict | None:
    """``token_data`` when it is a v3 token body ``{"token": {...}}``, as
    keystonemiddleware hands the validated token over; else None."""
    if isinstance(token_data, dict) and isinstance(token_data.get("token"), dict):
        return token_data
    return None
