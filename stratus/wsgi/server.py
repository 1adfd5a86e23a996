"""Serving an API with gunicorn (a production WSGI server), configured from [api]."""
import multiprocessing
from collections.abc import Callable

from gunicorn.app.base import BaseApplication


class _Server(BaseApplication):
    def __init__(self, build_app: Callable, options: dict):
        self.build_app = build_app
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        # Runs in each worker after fork: transports, DB pools and caches are per process.
        return self.build_app()


def serve(conf, build_app: Callable) -> None:
    """Serve ``build_app()`` on [api] bind_host:bind_port with [api] workers processes."""
    workers = conf.api.workers or multiprocessing.cpu_count()
    _Server(build_app, {
        "bind": f"{conf.api.bind_host}:{conf.api.bind_port}",
        "workers": workers,
        "worker_class": "sync" if conf.api.threads == 1 else "gthread",
        "threads": conf.api.threads,
        "timeout": conf.api.worker_timeout,
        "graceful_timeout": 20,
        "keepalive": 5,
        "accesslog": "-",
        "access_log_format": '%(h)s "%(r)s" %(s)s %(b)s %(M)sms %({x-openstack-request-id}o)s',
        "proc_name": f"stratus-{conf.stratus_service}-api",
        # One control socket path per user would be shared by every API on the host.
        "control_socket_disable": True,
    }).run()
