"""``GET /v2.0/extensions`` and ``/v2.0/extensions/<alias>``: exactly the
extensions :mod:`network.extensions` says this service implements."""
import flask

from network import exception
from network import extensions as registry
from network.api import common

blueprint = flask.Blueprint("extensions", __name__)


@blueprint.get("/v2.0/extensions")
def list_extensions():
    common.context()
    return {"extensions": registry.listed()}


@blueprint.get("/v2.0/extensions/<alias>")
def show_extension(alias):
    common.context()
    if alias not in registry.EXTENSIONS:
        raise exception.ExtensionNotFound(alias=alias)
    return {"extension": registry.EXTENSIONS[alias].view()}
