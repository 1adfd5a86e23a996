"""Request body and query validation turns every violation into a 400."""
import flask
import pytest

from stratus import exception
from stratus.wsgi import validation

SCHEMA = {"type": "object", "properties": {"thing": {
    "type": "object", "properties": {"name": {"type": "string", "maxLength": 5}},
    "required": ["name"], "additionalProperties": False}}, "required": ["thing"]}

app = flask.Flask(__name__)


def _body(data, content_type="application/json"):
    with app.test_request_context("/", method="POST", data=data, content_type=content_type):
        return validation.json_body(SCHEMA)


def test_valid_body():
    assert _body('{"thing": {"name": "ab"}}') == {"thing": {"name": "ab"}}


@pytest.mark.parametrize("data,needle", [
    ("", "required"),
    ("{nope", "malformed"),
    ("[1]", "JSON object"),
    ('{"thing": {"name": "toolong"}}', "thing/name"),
    ('{"thing": {"name": "a", "x": 1}}', "not allowed"),
    ('{"thing": {}}', "thing"),
])
def test_bad_bodies(data, needle):
    with pytest.raises(exception.BadRequest) as error:
        _body(data)
    assert needle in error.value.message


def test_wrong_content_type():
    with pytest.raises(exception.BadRequest) as error:
        _body('{"thing": {"name": "a"}}', content_type="text/plain")
    assert "Content-Type" in error.value.message


def test_query_refuses_unknown_parameters_and_parses_booleans():
    with app.test_request_context("/?enabled=false&name=x"):
        assert validation.query(["enabled", "name"], bools=["enabled"]) == {
            "enabled": False, "name": "x"}
    with app.test_request_context("/?colour=red"), pytest.raises(exception.BadRequest):
        validation.query(["name"])
    with app.test_request_context("/?enabled=maybe"), pytest.raises(exception.BadRequest):
        validation.query(["enabled"], bools=["enabled"])
