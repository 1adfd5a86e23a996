"""The network HTTP API (Neutron v2.0).

Adding a resource (routers, floating IPs, security groups…):

1. its table in :mod:`network.models` (mix in ``Standard``) and a migration;
2. a manager in :mod:`network.manager` offering ``list/get/create_many/
   update/delete/not_found`` (see :mod:`network.api.resource`), listing
   through a :class:`network.manager.query.Listing`, counting against
   :class:`network.manager.quotas.Quotas` (add its model to ``COUNTED``),
   taggable through ``network.manager.tags.TAGGABLE``;
3. the manager on :class:`network.service.NetworkService` under the
   collection's name;
4. a blueprint module declaring its :class:`network.api.attributes.Resource`
   and registering a :class:`network.api.resource.Controller` (plus any
   actions), added to :data:`BLUEPRINTS`;
5. its rules in :mod:`network.policies` and its aliases in
   :mod:`network.extensions`.
"""
from network import exception
from network.api import (
    availability_zones,
    extensions,
    networks,
    ports,
    quotas,
    subnetpools,
    subnets,
    tags,
    versions,
)
from network.service import NetworkService
from stratus import notifications
from stratus.wsgi import app as wsgi_app
from stratus.wsgi import auth

BLUEPRINTS = (versions, extensions, networks, subnets, subnetpools, ports, tags, quotas,
              availability_zones)
PUBLIC_PATHS = ("/",)


def create_app(conf, service: NetworkService | None = None):
    """The network Flask app behind keystonemiddleware; ``service`` is built
    from ``conf`` unless given.

    Build it after any fork (gunicorn calls this in each worker): the
    notifier's transport and thread belong to the process that made them.
    """
    app = wsgi_app.create_app(conf, "network", exception.render_fault)
    if service is None:
        service = NetworkService(conf, notifications.Notifier.from_conf(conf))
    app.extensions["network"] = service
    auth.protect(app, conf, public_paths=PUBLIC_PATHS)
    for module in BLUEPRINTS:
        app.register_blueprint(module.blueprint)
    app.wsgi_app = _without_json_suffix(app.wsgi_app)
    return app


def _without_json_suffix(wsgi):
    """Serve ``/v2.0/networks.json`` as ``/v2.0/networks``, as Neutron does."""
    def middleware(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.endswith(".json"):
            environ["PATH_INFO"] = path[:-len(".json")]
        return wsgi(environ, start_response)
    return middleware
