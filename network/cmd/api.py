"""``stratus-network-api``: the Neutron v2.0-compatible API under gunicorn."""
import sys

from network import api
from network.manage import make_conf
from stratus import config
from stratus.wsgi import server


def main(argv: list[str] | None = None) -> None:
    conf = config.load(make_conf(), sys.argv[1:] if argv is None else argv)
    config.setup_logging(conf)
    server.serve(conf, lambda: api.create_app(conf))


if __name__ == "__main__":
    main()
