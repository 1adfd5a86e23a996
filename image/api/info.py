"""``/v2/info/import`` and ``/v2/info/stores``: what this cloud offers."""
import flask

from image.api import common
from image.manager import data

blueprint = flask.Blueprint("info", __name__)


@blueprint.get("/v2/info/import")
def import_info():
    common.context()
    return {"import-methods": {"description": "Import methods available.",
                               "type": "array", "value": list(data.IMPORT_METHODS)}}


@blueprint.get("/v2/info/stores")
def stores_info():
    common.context()
    return {"stores": [{"id": "file", "description": "Local filesystem store",
                        "default": True}]}
