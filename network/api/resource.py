"""The five handlers every Neutron collection has, written once.

A :class:`Controller` serves ``GET/POST /v2.0/<collection>`` and
``GET/PUT/DELETE /v2.0/<collection>/<id>`` for one
:class:`~network.api.attributes.Resource` over one manager (an attribute
of :class:`network.service.NetworkService` named after the collection)
offering::

    list(caller, query) -> [view]        get(caller, id) -> view (404 if unseen)
    create_many(caller, [item]) -> [view]
    update(caller, id, changes, revision) -> view
    delete(caller, id, revision) -> None

Views are the full (admin) resource dicts, each with a private ``_policy``
dict of the extra policy-target fields (``network:project_id``,
``shared``…); it never reaches the client.

Policy follows Neutron: ``create_<member>``, ``get_<member>``,
``update_<member>``, ``delete_<member>``, plus ``<action>_<member>:<attr>``
for each policy-guarded attribute a request sets (and its sub-attributes,
e.g. ``create_port:fixed_ips:ip_address``). A denied update or delete of a
resource the caller may not even read is 404, otherwise 403. Attributes
whose ``get_<member>:<attr>`` rule fails are left out of responses (decided
on the first item for a whole list, as Neutron does).

A later resource passes its own ``parent_target`` (for a router interface,
say) and registers the controller on its blueprint.
"""
from collections.abc import Callable

import flask

from network.api import common, listing
from network.api.attributes import Resource
from network.manager import Caller

TargetFn = Callable[[Caller, dict], dict]


def target(view: dict) -> dict:
    """The policy target of a resource view."""
    result = {"project_id": view.get("project_id"), "tenant_id": view.get("project_id")}
    result.update(view.get("_policy", {}))
    return result


def public(view: dict) -> dict:
    return {key: value for key, value in view.items() if key != "_policy"}


class Controller:
    def __init__(self, resource: Resource, parent_target: TargetFn | None = None,
                 sub_attributes: dict[str, tuple[str, ...]] | None = None):
        self.resource = resource
        self.parent_target = parent_target
        self.sub_attributes = sub_attributes or {}

    def register(self, blueprint: flask.Blueprint) -> None:
        collection = self.resource.collection
        path = f"/v2.0/{collection}"
        blueprint.add_url_rule(path, f"list_{collection}", self.index, methods=["GET"])
        blueprint.add_url_rule(path, f"create_{collection}", self.create, methods=["POST"])
        item = f"{path}/<resource_id>"
        blueprint.add_url_rule(item, f"show_{collection}", self.show, methods=["GET"])
        blueprint.add_url_rule(item, f"update_{collection}", self.update, methods=["PUT"])
        blueprint.add_url_rule(item, f"delete_{collection}", self.delete, methods=["DELETE"])

    @property
    def manager(self):
        return getattr(common.service(), self.resource.collection)

    # -- handlers ----------------------------------------------------------

    def index(self):
        conf = common.service().conf
        query = listing.parse(self.resource, flask.request.args,
                              conf.network.pagination_max_limit)
        views = self.manager.list(common.caller(), query)
        member = self.resource.member
        views = [view for view in views if common.check(f"get_{member}", target(view))]
        hidden = self._hidden(views[0]) if views else set()
        fields = listing.fields(flask.request.args)
        body = {self.resource.collection: [self._shape(view, hidden, fields)
                                           for view in views]}
        links = listing.links(self.resource.collection, views, query, common.base_url())
        if links:
            body[f"{self.resource.collection}_links"] = links
        return body

    def show(self, resource_id):
        view = self.manager.get(common.caller(), resource_id)
        if not common.check(f"get_{self.resource.member}", target(view)):
            raise self._not_found(resource_id)
        return {self.resource.member: self._shape(view, self._hidden(view),
                                                  listing.fields(flask.request.args))}

    def create(self):
        ctx = common.context()
        caller = common.caller()
        items, bulk = self.resource.create_body(common.body(), ctx.project_id, caller.is_admin)
        for item in items:
            self._authorize_create(caller, item)
        views = self.manager.create_many(caller, items)
        hidden = self._hidden(views[0])
        if bulk:
            body = {self.resource.collection: [self._shape(v, hidden) for v in views]}
        else:
            body = {self.resource.member: self._shape(views[0], hidden)}
        return body, 201

    def update(self, resource_id):
        changes = self.resource.update_body(common.body())
        caller = common.caller()
        current = self.manager.get(caller, resource_id)
        proposed = {**target(current), **_scalars(changes)}
        self._authorize_existing(f"update_{self.resource.member}", current, proposed)
        for name in changes:
            if self.resource.attributes[name].policy:
                self._authorize_attribute("update", name, changes[name], proposed)
        view = self.manager.update(caller, resource_id, changes, common.revision())
        return {self.resource.member: self._shape(view, self._hidden(view))}

    def delete(self, resource_id):
        caller = common.caller()
        current = self.manager.get(caller, resource_id)
        self._authorize_existing(f"delete_{self.resource.member}", current, target(current))
        self.manager.delete(caller, resource_id, common.revision())
        return common.no_content()

    # -- policy ------------------------------------------------------------

    def _authorize_create(self, caller: Caller, item: dict) -> None:
        proposed = {**_scalars(item), "tenant_id": item["project_id"]}
        if self.parent_target is not None:
            proposed.update(self.parent_target(caller, item))
        common.authorize(f"create_{self.resource.member}", proposed)
        for name in self.resource.explicitly_set(item):
            self._authorize_attribute("create", name, item[name], proposed)

    def _authorize_attribute(self, action: str, name: str, value, proposed: dict) -> None:
        rule = f"{action}_{self.resource.member}:{name}"
        common.authorize(rule, proposed)
        for sub in self.sub_attributes.get(name, ()):
            if isinstance(value, list) and any(isinstance(entry, dict) and sub in entry
                                               for entry in value):
                common.authorize(f"{rule}:{sub}", proposed)

    def _authorize_existing(self, action: str, view: dict, proposed: dict) -> None:
        if common.check(action, proposed):
            return
        if not common.check(f"get_{self.resource.member}", target(view)):
            raise self._not_found(view["id"])
        common.authorize(action, proposed)

    def _hidden(self, view: dict) -> set[str]:
        member = self.resource.member
        policy_target = target(view)
        return {name for name in self.resource.guarded()
                if f"get_{member}:{name}" in common.RULE_NAMES
                and not common.check(f"get_{member}:{name}", policy_target)}

    def _not_found(self, resource_id: str):
        return self.manager.not_found(resource_id)

    @staticmethod
    def _shape(view: dict, hidden: set[str], fields: list[str] | None = None) -> dict:
        shown = {key: value for key, value in view.items()
                 if key != "_policy" and key not in hidden}
        if fields:
            shown = {key: value for key, value in shown.items() if key in fields}
        return shown


def _scalars(item: dict) -> dict:
    return {key: value for key, value in item.items()
            if isinstance(value, str | int | float | bool) or value is None}
