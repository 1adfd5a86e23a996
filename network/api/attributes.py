"""Declaring a resource's attributes once, Neutron style, and reading request
bodies and query strings against the declaration.

Each resource module of :mod:`network.api` declares a :class:`Resource`: its
member and collection names and one :class:`Attribute` per field, saying
whether POST/PUT may set it, its default, how a value is converted and
validated (a JSON schema), whether lists may filter or sort on it, and
whether policy guards it per attribute (``create_<member>:<attr>``…).
:data:`STANDARD` adds the standard attributes every resource has.

Errors are Neutron's: an unknown attribute, one POST or PUT may not set, a
missing required one, or an invalid value is 400 ``HTTPBadRequest`` naming
it.

A later resource (a router…) declares its :class:`Resource` the same way
and gets body parsing, filters, sorting, pagination, field selection and
attribute policy from :mod:`network.api.resource` for free.
"""
import dataclasses
import datetime
from collections.abc import Callable
from typing import Any

import jsonschema

from network import exception

UNSET = object()


def to_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "1"):
        return True
    if isinstance(value, str) and value.lower() in ("false", "0"):
        return False
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise ValueError(f"'{value}' cannot be converted to boolean")


def to_int(value) -> int:
    if isinstance(value, bool):
        raise ValueError(f"'{value}' is not an integer")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(f"'{value}' is not an integer")


def to_int_or_none(value) -> int | None:
    return None if value is None or value == "" else to_int(value)


def to_time(value) -> datetime.datetime:
    try:
        parsed = datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"'{value}' is not a valid timestamp")
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(datetime.UTC).replace(tzinfo=None)
    return parsed


def string(max_length: int = 255) -> dict:
    return {"type": "string", "maxLength": max_length}


NULLABLE_STRING = {"type": ["string", "null"], "maxLength": 255}
STRING_LIST = {"type": "array", "items": {"type": "string"}}


@dataclasses.dataclass(frozen=True)
class Attribute:
    """One field of a resource.

    ``default`` is filled in on POST when the field is absent (UNSET: left
    absent, for the manager to decide); ``required`` fields must be given.
    ``convert`` turns a body or query value into the stored type, raising
    ValueError with the reason; ``schema`` then validates it. ``policy``
    makes ``<action>_<member>:<name>`` rules guard the field.
    """

    name: str
    post: bool = False
    put: bool = False
    default: Any = UNSET
    required: bool = False
    convert: Callable | None = None
    schema: dict | None = None
    filter: bool = False
    sort: bool = False
    policy: bool = False

    def parse(self, value):
        if self.convert is not None:
            try:
                value = self.convert(value)
            except ValueError as error:
                raise invalid(self.name, str(error))
        if self.schema is not None:
            error = jsonschema.exceptions.best_match(_validator(self.schema).iter_errors(value))
            if error is not None:
                raise invalid(self.name, error.message)
        return value

    def parse_query(self, value: str):
        """A filter value from the query string, converted like a body value."""
        if self.convert is None:
            return value
        try:
            return self.convert(value)
        except ValueError as error:
            raise invalid(self.name, str(error))


_validators: dict[int, jsonschema.Draft7Validator] = {}


def _validator(schema: dict) -> jsonschema.Draft7Validator:
    validator = _validators.get(id(schema))
    if validator is None:
        validator = _validators[id(schema)] = jsonschema.Draft7Validator(schema)
    return validator


def invalid(name: str, reason: str) -> exception.HTTPBadRequest:
    return exception.HTTPBadRequest(msg=f"Invalid input for {name}. Reason: {reason}.")


PROJECT = {"type": "string", "maxLength": 255}

STANDARD = (
    Attribute("id", filter=True, sort=True),
    Attribute("tenant_id", post=True, schema=PROJECT, filter=True, sort=True),
    Attribute("project_id", post=True, schema=PROJECT, filter=True, sort=True),
    Attribute("description", post=True, put=True, default="", schema=string(),
              filter=True, sort=True),
    Attribute("tags", post=True, schema={"type": "array", "items": string(),
                                         "uniqueItems": True, "maxItems": 50},
              filter=True, policy=True),
    Attribute("tags-any", filter=True),
    Attribute("not-tags", filter=True),
    Attribute("not-tags-any", filter=True),
    Attribute("created_at", filter=True, sort=True, convert=to_time),
    Attribute("updated_at", filter=True, sort=True, convert=to_time),
    Attribute("changed_since", filter=True),
    Attribute("revision_number", filter=True, sort=True, convert=to_int),
)
NAME = Attribute("name", post=True, put=True, default="", schema=string(), filter=True,
                 sort=True)


@dataclasses.dataclass
class Resource:
    """A collection of the API (``networks``) and its attributes."""

    member: str
    collection: str
    own: tuple[Attribute, ...]
    named: bool = True

    def __post_init__(self):
        attrs = ((NAME,) if self.named else ()) + STANDARD + self.own
        self.attributes = {attr.name: attr for attr in attrs}

    # -- bodies ------------------------------------------------------------

    def create_body(self, body: dict, project_id: str | None, is_admin: bool
                    ) -> tuple[list[dict], bool]:
        """The items a POST creates (one, or several for a bulk request) and
        whether it was a bulk request; each item holds the attributes given
        plus defaults, with ``project_id`` settled."""
        if isinstance(body.get(self.collection), list) and self.member not in body:
            items, bulk = body[self.collection], True
            if not items:
                raise exception.HTTPBadRequest(msg="Resources required")
        elif self.member in body:
            items, bulk = [body[self.member]], False
        else:
            raise exception.HTTPBadRequest(
                msg=f"Unable to find '{self.member}' in request body")
        return [self._create_item(item, project_id, is_admin) for item in items], bulk

    def _create_item(self, item, project_id: str | None, is_admin: bool) -> dict:
        if not isinstance(item, dict):
            raise exception.HTTPBadRequest(msg=f"Unable to find '{self.member}' in request "
                                               "body")
        self._reject_unknown(item)
        data = {}
        for name, value in item.items():
            attr = self.attributes[name]
            if not attr.post:
                raise exception.HTTPBadRequest(msg=f"Attribute '{name}' not allowed in POST")
            data[name] = attr.parse(value)
        for attr in self.attributes.values():
            if attr.post and attr.name not in data:
                if attr.required:
                    raise exception.HTTPBadRequest(
                        msg=f"Failed to parse request. Required attribute '{attr.name}' not "
                            "specified")
                if attr.default is not UNSET:
                    data[attr.name] = attr.default
        data["project_id"] = _project(data, project_id, is_admin)
        data.pop("tenant_id", None)
        return data

    def update_body(self, body: dict) -> dict:
        """The attributes a PUT changes."""
        item = body.get(self.member)
        if not isinstance(item, dict):
            raise exception.HTTPBadRequest(
                msg=f"Unable to find '{self.member}' in request body")
        self._reject_unknown(item)
        changes = {}
        for name, value in item.items():
            attr = self.attributes[name]
            if not attr.put:
                raise exception.HTTPBadRequest(msg=f"Cannot update read-only attribute {name}")
            changes[name] = attr.parse(value)
        return changes

    def _reject_unknown(self, item: dict) -> None:
        unknown = [name for name in item if name not in self.attributes]
        if unknown:
            raise exception.HTTPBadRequest(
                msg=f"Unrecognized attribute(s) '{', '.join(unknown)}'")

    def explicitly_set(self, item: dict) -> list[str]:
        """Policy-guarded attributes a create sets to other than the default."""
        names = []
        for attr in self.attributes.values():
            if attr.policy and attr.name in item:
                if attr.default is UNSET or item[attr.name] != attr.default:
                    names.append(attr.name)
        return names

    def guarded(self) -> list[str]:
        return [attr.name for attr in self.attributes.values() if attr.policy]


def _project(data: dict, project_id: str | None, is_admin: bool) -> str:
    tenant, project = data.get("tenant_id"), data.get("project_id")
    if tenant is not None and project is not None and tenant != project:
        raise exception.HTTPBadRequest(msg="'project_id' and 'tenant_id' do not match")
    requested = project if project is not None else tenant
    if requested is None:
        if not project_id:
            raise exception.HTTPBadRequest(
                msg="Running without keystone AuthN requires that project_id is specified")
        return project_id
    if requested != project_id and not is_admin:
        raise exception.HTTPBadRequest(
            msg="Specifying 'project_id' or 'tenant_id' other than the authenticated "
                "project in request requires admin privileges")
    return requested
