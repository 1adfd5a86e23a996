"""``stratus-manage [--config-file F] <service> <command> …``.

Each service plugs its commands in through the ``stratus.manage`` entry point
group: a function ``register(subparsers)`` adding its sub-commands, each
with a ``func(conf, args)`` default. The service's config file is read
before the command runs.
"""
import argparse
import sys
from importlib import metadata

from stratus import config


def _services() -> dict:
    return {ep.name: ep for ep in metadata.entry_points(group="stratus.manage")}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="stratus-manage")
    parser.add_argument("--config-file", action="append", default=None,
                        help="config file (default /etc/stratus/<service>.conf)")
    services = parser.add_subparsers(dest="service", required=True)
    plugins = _services()
    for name, ep in sorted(plugins.items()):
        sub = services.add_parser(name, help=f"manage the {name} service")
        ep.load().register(sub.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    make_conf = plugins[args.service].load().make_conf
    conf = config.load(make_conf(), [], args.config_file)
    config.setup_logging(conf)
    return args.func(conf, args) or 0


if __name__ == "__main__":
    sys.exit(main())
