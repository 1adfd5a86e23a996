"""A small HTTP proxy that listens inside a network namespace and forwards
to the compute metadata service from the root namespace.

The process starts in the root namespace, enters the target namespace only
to create its listening socket, and returns: sockets keep the namespace they
were made in, so it accepts guests' connections there and connects upstream
(``metadata_url``, usually on the host's loopback) from the root namespace.
"""
import ctypes
import http.client
import logging
import os
import shutil
import socket
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from network.agent.metadata_proxy import signing

LOG = logging.getLogger(__name__)
CLONE_NEWNET = 0x40000000
NETNS_DIR = "/run/netns"
MAX_BODY = 1024 * 1024
UPSTREAM_TIMEOUT = 30.0
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
              "trailers", "transfer-encoding", "upgrade", "host", "content-length"}
DROPPED = HOP_BY_HOP | {name.lower() for name in signing.SIGNED_HEADERS}


def _setns(fd: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        error = ctypes.get_errno()
        raise OSError(error, os.strerror(error))


def listen_in_namespace(netns: str | None, address: str, port: int) -> socket.socket:
    """A listening TCP socket on address:port inside ``netns`` (None: here)."""
    if not netns:
        return _listen(address, port)
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    target = os.open(os.path.join(NETNS_DIR, netns), os.O_RDONLY)
    try:
        _setns(target)
        try:
            return _listen(address, port)
        finally:
            _setns(home)
    finally:
        os.close(target)
        os.close(home)


def _listen(address: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((address, port))
    sock.listen(128)
    return sock


class ProxyServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, sock: socket.socket, upstream: str, secret_file: str | None,
                 network_id: str | None, router_id: str | None):
        super().__init__(sock.getsockname()[:2], ProxyHandler, bind_and_activate=False)
        self.socket.close()
        self.socket = sock
        self.upstream = urllib.parse.urlsplit(upstream)
        self.secret_file = secret_file
        self.network_id = network_id
        self.router_id = router_id

    def secret(self) -> str:
        """Read per request, so a changed secret applies without a restart."""
        if not self.secret_file:
            return ""
        with open(self.secret_file) as source:
            return source.read().strip()


class ProxyHandler(BaseHTTPRequestHandler):
    server: ProxyServer
    server_version = "stratus-metadata-proxy"

    def do_GET(self) -> None:
        self._forward()

    do_HEAD = do_POST = do_PUT = do_DELETE = do_GET

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.send_error(413)
            return
        body = self.rfile.read(length) if length else None
        headers = {key: value for key, value in self.headers.items()
                   if key.lower() not in DROPPED}
        headers.update(self._identity_headers())
        try:
            response = self._request(body, headers)
        except (OSError, http.client.HTTPException) as error:
            LOG.warning("metadata service unreachable: %s", error)
            self.send_error(502, "metadata service unreachable")
            return
        self.send_response(response.status, response.reason)
        for key, value in response.getheaders():
            if key.lower() not in HOP_BY_HOP:
                self.send_header(key, value)
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            shutil.copyfileobj(response, self.wfile)

    def _identity_headers(self) -> dict[str, str]:
        client = self.client_address[0]
        server = self.server
        headers = {signing.FORWARDED_FOR: client}
        if server.network_id:
            headers[signing.NETWORK_ID] = server.network_id
        if server.router_id:
            headers[signing.ROUTER_ID] = server.router_id
        secret = server.secret()
        if secret:
            headers[signing.SIGNATURE] = signing.sign(secret, client, server.network_id,
                                                      server.router_id)
        return headers

    def _request(self, body: bytes | None, headers: dict) -> http.client.HTTPResponse:
        upstream = self.server.upstream
        kind = (http.client.HTTPSConnection if upstream.scheme == "https"
                else http.client.HTTPConnection)
        connection = kind(upstream.hostname, upstream.port, timeout=UPSTREAM_TIMEOUT)
        connection.request(self.command, upstream.path.rstrip("/") + self.path, body, headers)
        return connection.getresponse()

    def log_message(self, format: str, *args) -> None:  # the stdlib signature
        # Per request, so only at debug: a guest must not fill the log's disk.
        LOG.debug("%s %s", self.client_address[0], format % args)
