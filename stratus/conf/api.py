"""[api]: how a service's HTTP API is served."""
from oslo_config import cfg

GROUP = "api"

OPTS = [
    cfg.HostAddressOpt("bind_host", default="0.0.0.0",
                       help="Address the API server listens on."),
    cfg.PortOpt("bind_port",
                help="Port the API server listens on. Unset means the "
                     "service's well-known port (identity 5000, image 9292, "
                     "compute 8774, network 9696, volume 8776)."),
    cfg.IntOpt("workers", min=1,
               help="API worker processes. Unset means one per CPU."),
    cfg.IntOpt("threads", default=1, min=1,
               help="Threads per worker. 1 runs gunicorn's sync workers (fastest for "
                    "short requests); more runs gthread workers, which also keep a "
                    "worker alive through transfers longer than worker_timeout "
                    "(image data)."),
    cfg.IntOpt("worker_timeout", default=120, min=1,
               help="Seconds a sync worker may spend on one request before gunicorn "
                    "restarts it."),
    cfg.URIOpt("public_endpoint",
               help="Base URL clients use to reach this API, used in links and "
                    "version documents. Unset means the URL of the request."),
    cfg.IntOpt("max_request_body_size", default=114688, min=1,
               help="Largest JSON request body accepted, in bytes; larger ones "
                    "get 413."),
]


def register(conf):
    conf.register_opts(OPTS, group=GROUP)
