"""Version discovery: ``GET /`` (300 Multiple Choices) and ``GET /v3``."""
import flask

from identity.api import common

blueprint = flask.Blueprint("versions", __name__)

MEDIA_TYPE = "application/vnd.openstack.identity-v3+json"


def _version() -> dict:
    return {
        "id": "v3.14", "status": "stable", "updated": "2020-04-07T00:00:00Z",
        "links": [{"rel": "self", "href": f"{common.base_url()}/v3/"}],
        "media-types": [{"base": "application/json", "type": MEDIA_TYPE}],
    }


@blueprint.get("/")
def versions():
    response = flask.jsonify({"versions": {"values": [_version()]}})
    response.status_code = 300
    response.headers["Location"] = f"{common.base_url()}/v3/"
    return response


@blueprint.get("/v3")
def v3():
    return {"version": _version()}
