"""The metadata proxy over loopback: it forwards, signs, and drops the
identity headers a guest might forge."""
import http.client
import http.server
import json
import socket
import threading

import pytest

from network.agent.metadata_proxy import proxy, signing


class Upstream(http.server.ThreadingHTTPServer):
    def __init__(self):
        self.seen: list[dict] = []
        super().__init__(("127.0.0.1", 0), UpstreamHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()


class UpstreamHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.reply(b"")

    def do_POST(self):
        self.reply(self.rfile.read(int(self.headers["Content-Length"])))

    def reply(self, body: bytes):
        self.server.seen.append({"method": self.command, "path": self.path, "body": body,
                                 "headers": dict(self.headers.items())})
        payload = json.dumps({"path": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


def start_proxy(upstream_url: str, secret_file: str | None, **ids) -> proxy.ProxyServer:
    sock = proxy.listen_in_namespace(None, "127.0.0.1", 0)
    server = proxy.ProxyServer(sock, upstream_url, secret_file, ids.get("network_id"),
                               ids.get("router_id"))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def upstream():
    server = Upstream()
    yield server
    server.shutdown()
    server.server_close()


def request(server: proxy.ProxyServer, method: str, path: str, body=None, headers=None):
    connection = http.client.HTTPConnection(*server.server_address[:2], timeout=10)
    connection.request(method, path, body, headers or {})
    response = connection.getresponse()
    return response.status, response.read()


def test_requests_are_forwarded_with_signed_identity(upstream, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    server = start_proxy(f"http://127.0.0.1:{upstream.server_address[1]}", str(secret),
                         router_id="router-1")
    try:
        forged = {signing.FORWARDED_FOR: "10.9.9.9", signing.NETWORK_ID: "net-x",
                  signing.SIGNATURE: "0" * 64}
        status, body = request(server, "GET", "/openstack/latest/meta_data.json?x=1",
                               headers=forged)
        assert status == 200 and json.loads(body)["path"] == "/openstack/latest/" \
                                                             "meta_data.json?x=1"
        headers = upstream.seen[-1]["headers"]
        assert headers[signing.FORWARDED_FOR] == "127.0.0.1"
        assert headers[signing.ROUTER_ID] == "router-1"
        assert signing.NETWORK_ID not in headers
        assert signing.verify("s3cret", "127.0.0.1", None, "router-1",
                              headers[signing.SIGNATURE])
        status, _ = request(server, "POST", "/openstack/latest/password", b"pw")
        assert status == 200 and upstream.seen[-1]["body"] == b"pw"
        secret.write_text("rotated\n")  # read per request: no restart needed
        request(server, "GET", "/")
        assert signing.verify("rotated", "127.0.0.1", None, "router-1",
                              upstream.seen[-1]["headers"][signing.SIGNATURE])
    finally:
        server.shutdown()
        server.server_close()


def test_without_a_secret_requests_go_unsigned(upstream):
    server = start_proxy(f"http://127.0.0.1:{upstream.server_address[1]}", None,
                         network_id="net-1")
    try:
        request(server, "GET", "/latest/meta-data/")
        headers = upstream.seen[-1]["headers"]
        assert headers[signing.NETWORK_ID] == "net-1" and signing.SIGNATURE not in headers
    finally:
        server.shutdown()
        server.server_close()


def test_an_unreachable_metadata_service_is_a_502():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = probe.getsockname()[1]
    server = start_proxy(f"http://127.0.0.1:{dead}", None, network_id="n")
    try:
        assert request(server, "GET", "/")[0] == 502
    finally:
        server.shutdown()
        server.server_close()
