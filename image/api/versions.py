"""Version discovery: ``GET /`` (300 Multiple Choices) and ``GET /versions`` (200),
Glance's document: every v2 minor version, the newest CURRENT."""
import flask

from image.api import common

blueprint = flask.Blueprint("versions", __name__)

CURRENT = 17


def _versions() -> dict:
    href = f"{common.base_url()}/v2/"
    values = [{"id": f"v2.{minor}", "status": "CURRENT" if minor == CURRENT else "SUPPORTED",
               "links": [{"rel": "self", "href": href}]}
              for minor in range(CURRENT, -1, -1)]
    return {"versions": values}


@blueprint.get("/")
def root():
    response = flask.jsonify(_versions())
    response.status_code = 300
    response.headers["Location"] = f"{common.base_url()}/v2/"
    return response


@blueprint.get("/versions")
def versions():
    return _versions()
