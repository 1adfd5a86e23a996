"""An in-process cloud for service API tests: a real identity server over HTTP
(tokens, catalog) that any service app can sit behind keystonemiddleware.

:func:`identity_cloud` starts the identity server with two projects besides
``admin``: ``demo`` (user ``demo``, role member) and ``alt`` (user ``alt``,
role member), and the given services in the catalog (public and internal
endpoints each, to be pointed at the service's test server with
:meth:`Cloud.point`). A service's conftest wraps it in a module-scoped
fixture.
"""
import contextlib
import dataclasses
import threading
from collections.abc import Iterator

import requests
from werkzeug import serving

from tests.functional.identity.conftest import ADMIN_PASSWORD, build_identity, password_auth

PASSWORD = "secret-pass"


@dataclasses.dataclass
class Cloud:
    url: str
    projects: dict  # name -> id
    endpoints: dict  # service type -> its catalog endpoints
    identity: object = None  # the IdentityService behind url
    tokens: dict = dataclasses.field(default_factory=dict)  # user -> token

    def token(self, user: str) -> str:
        """A project-scoped token of ``user`` (one per user, reused)."""
        if user not in self.tokens:
            self.tokens[user] = self._new_token(user)
        return self.tokens[user]

    def _new_token(self, user: str) -> str:
        project = "admin" if user == "admin" else user
        password = ADMIN_PASSWORD if user == "admin" else PASSWORD
        response = requests.post(f"{self.url}/v3/auth/tokens", timeout=30, json=password_auth(
            user=user, password=password, project=project))
        assert response.status_code == 201, response.text
        return response.headers["X-Subject-Token"]

    def point(self, service_type: str, url: str) -> None:
        """Make the catalog's endpoints of ``service_type`` say ``url``."""
        for endpoint in self.endpoints[service_type]:
            self.identity.catalog.update_endpoint(endpoint.id, {"url": url})


def free_port() -> int:
    probe = serving.make_server("127.0.0.1", 0, lambda e, s: [])
    port = probe.server_port
    probe.server_close()
    return port


def serve(app, port: int | None = None):
    """Serve ``app`` on loopback in a thread; returns (url, server)."""
    server = serving.make_server("127.0.0.1", port or 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


def add_project_user(service, name: str) -> str:
    """A project ``name`` with a user ``name`` holding the member role on it."""
    project = service.resources.create_project({"name": name, "domain_id": "default"})
    user = service.users.create_user({"name": name, "domain_id": "default",
                                      "password": PASSWORD})
    member = service.roles.list_roles({"name": "member"})[0]
    service.assignments.create_grant(member.id, "user", user.id, "project", project.id)
    return project.id


@contextlib.contextmanager
def identity_cloud(tmp_path, services: dict[str, tuple[str, str]]) -> Iterator[Cloud]:
    """The identity server in ``tmp_path`` with ``services`` (type -> (name,
    initial endpoint URL), e.g. ``{"network": ("neutron", "http://127.0.0.1:9696")}``)
    in its catalog; stopped on exit."""
    from identity import api as identity_api

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    conf, service = build_identity(tmp_path, public_url=f"{url}/v3")
    projects = {"admin": service.resources.get_project_by_name("admin", "default").id}
    for name in ("demo", "alt"):
        projects[name] = add_project_user(service, name)
    endpoints = {}
    for service_type, (name, initial_url) in services.items():
        entry = service.catalog.create_service({"type": service_type, "name": name})
        endpoints[service_type] = [service.catalog.create_endpoint({
            "interface": interface, "url": initial_url, "region_id": "RegionOne",
            "service_id": entry.id}) for interface in ("public", "internal")]
    app = identity_api.create_app(conf, service)
    _, server = serve(app, port)
    try:
        yield Cloud(url, projects, endpoints, service)
    finally:
        server.shutdown()
        service.db.dispose()
