"""Declarative validation of request bodies and query strings.

Schemas live beside the handlers that use them; these helpers turn every
violation into a 400 with a message naming the field.
"""
import json
from collections.abc import Iterable

import flask
import jsonschema

from stratus import exception

_validators: dict[int, jsonschema.Draft7Validator] = {}


def _validator(schema: dict) -> jsonschema.Draft7Validator:
    key = id(schema)
    validator = _validators.get(key)
    if validator is None:
        validator = jsonschema.Draft7Validator(
            schema, format_checker=jsonschema.FormatChecker())
        _validators[key] = validator
    return validator


def validate(instance, schema: dict) -> None:
    """Raise ValidationError (400) naming the first field ``instance`` gets wrong."""
    error = jsonschema.exceptions.best_match(_validator(schema).iter_errors(instance))
    if error is None:
        return
    field = "/".join(str(p) for p in error.absolute_path) or "request body"
    if error.validator == "additionalProperties":
        detail = error.message.replace("were unexpected", "are not allowed") \
                              .replace("was unexpected", "is not allowed")
    else:
        detail = error.message
    raise exception.ValidationError(field=field, detail=detail)


def json_body(schema: dict | None = None) -> dict:
    """The request's JSON object body, checked against ``schema``.

    Raises 400 for a missing, non-JSON or malformed body, or one the schema
    rejects.
    """
    request = flask.request
    raw = request.get_data(cache=True)
    if not raw:
        raise exception.BadRequest(detail="a JSON request body is required")
    mimetype = request.mimetype
    if mimetype and mimetype != "application/json" and not mimetype.endswith("+json"):
        raise exception.BadRequest(
            detail=f"the Content-Type must be application/json, not {mimetype}")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise exception.BadRequest(detail=f"malformed JSON in request body ({error})")
    if not isinstance(body, dict):
        raise exception.BadRequest(detail="the request body must be a JSON object")
    if schema is not None:
        validate(body, schema)
    return body


def query(allowed: Iterable[str], bools: Iterable[str] = ()) -> dict[str, str]:
    """The query string as a dict, refusing parameters not in ``allowed``.

    Parameters named in ``bools`` are parsed as booleans (true/false, 1/0,
    yes/no, on/off, and a bare ``?enabled`` meaning true).
    """
    args = flask.request.args
    allowed = set(allowed)
    unknown = sorted(set(args) - allowed)
    if unknown:
        raise exception.BadRequest(
            detail=f"unknown query parameter(s): {', '.join(unknown)}")
    result: dict = {key: args.get(key) for key in args}
    for key in bools:
        if key in result:
            result[key] = parse_bool(key, result[key])
    return result


_TRUE = {"", "1", "true", "yes", "on", "t", "y"}
_FALSE = {"0", "false", "no", "off", "f", "n"}


def parse_bool(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise exception.ValidationError(field=name, detail=f"'{value}' is not a boolean")
