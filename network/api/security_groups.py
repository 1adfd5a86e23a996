"""``/v2.0/security-groups``: security groups with their rules (``security-group``,
``stateful-security-group``).

The collection's URL is hyphenated while its body keys are not
(``{"security_groups": [...]}``), as in Neutron; :func:`register` serves a
:class:`~network.api.resource.Controller` under such a URL.
"""
import flask

from network.api import attributes as attr
from network.api.attributes import Attribute
from network.api.resource import Controller

blueprint = flask.Blueprint("security_groups", __name__)


RESOURCE = attr.Resource("security_group", "security_groups", (
    Attribute("stateful", post=True, put=True, default=True, convert=attr.to_bool,
              filter=True),
    Attribute("security_group_rules"),
))


def register(controller: Controller, blueprint_: flask.Blueprint, path: str,
             updatable: bool = True) -> None:
    """Serve ``controller`` under ``/v2.0/<path>`` (PUT only if ``updatable``)."""
    collection = controller.resource.collection
    base = f"/v2.0/{path}"
    item = f"{base}/<resource_id>"
    blueprint_.add_url_rule(base, f"list_{collection}", controller.index, methods=["GET"])
    blueprint_.add_url_rule(base, f"create_{collection}", controller.create, methods=["POST"])
    blueprint_.add_url_rule(item, f"show_{collection}", controller.show, methods=["GET"])
    if updatable:
        blueprint_.add_url_rule(item, f"update_{collection}", controller.update,
                                methods=["PUT"])
    blueprint_.add_url_rule(item, f"delete_{collection}", controller.delete,
                            methods=["DELETE"])


controller = Controller(RESOURCE)
register(controller, blueprint, "security-groups")
