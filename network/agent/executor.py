"""Running host commands: the one place the agent starts processes.

Commands are argument lists, never shell strings, so ids and addresses from
the API cannot become shell syntax. A failure raises ``CommandFailed``
carrying the command, its exit status and its stderr. The agent runs as
root; nothing here escalates privileges.
"""
import logging
import os
import re
import subprocess
import time
from collections.abc import Mapping, Sequence

LOG = logging.getLogger(__name__)
DEFAULT_TIMEOUT = 60.0


class CommandFailed(Exception):
    """A command exited non-zero (or could not be started, or timed out)."""

    def __init__(self, argv: Sequence[str], returncode: int | None, stderr: str,
                 stdin: str | None = None):
        self.argv = list(argv)
        self.returncode = returncode
        self.stderr = stderr
        self.stdin = stdin
        detail = stderr.strip() or "(no error output)"
        line = _failed_line(stderr, stdin)
        if line:
            detail += f" [input line: {line}]"
        super().__init__(f"{' '.join(self.argv)} failed ({returncode}): {detail}")


def _failed_line(stderr: str, stdin: str | None) -> str | None:
    """The input line a batch tool (ip -batch, iptables-restore) blamed."""
    match = re.search(r"(?:Command failed -:|line:? )(\d+)", stderr or "")
    if not match or not stdin:
        return None
    lines = stdin.splitlines()
    number = int(match.group(1))
    return lines[number - 1] if 0 < number <= len(lines) else None


class Executor:
    """Runs commands, optionally inside a network namespace.

    ``calls`` counts the processes started, for tests and benchmarks that
    check the agent batches its work.
    """

    def __init__(self, timeout: float = DEFAULT_TIMEOUT):
        self.timeout = timeout
        self.calls = 0

    def run(self, argv: Sequence[str], *, stdin: str | None = None,
            netns: str | None = None, check: bool = True,
            env: Mapping[str, str] | None = None) -> str:
        """Run ``argv`` (in ``netns`` when given) and return its stdout.

        Raises CommandFailed when it exits non-zero and ``check`` is true.
        """
        argv = self.in_namespace(argv, netns)
        self.calls += 1
        started = time.monotonic()
        try:
            result = subprocess.run(argv, input=stdin, capture_output=True, text=True,
                                    timeout=self.timeout, check=False,
                                    env=dict(env) if env is not None else None)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise CommandFailed(argv, None, str(error), stdin) from error
        LOG.debug("%s -> %s in %.1f ms", argv, result.returncode,
                  (time.monotonic() - started) * 1000)
        if check and result.returncode != 0:
            raise CommandFailed(argv, result.returncode, result.stderr, stdin)
        return result.stdout

    def spawn(self, argv: Sequence[str], *, netns: str | None = None,
              log_path: str | None = None) -> subprocess.Popen:
        """Start a long-running process in its own session and return at once.

        Its output goes to ``log_path`` (appended) or nowhere; the caller
        tracks it (``process.Supervisor``).
        """
        argv = self.in_namespace(argv, netns)
        self.calls += 1
        out = open(log_path, "ab") if log_path else subprocess.DEVNULL
        try:
            return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True,
                                    close_fds=True)
        except OSError as error:
            raise CommandFailed(argv, None, str(error)) from error
        finally:
            if log_path:
                out.close()

    @staticmethod
    def in_namespace(argv: Sequence[str], netns: str | None) -> list[str]:
        if netns is None:
            return list(argv)
        return ["ip", "netns", "exec", netns, *argv]


def which(program: str) -> str | None:
    """The path of ``program`` on PATH (plus the sbin directories), or None."""
    dirs = os.environ.get("PATH", "").split(os.pathsep) + ["/usr/sbin", "/sbin"]
    for folder in dirs:
        candidate = os.path.join(folder, program)
        if os.access(candidate, os.X_OK):
            return candidate
    return None
