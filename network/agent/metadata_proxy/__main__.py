"""``python -m network.agent.metadata_proxy``: run one metadata proxy.

Writes ``--pid-file`` once it listens, so whoever started it knows it is
serving; exits non-zero (with the reason on stderr) when it cannot listen.
"""
import argparse
import logging
import os
import signal
import sys

from network.agent.metadata_proxy import proxy


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="stratus-metadata-proxy")
    parser.add_argument("--netns", help="network namespace to listen in")
    parser.add_argument("--bind", default="169.254.169.254")
    parser.add_argument("--port", type=int, default=80)
    parser.add_argument("--upstream", required=True, help="compute metadata URL")
    parser.add_argument("--network-id")
    parser.add_argument("--router-id")
    parser.add_argument("--secret-file", help="file holding the shared secret")
    parser.add_argument("--pid-file")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(message)s")
    try:
        sock = proxy.listen_in_namespace(args.netns, args.bind, args.port)
    except OSError as error:
        print(f"cannot listen on {args.bind}:{args.port} in {args.netns}: {error}",
              file=sys.stderr)
        return 1
    server = proxy.ProxyServer(sock, args.upstream, args.secret_file, args.network_id,
                               args.router_id)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if args.pid_file:
        scratch = args.pid_file + ".tmp"
        with open(scratch, "w") as target:
            target.write(f"{os.getpid()}\n")
        os.replace(scratch, args.pid_file)
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
