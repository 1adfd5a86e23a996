"""The shared app factory: fault bodies, JSON errors, request ids in logs."""
import io
import logging

import pytest
from oslo_log import formatters

from stratus import config, exception
from stratus.wsgi import app as wsgi_app

RID = "req-11111111-2222-3333-4444-555555555555"


def _render(error):
    return {"fault": {"code": error.code, "message": error.message}}


@pytest.fixture
def app():
    conf = config.make_conf("testsvc")
    config.load(conf, [], [])
    app = wsgi_app.create_app(conf, "testsvc", _render)

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    @app.get("/gone")
    def gone():
        raise exception.NotFound(target="thing", id="42")

    @app.post("/echo")
    def echo():
        return {"ok": True}

    return app


def test_unexpected_error_is_a_500_fault_without_internals(app):
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    body = response.get_json()
    assert body["fault"]["code"] == 500
    assert "secret internals" not in response.get_data(as_text=True)


def test_expected_error_and_routing_errors_are_json(app):
    client = app.test_client()
    assert client.get("/gone").get_json() == {
        "fault": {"code": 404, "message": "Could not find thing: 42."}}
    assert client.get("/nowhere").get_json()["fault"]["code"] == 404
    response = client.delete("/echo")
    assert response.status_code == 405 and "POST" in response.headers["Allow"]
    big = client.post("/echo", data=b"x" * 200000, content_type="application/json")
    assert big.status_code == 413 and big.get_json()["fault"]["code"] == 413


def test_request_id_reaches_the_log_line(app):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatters.ContextFormatter(
        project="stratus", version="1", config=app.config["STRATUS_CONF"]))
    logger = logging.getLogger("stratus.wsgi.app")
    logger.addHandler(handler)
    try:
        response = app.test_client().get("/boom", headers={"X-Openstack-Request-Id": RID})
    finally:
        logger.removeHandler(handler)
    assert response.headers["X-Openstack-Request-Id"] == RID
    assert RID in stream.getvalue()
    assert "Traceback" in stream.getvalue()
