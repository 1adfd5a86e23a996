"""Version discovery: ``GET /`` lists v2.0 (200, as Neutron), ``GET /v2.0/``
the core resources."""
import flask

from network.api import common

blueprint = flask.Blueprint("versions", __name__)

CORE = (("network", "networks"), ("subnet", "subnets"), ("subnetpool", "subnetpools"),
        ("port", "ports"))


@blueprint.get("/")
def root():
    href = f"{common.base_url()}/v2.0/"
    return {"versions": [{"id": "v2.0", "status": "CURRENT",
                          "links": [{"rel": "self", "href": href}]}]}


@blueprint.get("/v2.0")
def resources():
    base = f"{common.base_url()}/v2.0"
    return {"resources": [{"name": name, "collection": collection,
                           "links": [{"rel": "self", "href": f"{base}/{collection}"}]}
                          for name, collection in CORE]}
