"""The benchmarks' ceiling: our app factory and server, one trivial route.

It is served exactly as a Stratus API is (``stratus.wsgi.server.serve``: gunicorn,
sync workers, the same access log) and built by ``stratus.wsgi.app.create_app``
(request ids, context, fault handlers), so the gap between its rate and a
service scenario's rate is what that service's own work costs. Started and
measured by ``loadgen.measure_ceiling``.

Usage: python benchmarks/trivial_app.py --port PORT --workers N
"""
import argparse

import flask

from stratus import config, exception
from stratus.wsgi import app as wsgi_app
from stratus.wsgi import server

BODY = {"token": {"methods": ["password"]}}


def render_fault(error: exception.StratusError) -> dict:
    return {"error": {"code": error.code, "title": error.title, "message": error.message}}


def create_app(conf) -> flask.Flask:
    """The factory's app plus ``GET /`` answering a small JSON body."""
    app = wsgi_app.create_app(conf, "trivial", render_fault)

    @app.get("/")
    def index():
        return BODY

    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, required=True)
    args = parser.parse_args(argv)
    conf = config.load(config.make_conf("benchmark-trivial"), [], config_files=[])
    conf.set_override("bind_host", "127.0.0.1", group="api")
    conf.set_override("bind_port", args.port, group="api")
    conf.set_override("workers", args.workers, group="api")
    server.serve(conf, lambda: create_app(conf))


if __name__ == "__main__":
    main()
