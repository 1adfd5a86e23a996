"""Image errors, rendered as Glance's JSON fault (webob's):
``{"message": …, "code": "404 Not Found", "title": "Not Found"}``."""
from stratus import exception
from stratus.exception import (  # noqa: F401  (re-exported: the service's one error root)
    BadRequest,
    Conflict,
    MethodNotAllowed,
    NotFound,
    RequestTooLarge,
    StratusError,
    Unauthorized,
    UnsupportedMediaType,
    ValidationError,
)


class Forbidden(exception.Forbidden):
    message_format = "You are not authorized to complete %(action)s action."


class ImageNotFound(NotFound):
    message_format = "No image found with ID %(id)s"


class MemberNotFound(NotFound):
    message_format = "%(member)s is not a member of image %(id)s"


class TagNotFound(NotFound):
    message_format = "Tag %(tag)s not found"


class ReadOnlyProperty(Forbidden):
    message_format = "Attribute '%(name)s' is read-only."


class ReservedProperty(Forbidden):
    message_format = "Attribute '%(name)s' is reserved."


class InvalidStatus(Conflict):
    """An action the image's current status does not allow."""

    message_format = "%(detail)s"


class QuotaExceeded(RequestTooLarge):
    message_format = "%(detail)s"


class LimitExceeded(RequestTooLarge):
    """More members, tags or properties than the configured limit."""

    message_format = "The request returned a 413 Request Entity Too Large. %(detail)s"


def render_fault(error: exception.StratusError) -> dict:
    return {"message": error.message, "code": f"{error.code} {error.title}",
            "title": error.title}
