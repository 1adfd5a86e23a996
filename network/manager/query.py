"""Listing any resource the Neutron way: filters, sort keys, keyset pages.

The API turns a query string into a :class:`ListQuery` (see
:mod:`network.api.listing`); a manager answers it with :meth:`Listing.rows`
inside its read transaction, then builds views for the page in bulk.

* Filters: each attribute maps to accepted values (repeated query parameter =
  OR); ``None`` among them matches NULL. Attributes map to columns through
  ``columns``; anything else through ``special`` (a function from the value
  list to a SQL condition). Every resource with standard attributes also gets
  ``tags``, ``tags-any``, ``not-tags``, ``not-tags-any`` (comma-separated tag
  lists) and ``changed_since`` (ISO 8601).
* Order: the requested ``(key, ascending)`` pairs, then ``id``, so pages never
  skip or repeat a row; NULLs sort as the smallest value on every database.
* Pages: at most ``limit`` rows after ``marker`` (the id of the last row seen),
  or before it with ``page_reverse`` (rows still come back in order).

A later resource (routers, floating IPs…) builds one :class:`Listing` with its
model, its columns and its special filters, and reuses all of this.
"""
import dataclasses
import datetime
from collections.abc import Callable

import sqlalchemy as sa

from network import exception, models

TAG_FILTERS = ("tags", "tags-any", "not-tags", "not-tags-any")


@dataclasses.dataclass
class ListQuery:
    filters: dict[str, list] = dataclasses.field(default_factory=dict)
    sorts: list[tuple[str, bool]] = dataclasses.field(default_factory=list)
    limit: int | None = None
    marker: str | None = None
    page_reverse: bool = False


class Listing:
    """How one resource's rows are filtered, ordered and paged.

    ``columns`` maps API attribute names to columns of ``model``; ``special``
    maps further filter names to condition builders; ``not_found(id)`` is the
    error for an unknown marker; ``resource_type`` names the resource's tags.
    """

    def __init__(self, model, columns: dict, special: dict[str, Callable] | None = None,
                 not_found: Callable[[str], Exception] | None = None,
                 resource_type: str | None = None):
        self.model = model
        self.columns = columns
        self.special = dict(special or {})
        self.not_found = not_found or (lambda marker: exception.NotFound(
            msg=f"Marker {marker} could not be found."))
        self.resource_type = resource_type

    def rows(self, session, query: ListQuery, scope: list) -> list:
        """One page of rows matching ``scope`` (conditions) and the query."""
        stmt = sa.select(self.model).where(*scope, *self.conditions(query.filters))
        order = self._order(query.sorts, query.page_reverse)
        if query.marker:
            stmt = stmt.where(self._after(session, order, query.marker, scope))
        stmt = stmt.order_by(*(expr.asc() if asc else expr.desc() for expr, asc in order))
        if query.limit:
            stmt = stmt.limit(query.limit)
        rows = list(session.scalars(stmt))
        if query.page_reverse:
            rows.reverse()
        return rows

    def conditions(self, filters: dict[str, list]) -> list:
        conditions = []
        for name, values in filters.items():
            if name in self.special:
                conditions.append(self.special[name](values))
            elif name in TAG_FILTERS and self.resource_type:
                conditions.append(self._tag_condition(name, values))
            elif name == "changed_since":
                conditions.append(self.model.updated_at >= _parse_time(values[-1]))
            elif name in self.columns:
                conditions.append(_in(self.columns[name], values))
        return conditions

    def _tag_condition(self, name: str, values: list[str]):
        tags = sorted({tag for value in values for tag in str(value).split(",") if tag})
        tagged = sa.select(models.Tag.resource_id).where(
            models.Tag.resource_type == self.resource_type, models.Tag.tag.in_(tags))
        if name in ("tags", "not-tags"):
            tagged = tagged.group_by(models.Tag.resource_id).having(
                sa.func.count(sa.distinct(models.Tag.tag)) == len(tags))
        matches = self.model.id.in_(tagged)
        return matches if name in ("tags", "tags-any") else sa.not_(matches)

    def _order(self, sorts: list[tuple[str, bool]], reverse: bool) -> list:
        order = [(_null_safe(self.columns[key]), asc) for key, asc in sorts if key != "id"]
        id_asc = next((asc for key, asc in sorts if key == "id"), True)
        order.append((self.model.id, id_asc))
        if reverse:
            order = [(expr, not asc) for expr, asc in order]
        return order

    def _after(self, session, order: list, marker: str, scope: list):
        """Rows strictly after the marker row in ``order``."""
        exprs = [expr for expr, _ in order]
        values = session.execute(sa.select(*exprs).where(
            self.model.id == marker, *scope)).first()
        if values is None:
            raise self.not_found(marker)
        clauses = []
        for i, (expr, asc) in enumerate(order):
            equal_before = [e == values[j] for j, (e, _) in enumerate(order[:i])]
            step = expr > values[i] if asc else expr < values[i]
            clauses.append(sa.and_(*equal_before, step))
        return sa.or_(*clauses)


def _in(column, values: list):
    present = [value for value in values if value is not None]
    condition = column.in_(present) if present else sa.false()
    if len(present) < len(values):
        condition = sa.or_(condition, column.is_(None))
    return condition


def _null_safe(column):
    """``column``, with NULL as its type's smallest value when it is nullable."""
    expression = getattr(column, "expression", column)
    if not getattr(expression, "nullable", False):
        return column
    if isinstance(expression.type, sa.Integer):
        return sa.func.coalesce(column, -1)
    return sa.func.coalesce(column, "")


def _parse_time(value: str) -> datetime.datetime:
    try:
        parsed = datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise exception.InvalidInput(
            error_message=f"{value} is not a valid timestamp for changed_since")
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(datetime.UTC).replace(tzinfo=None)
    return parsed
