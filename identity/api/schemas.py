"""JSON schema pieces shared by the identity handlers' own schemas."""


def name(max_length: int = 255) -> dict:
    return {"type": "string", "minLength": 1, "maxLength": max_length,
            "pattern": r"[\S]+"}


ID = {"type": "string", "minLength": 1, "maxLength": 64, "pattern": r"^[a-zA-Z0-9_\-]+$"}
NULLABLE_ID = {"type": ["string", "null"], "minLength": 1, "maxLength": 64}
DESCRIPTION = {"type": ["string", "null"], "maxLength": 65535}
BOOLEAN = {"type": "boolean"}
TAG = {"type": "string", "minLength": 1, "maxLength": 255, "pattern": r"^[^,/]*$"}
TAGS = {"type": "array", "items": TAG, "maxItems": 80, "uniqueItems": True}
URL = {"type": "string", "minLength": 1, "maxLength": 2048}


def entity(key: str, properties: dict, required: tuple = (), extra: bool = True,
           min_properties: int = 0) -> dict:
    """Schema of a body ``{key: {...}}``; ``extra`` allows undeclared attributes,
    which Keystone keeps and returns as-is."""
    inner = {"type": "object", "properties": properties,
             "required": list(required), "additionalProperties": extra}
    if min_properties:
        inner["minProperties"] = min_properties
    return {"type": "object", "properties": {key: inner}, "required": [key],
            "additionalProperties": False}
