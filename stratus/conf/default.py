"""[DEFAULT] options that every Stratus process reads."""
import socket

from oslo_config import cfg

OPTS = [
    cfg.StrOpt("host", default=socket.gethostname(), sample_default="<hostname>",
               help="Name of this node, as other services and the operator see it "
                    "(compute/network agents register under it)."),
    cfg.StrOpt("state_path", default="/var/lib/stratus",
               help="Directory for the service's local state: SQLite databases, "
                    "caches, image and volume files."),
]


def register(conf):
    conf.register_opts(OPTS)
