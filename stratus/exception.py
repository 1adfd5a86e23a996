"""The root of every Stratus error that reaches an API caller.

Each service defines its own subclasses (``identity.exception`` …); each
carries its HTTP status, a title and a message built from ``message_format``.
The app factory renders them into the service's OpenStack fault body, so a
handler only raises.
"""


class StratusError(Exception):
    """An expected error with an HTTP status; never logged with a traceback."""

    code = 500
    title = "Internal Server Error"
    message_format = "An unexpected error prevented the request from being fulfilled."
    headers: dict[str, str] = {}

    def __init__(self, message: str | None = None, **kwargs):
        self.kwargs = kwargs
        if message is None:
            message = self.message_format % kwargs if kwargs else self.message_format
        self.message = message
        super().__init__(message)


class BadRequest(StratusError):
    code = 400
    title = "Bad Request"
    message_format = "The request could not be understood: %(detail)s"


class ValidationError(BadRequest):
    message_format = "Invalid input for field '%(field)s': %(detail)s"


class Unauthorized(StratusError):
    code = 401
    title = "Unauthorized"
    message_format = "The request you have made requires authentication."


class Forbidden(StratusError):
    code = 403
    title = "Forbidden"
    message_format = "You are not authorized to perform the requested action: %(action)s."


class NotFound(StratusError):
    code = 404
    title = "Not Found"
    message_format = "Could not find %(target)s: %(id)s."


class MethodNotAllowed(StratusError):
    code = 405
    title = "Method Not Allowed"
    message_format = "The method is not allowed for the requested URL."


class Conflict(StratusError):
    code = 409
    title = "Conflict"
    message_format = "Conflict occurred attempting to store %(type)s - %(details)s."


class RequestTooLarge(StratusError):
    code = 413
    title = "Request Entity Too Large"
    message_format = "Request is too large."


class UnsupportedMediaType(StratusError):
    code = 415
    title = "Unsupported Media Type"
    message_format = "The request body must be %(expected)s."


class NotImplementedYet(StratusError):
    code = 501
    title = "Not Implemented"
    message_format = "The action you have requested has not been implemented."
