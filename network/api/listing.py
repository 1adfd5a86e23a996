"""Reading a list request's query string and shaping the answer, as Neutron does.

* ``fields=a&fields=b`` (or ``fields=a,b``): only those attributes are shown.
* Any attribute declared ``filter`` filters (repeated = any of the values);
  an undeclared one is 400 (``filter-validation``); an empty value matches
  the empty string (``empty-string-filtering``).
* ``sort_key``/``sort_dir``, repeatable and paired; keys must be declared
  ``sort`` (``sort-key-validation``).
* ``limit``, ``marker``, ``page_reverse``; the answer then carries
  ``<collection>_links`` with ``next`` and ``previous`` links unless the
  page is the last one in that direction (``[network] pagination_max_limit``
  caps ``limit``).
"""
import urllib.parse

import flask

from network import exception
from network.api.attributes import Resource
from network.manager.query import ListQuery

PAGING = ("fields", "sort_key", "sort_dir", "limit", "marker", "page_reverse")


def parse(resource: Resource, args, max_limit: int) -> ListQuery:
    """The :class:`ListQuery` of the request's query string."""
    filters, invalid = {}, []
    for key in args:
        if key in PAGING:
            continue
        attr = resource.attributes.get(key)
        if attr is None or not attr.filter:
            invalid.append(key)
            continue
        filters[attr.name] = [attr.parse_query(value) for value in args.getlist(key)]
    if invalid:
        raise exception.HTTPBadRequest(msg=f"{invalid} is invalid attribute for filtering")
    if "tenant_id" in filters:
        filters.setdefault("project_id", []).extend(filters.pop("tenant_id"))
    return ListQuery(filters=filters, sorts=_sorts(resource, args),
                     limit=_limit(args, max_limit), marker=args.get("marker") or None,
                     page_reverse=args.get("page_reverse", "False").lower() == "true")


def fields(args) -> list[str] | None:
    names = [name for value in args.getlist("fields") for name in value.split(",") if name]
    return names or None


def _sorts(resource: Resource, args) -> list[tuple[str, bool]]:
    keys = [key for key in args.getlist("sort_key") if key]
    dirs = [value for value in args.getlist("sort_dir") if value]
    if len(keys) != len(dirs):
        raise exception.HTTPBadRequest(msg="The number of sort_keys and sort_dirs must be same")
    absent = [key for key in keys
              if key not in resource.attributes or not resource.attributes[key].sort]
    if absent:
        raise exception.HTTPBadRequest(msg=f"{absent} is invalid attribute for sort_keys")
    wrong = [value for value in dirs if value not in ("asc", "desc")]
    if wrong:
        raise exception.HTTPBadRequest(
            msg=f"{wrong} is invalid value for sort_dirs, valid value is 'asc' and 'desc'")
    keys = ["project_id" if key == "tenant_id" else key for key in keys]
    return [(key, value == "asc") for key, value in zip(keys, dirs, strict=True)]


def _limit(args, max_limit: int) -> int | None:
    raw = args.get("limit", "0")
    try:
        limit = int(raw)
    except ValueError:
        limit = -1
    if limit < 0:
        raise exception.BadRequest(
            resource="limit", msg=f"Limit must be an integer 0 or greater and not '{raw}'")
    if max_limit > 0:
        limit = min(max_limit, limit) or max_limit
    return limit or None


def links(collection: str, items: list[dict], query: ListQuery, base_url: str) -> list[dict]:
    """Neutron's pagination links for one page of ``items``."""
    if not query.limit:
        return []
    result = []
    if not (len(items) < query.limit and not query.page_reverse):
        result.append({"rel": "next", "href": _link(base_url, items[-1:], False)})
    if not (len(items) < query.limit and query.page_reverse):
        result.append({"rel": "previous", "href": _link(base_url, items[:1], True)})
    return result


def _link(base_url: str, edge: list[dict], reverse: bool) -> str:
    params = [(key, value) for key, value in flask.request.args.items(multi=True)
              if key not in ("marker", "page_reverse")]
    if edge:
        params.append(("marker", edge[0]["id"]))
    if reverse:
        params.append(("page_reverse", "True"))
    return f"{base_url}{flask.request.path}?{urllib.parse.urlencode(params)}"
