"""The long-running processes the agent starts (dnsmasq, metadata proxies),
found again by pid file and command line.

A process counts as running only when its pid file names a live, non-zombie
process whose command line is the expected one, so a recycled pid or a stale
pid file is never mistaken for the agent's process (and never killed).
"""
import os
import signal
import subprocess
import time
from collections.abc import Sequence

STOP_TIMEOUT = 5.0


def read_pid(pid_file: str) -> int | None:
    try:
        with open(pid_file) as source:
            text = source.read().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def command_line(pid: int) -> list[str] | None:
    """The argv of a live process, None if it is gone or a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            state = stat.read().rpartition(")")[2].split()[0]
        if state in ("Z", "X"):
            return None
        with open(f"/proc/{pid}/cmdline", "rb") as source:
            raw = source.read()
    except (OSError, IndexError):
        return None
    return [part.decode(errors="replace") for part in raw.split(b"\0")[:-1]]


def find(pid_file: str, marker: str) -> tuple[int, list[str]] | None:
    """(pid, argv) of the live process named by ``pid_file`` whose command
    line contains ``marker``, else None."""
    pid = read_pid(pid_file)
    if pid is None:
        return None
    argv = command_line(pid)
    if argv is None or not any(marker in part for part in argv):
        return None
    return pid, argv


def signal_process(pid: int, signum: int) -> bool:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        return False
    return True


def stop(pid: int, timeout: float = STOP_TIMEOUT) -> None:
    """SIGTERM, then SIGKILL if it has not exited within ``timeout``."""
    if not signal_process(pid, signal.SIGTERM):
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _reap(pid)
        if command_line(pid) is None:
            return
        time.sleep(0.02)
    signal_process(pid, signal.SIGKILL)
    _reap(pid)


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def stop_pid_file(pid_file: str, marker: str) -> None:
    found = find(pid_file, marker)
    if found:
        stop(found[0])
    try:
        os.unlink(pid_file)
    except FileNotFoundError:
        pass


class Children:
    """Processes this agent spawned itself, so their exits are reaped."""

    def __init__(self):
        self._children: list[subprocess.Popen] = []

    def add(self, child: subprocess.Popen) -> None:
        self.reap()
        self._children.append(child)

    def reap(self) -> None:
        self._children = [child for child in self._children if child.poll() is None]


def write_file(path: str, content: str, mode: int = 0o644) -> bool:
    """Atomically make ``path`` hold ``content``; False when it already did."""
    try:
        with open(path) as current:
            if current.read() == content:
                os.chmod(path, mode)
                return False
    except OSError:
        pass
    scratch = f"{path}.tmp"
    fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w") as target:
        target.write(content)
    os.chmod(scratch, mode)
    os.replace(scratch, path)
    return True


def make_dirs(path: str, mode: int = 0o755) -> None:
    os.makedirs(path, mode=mode, exist_ok=True)


def same_command(argv: Sequence[str], running: Sequence[str]) -> bool:
    return list(argv) == list(running)
