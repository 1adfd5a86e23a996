"""Identity errors, rendered as Keystone's ``{"error": {code, title, message}}``."""
from stratus import exception
from stratus.exception import (  # noqa: F401  (re-exported: the service's one error root)
    BadRequest,
    Conflict,
    NotFound,
    StratusError,
    ValidationError,
)


class Unauthorized(exception.Unauthorized):
    headers = {"WWW-Authenticate": 'Keystone uri="/v3"'}


class AuthFailed(Unauthorized):
    """Credentials did not check out; never says which part was wrong."""

    message_format = "The request you have made requires authentication."


class TokenNotFound(NotFound):
    message_format = "Failed to validate token"


class Forbidden(exception.Forbidden):
    pass


class ForbiddenAction(Forbidden):
    message_format = "You are not authorized to perform the requested action: %(action)s."


class EntityNotFound(NotFound):
    """``target`` is the resource name as Keystone spells it ("user", "project")."""

    message_format = "Could not find %(target)s: %(id)s."


class Duplicate(Conflict):
    message_format = "Conflict occurred attempting to store %(type)s - %(details)s."


def render_fault(error: exception.StratusError) -> dict:
    return {"error": {"code": error.code, "title": error.title, "message": error.message}}
