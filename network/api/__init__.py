"""The network HTTP API (Neutron v2.0).

Adding a resource (routers, floating IPs, security groups…):

1. its table in :mod:`network.models` (mix in ``Standard``) and a migration;
2. a manager in :mod:`network.manager` offering ``list/get/create_many/
   update/delete/not_found`` (see :mod:`network.api.resource`), listing
   through a :class:`network.manager.query.Listing`, counting against
   :class:`network.manager.quotas.Quotas` (add its model to ``COUNTED``),
   taggable through ``network.manager.tags.TAGGABLE``, and calling
   ``self.dataplane.changed(...)`` after each change the network agents
   must apply (see :mod:`network.manager.dataplane`);
3. the manager on :class:`network.service.NetworkService` under the
   collection's name (and in its list of managers given the dataplane hook);
4. a blueprint module declaring its :class:`network.api.attributes.Resource`
   and registering a :class:`network.api.resource.Controller` (plus any
   actions), added to :data:`BLUEPRINTS`;
5. its rules in :mod:`network.policies` and its aliases in
   :mod:`network.extensions`.
"""
from network import exception, plugin
from network.api import (
    agents,
    availability_zones,
    extensions,
    floating_ips,
    networks,
    ports,
    quotas,
    routers,
    security_group_rules,
    security_groups,
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
              availability_zones, security_groups, security_group_rules,
              routers, floating_ips, agents)
PUBLIC_PATHS = ("/",)


def create_app(conf, service: NetworkService | None = None):
    """The network Flask app behind keystonemiddleware; ``service`` is built
    from ``conf`` unless given.

    Build it after any fork (gunicorn calls this in each worker): the
    notifier's transport and thread belong to the process that made them.
    A service built here also serves the network agents over the bus
    (:func:`network.plugin.connect`, which does not wait for the broker;
    its connection is ``app.extensions["network_agents"]``); a ``service``
    given (tests) is left as it is.
    """
    app = wsgi_app.create_app(conf, "network", exception.render_fault)
    if service is None:
        service = NetworkService(conf, notifications.Notifier.from_conf(conf),
                                 dataplane=plugin.AgentNotifier())
        app.extensions["network_agents"] = plugin.connect(conf, service)
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
