"""Listing images: Glance's filters, sort orders and marker pagination.

Filters: ``name``, ``status``, ``disk_format``, ``container_format``, ``id``,
``owner``, ``checksum``, ``os_hash_algo``, ``os_hash_value`` (exact, or
``in:a,b``); ``size``, ``virtual_size``, ``min_disk``, ``min_ram`` (exact);
``visibility`` (public, private, shared, community, all); ``member_status``
(accepted by default, pending, rejected, all); ``tag`` (repeatable, all must
match); ``size_min``/``size_max``; ``created_at``/``updated_at`` as
``<op>:<ISO 8601>`` with op gt, gte, lt, lte, eq, neq; ``os_hidden`` (false by
default); ``protected``; any other parameter is a custom property that must
equal the value.

Order: ``sort_key``/``sort_dir`` (repeatable) or ``sort=key:dir,…``; default
``created_at`` descending; ``id`` always breaks ties, so pages never skip or
repeat an image.
"""
import dataclasses
import datetime

import sqlalchemy as sa

from image import exception, models
from image.manager import Caller
from image.manager.images import can_see
from stratus.wsgi import validation

SORT_KEYS = ("name", "status", "container_format", "disk_format", "size", "id",
             "created_at", "updated_at", "min_disk", "min_ram", "visibility", "owner",
             "virtual_size", "os_hidden", "protected")
IN_FILTERS = ("name", "status", "disk_format", "container_format", "id", "owner",
              "checksum", "os_hash_algo", "os_hash_value")
INT_FILTERS = ("size", "virtual_size", "min_disk", "min_ram")
TIME_OPS = {"gt": "__gt__", "gte": "__ge__", "lt": "__lt__", "lte": "__le__",
            "eq": "__eq__", "neq": "__ne__"}
PAGING = ("limit", "marker", "sort_key", "sort_dir", "sort")
# Nulls sort as the smallest value on every database.
_NULL_AS = {"name": "", "disk_format": "", "container_format": "", "owner": "",
            "size": -1, "virtual_size": -1}


@dataclasses.dataclass
class ListRequest:
    filters: dict
    properties: dict
    tags: list[str]
    sort: list[tuple[str, str]]
    limit: int
    marker: str | None


def parse(args, default_limit: int, max_limit: int) -> ListRequest:
    """Turn the query string (a werkzeug MultiDict) into a ListRequest; 400 on nonsense."""
    filters, properties = {}, {}
    for key in args:
        if key in PAGING or key == "tag":
            continue
        value = args.get(key)
        if key in ("size_min", "size_max", *INT_FILTERS):
            filters[key] = _int(key, value)
        elif key in ("os_hidden", "protected"):
            filters[key] = validation.parse_bool(key, value)
        elif key in ("created_at", "updated_at"):
            filters[key] = _time_filter(key, value)
        elif key == "visibility":
            if value not in (*models.VISIBILITIES, "all"):
                raise exception.BadRequest(f"Invalid visibility value: {value}")
            filters[key] = value
        elif key == "member_status":
            if value not in (*models.MEMBER_STATUSES, "all"):
                raise exception.BadRequest(f"Invalid status value: {value}")
            filters[key] = value
        elif key in IN_FILTERS:
            filters[key] = _in(value)
        else:
            properties[key] = value
    limit = _int("limit", args.get("limit", str(default_limit)))
    if limit < 0:
        raise exception.BadRequest("limit param must be positive")
    return ListRequest(filters, properties, args.getlist("tag"), _sort(args),
                       min(limit, max_limit), args.get("marker"))


def _int(key: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise exception.BadRequest(f"{key} param must be an integer")


def _in(value: str) -> list[str]:
    if value.startswith("in:"):
        return [v.strip('"') for v in value[3:].split(",")]
    return [value]


def _time_filter(key: str, value: str) -> tuple[str, datetime.datetime]:
    op, _, when = value.partition(":")
    if op not in TIME_OPS or not when:
        op, when = "eq", value
    try:
        parsed = datetime.datetime.fromisoformat(when.replace("Z", "+00:00"))
    except ValueError:
        raise exception.BadRequest(f"Unable to filter on {key}: invalid time {when!r}")
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(datetime.UTC).replace(tzinfo=None)
    return op, parsed


def _sort(args) -> list[tuple[str, str]]:
    keys, dirs = args.getlist("sort_key"), args.getlist("sort_dir")
    if args.get("sort") is not None:
        if keys or dirs:
            raise exception.BadRequest(
                "The sort param cannot be used with sort_key or sort_dir")
        pairs = []
        for item in args["sort"].split(","):
            key, _, direction = item.strip().partition(":")
            pairs.append((key, direction or "desc"))
    else:
        keys = keys or ["created_at"]
        if len(dirs) > 1 and len(dirs) != len(keys):
            raise exception.BadRequest(
                "Number of sort dirs does not match the number of sort keys")
        dirs = dirs if len(dirs) > 1 else (dirs or ["desc"]) * len(keys)
        pairs = list(zip(keys, dirs, strict=True))
    for key, direction in pairs:
        if key not in SORT_KEYS:
            raise exception.BadRequest(f"Invalid sort key: {key}. It should be one of "
                                       f"the following: {', '.join(SORT_KEYS)}.")
        if direction not in ("asc", "desc"):
            raise exception.BadRequest(
                f"Invalid sort direction: {direction}. It must be one of: asc, desc")
    if all(key != "id" for key, _ in pairs):
        pairs.append(("id", pairs[-1][1]))
    return pairs


class Listing:
    def __init__(self, db):
        self.db = db

    def list(self, caller: Caller, request: ListRequest
             ) -> tuple[list[models.Image], str | None]:
        """One page of the images ``caller`` may see, and the marker of the
        next page (None on the last one)."""
        query = sa.select(models.Image).where(*self._conditions(caller, request))
        order = [(_sort_expr(key), key, direction) for key, direction in request.sort]
        with self.db.reader() as session:
            if request.marker is not None:
                marker = session.get(models.Image, request.marker)
                if marker is None or not can_see(session, caller, marker):
                    raise exception.BadRequest(f"Invalid marker. Image {request.marker} "
                                               "could not be found.")
                query = query.where(_after(order, marker))
            query = query.order_by(*(expr.asc() if d == "asc" else expr.desc()
                                     for expr, _, d in order)).limit(request.limit)
            images = list(session.execute(query).scalars())
        following = images[-1].id if images and len(images) == request.limit else None
        return images, following

    def _conditions(self, caller: Caller, request: ListRequest) -> list:
        f = request.filters
        image = models.Image
        conditions = []
        for key in IN_FILTERS:
            if key in f:
                conditions.append(getattr(image, key).in_(f[key]))
        for key in INT_FILTERS:
            if key in f:
                conditions.append(getattr(image, key) == f[key])
        if "size_min" in f:
            conditions.append(image.size >= f["size_min"])
        if "size_max" in f:
            conditions.append(image.size <= f["size_max"])
        for key in ("created_at", "updated_at"):
            if key in f:
                op, when = f[key]
                conditions.append(getattr(getattr(image, key), TIME_OPS[op])(when))
        conditions.append(image.os_hidden == f.get("os_hidden", False))
        if "protected" in f:
            conditions.append(image.protected == f["protected"])
        for tag in request.tags:
            conditions.append(image.id.in_(sa.select(models.ImageTag.image_id).where(
                models.ImageTag.value == tag)))
        for name, value in request.properties.items():
            conditions.append(image.id.in_(sa.select(models.ImageProperty.image_id).where(
                models.ImageProperty.name == name, models.ImageProperty.value == value)))
        conditions.append(image.status != models.DELETED)
        conditions.extend(_visibility(caller, f.get("visibility"),
                                      f.get("member_status", "accepted")))
        return conditions


def _visibility(caller: Caller, visibility: str | None, member_status: str) -> list:
    image = models.Image
    mine = image.owner == caller.project_id
    membership = sa.select(models.ImageMember.image_id).where(
        models.ImageMember.member == caller.project_id)
    if member_status != "all":
        membership = membership.where(models.ImageMember.status == member_status)
    shared_with_me = sa.and_(image.visibility == "shared", image.id.in_(membership))
    conditions = []
    if visibility not in (None, "all"):
        conditions.append(image.visibility == visibility)
    if caller.is_admin:
        if visibility is None:
            conditions.append(sa.or_(image.visibility != "community", mine))
        return conditions
    seen = {
        None: sa.or_(mine, image.visibility == "public", shared_with_me),
        "all": sa.or_(mine, image.visibility.in_(("public", "community")),
                      shared_with_me),
        "public": sa.true(),
        "community": sa.true(),
        "private": mine,
        "shared": sa.or_(mine, shared_with_me),
    }[visibility]
    conditions.append(seen)
    return conditions


def _sort_expr(key: str):
    column = getattr(models.Image, key)
    if key in _NULL_AS:
        return sa.func.coalesce(column, _NULL_AS[key])
    return column


def _after(order, marker: models.Image):
    """Rows strictly after ``marker`` in ``order`` (keyset pagination)."""
    clauses = []
    for i, (expr, key, direction) in enumerate(order):
        value = getattr(marker, key)
        if value is None:
            value = _NULL_AS.get(key)
        equal_before = [e == _marker_value(marker, k) for e, k, _ in order[:i]]
        step = expr > value if direction == "asc" else expr < value
        clauses.append(sa.and_(*equal_before, step))
    return sa.or_(*clauses)


def _marker_value(marker, key):
    value = getattr(marker, key)
    return _NULL_AS.get(key) if value is None else value
