"""Starting, checking and stopping metadata proxies, one per namespace.

Each proxy has a folder ``<root>/<key>/`` (``key``: ``dhcp-<network id>`` or
``router-<router id>``) with its pid file and log; the shared secret is in
``<root>/secret`` (mode 0600), never on a command line.
"""
import os
import sys
import time

from network.agent import driver, process
from network.agent.executor import Executor

START_TIMEOUT = 10.0
ROUTER_PORT = 9697  # where the router namespace redirects 169.254.169.254:80


class MetadataProxies:
    def __init__(self, executor: Executor, root: str, upstream: str, secret: str):
        self.executor = executor
        self.root = root
        self.upstream = upstream
        self.secret = secret
        self.children = process.Children()

    def _paths(self, key: str) -> tuple[str, str]:
        folder = os.path.join(self.root, key)
        return os.path.join(folder, "pid"), os.path.join(folder, "proxy.log")

    def command(self, key: str, netns: str, bind: str, port: int,
                network_id: str | None = None, router_id: str | None = None) -> list[str]:
        pid_file, _ = self._paths(key)
        argv = [sys.executable, "-m", "network.agent.metadata_proxy", "--netns", netns,
                "--bind", bind, "--port", str(port), "--upstream", self.upstream,
                "--secret-file", os.path.join(self.root, "secret"), "--pid-file", pid_file]
        if network_id:
            argv += ["--network-id", network_id]
        if router_id:
            argv += ["--router-id", router_id]
        return argv

    def ensure(self, key: str, argv: list[str]) -> None:
        """The proxy ``key`` runs with ``argv`` (restarted if dead or
        different); HostError when it cannot start."""
        process.make_dirs(os.path.join(self.root, key))
        process.write_file(os.path.join(self.root, "secret"), self.secret + "\n", mode=0o600)
        self.children.reap()
        running = self.running(key)
        if running is not None and process.same_command(argv, running[1]):
            return
        if running is not None:
            process.stop(running[0])
        pid_file, log_path = self._paths(key)
        if os.path.exists(pid_file):
            os.unlink(pid_file)
        child = self.executor.spawn(argv, log_path=log_path)
        self.children.add(child)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if process.read_pid(pid_file) == child.pid:
                return
            if child.poll() is not None:
                break
            time.sleep(0.02)
        if child.poll() is None:
            process.stop(child.pid)
        raise driver.HostError(f"metadata proxy {key} did not start: {_tail(log_path)}")

    def running(self, key: str) -> tuple[int, list[str]] | None:
        pid_file, _ = self._paths(key)
        return process.find(pid_file, pid_file)

    def stop(self, key: str) -> None:
        pid_file, _ = self._paths(key)
        process.stop_pid_file(pid_file, pid_file)
        self.children.reap()
        folder = os.path.join(self.root, key)
        if os.path.isdir(folder):
            for name in os.listdir(folder):
                os.unlink(os.path.join(folder, name))
            os.rmdir(folder)

    def keys(self) -> list[str]:
        if not os.path.isdir(self.root):
            return []
        return [name for name in os.listdir(self.root)
                if os.path.isdir(os.path.join(self.root, name))]


def _tail(path: str, size: int = 2000) -> str:
    try:
        with open(path, "rb") as source:
            source.seek(0, os.SEEK_END)
            source.seek(max(0, source.tell() - size))
            return source.read().decode(errors="replace").strip() or "(no output)"
    except OSError:
        return "(no log)"
