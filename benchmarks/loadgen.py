"""Closed-loop load generation for the benchmarks of Stratus services.

A service's benchmark (``identity_tokens.py``; image, compute... next) builds
its scenarios as :class:`Request` objects and hands each to :func:`measure`,
which warms up (discarded), then measures for a fixed period with a fixed
number of connections and returns a :class:`Result`: rate, latency
percentiles, errors, and where the CPU went.

- The client is wrk when installed (a generated Lua script: method, path,
  headers, body, expected status), else Python threads, which are
  client-bound above a few hundred req/s.
- :class:`CpuMeter` reads ``/proc``: the machine's busy share, this process's
  (and its children's, i.e. wrk's) CPU, and the CPU of the server's process
  tree, found by its listening port with :func:`listening_pid`.
- :func:`measure_ceiling` serves ``trivial_app.py`` (our app factory and
  gunicorn set-up, one trivial route) on a free port and measures it: the
  most any scenario of any service could reach.

Linux only (``/proc``). Prints progress to stderr; never asserts.
"""
import argparse
import contextlib
import dataclasses
import json
import math
import os
import shutil
import socket
import subprocess
import sys
import threading
import time

import requests

HERE = os.path.dirname(os.path.abspath(__file__))


@dataclasses.dataclass
class Request:
    """One scenario's request and the status that counts as success."""
    method: str
    path: str
    headers: dict
    body: str | None
    status: int


@dataclasses.dataclass
class Result:
    """One scenario's measured period; CPU shares in % of the whole machine."""
    scenario: str
    client: str
    ok: int
    errors: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    client_cpu_pct: float
    machine_busy_pct: float
    server_cpu_pct: float | None = None
    other_cpu_pct: float | None = None
    server_cpu_ms_per_req: float | None = None
    cpu_bound_rps: float | None = None


# -- CPU accounting ----------------------------------------------------------

class CpuMeter:
    """CPU used by a process tree, the machine and this process's children."""

    def __init__(self, server_pid: int | None):
        self.server_pid = server_pid

    def snapshot(self) -> tuple:
        return (time.perf_counter(), _machine_ticks(), _tree_ticks(self.server_pid),
                _own_cpu())

    def since(self, start: tuple, ok: int) -> dict:
        """Shares of the machine (%) over the interval, and server CPU per request.

        ``cpu_bound_rps`` is the rate the server's CPU per request would allow
        with every core to itself: the figure to read when others load the box.
        """
        wall0, (busy0, total0), tree0, own0 = start
        wall1, (busy1, total1), tree1, own1 = self.snapshot()
        cpus = os.cpu_count() or 1
        machine = 100 * (busy1 - busy0) / max(total1 - total0, 1)
        client = 100 * (own1 - own0) / (wall1 - wall0) / cpus
        out = {"machine_busy_pct": round(machine, 1), "client_cpu_pct": round(client, 1)}
        if tree0 is not None and tree1 is not None and ok:
            seconds = (tree1 - tree0) / os.sysconf("SC_CLK_TCK")
            server = 100 * seconds / (wall1 - wall0) / cpus
            out.update(server_cpu_pct=round(server, 1),
                       other_cpu_pct=round(max(0.0, machine - server - client), 1),
                       server_cpu_ms_per_req=round(1e3 * seconds / ok, 2),
                       cpu_bound_rps=round(cpus * ok / seconds, 1) if seconds else None)
        return out


def _machine_ticks() -> tuple[int, int]:
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def _tree_ticks(pid: int | None) -> int | None:
    """utime + stime of ``pid`` and its descendants, in clock ticks."""
    if pid is None:
        return None
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    stack.extend(int(c) for c in f.read().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def listening_pid(url: str) -> int | None:
    """The pid of the process tree serving a local ``url`` (its gunicorn master)."""
    port = requests.utils.urlparse(url).port or 80
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as f:
            for row in list(f)[1:]:
                cols = row.split()
                if cols[3] == "0A" and int(cols[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(f"socket:[{cols[9]}]")
    holders = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError):
            fds = os.listdir(f"/proc/{pid}/fd")
            if any(os.readlink(f"/proc/{pid}/fd/{fd}") in inodes for fd in fds):
                with open(f"/proc/{pid}/stat") as f:
                    holders[int(pid)] = int(f.read().rsplit(")", 1)[1].split()[1])
    roots = [pid for pid, parent in holders.items() if parent not in holders]
    return roots[0] if len(roots) == 1 else None


def _own_cpu() -> float:
    import resource
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


# -- clients: wrk and Python threads -------------------------------------------

def lua_string(text: str) -> str:
    escaped = "".join(c if c.isprintable() and c not in '\\"' else f"\\{ord(c):03d}"
                      for c in text)
    return f'"{escaped}"'


_LUA = """\
wrk.method = {method}
wrk.path = {path}
wrk.body = {body}
{headers}
local threads = {{}}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body)
  if status ~= {status} then bad = bad + 1 end
end
function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("bad") end
  local e = summary.errors
  io.write(string.format(
    '{{"requests":%d,"bad":%d,"socket_errors":%d,"us":%d,"p50_us":%d,"p99_us":%d}}\\n',
    summary.requests, bad, e.connect + e.read + e.write + e.timeout, summary.duration,
    latency:percentile(50), latency:percentile(99)))
end
"""


def wrk_script(request: Request, directory: str) -> str:
    headers = "\n".join(f"wrk.headers[{lua_string(k)}] = {lua_string(v)}"
                        for k, v in request.headers.items())
    path = os.path.join(directory, "scenario.lua")
    with open(path, "w") as f:
        f.write(_LUA.format(method=lua_string(request.method), path=lua_string(request.path),
                            body=lua_string(request.body) if request.body else "nil",
                            headers=headers, status=request.status))
    return path


def run_wrk(url: str, request: Request, concurrency: int, seconds: float,
            directory: str) -> dict:
    """One wrk run: ok and errors (counts), seconds, p50_ms and p99_ms."""
    script = wrk_script(request, directory)
    command = ["wrk", "-t", str(min(2, concurrency)), "-c", str(concurrency),
               "-d", f"{max(1, round(seconds))}s", "--timeout", "60s", "-s", script, url]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = [x for x in out.splitlines() if x.startswith('{"requests"')][-1]
    raw = json.loads(line)
    ok = raw["requests"] - raw["bad"]
    return {"ok": ok, "errors": raw["bad"] + raw["socket_errors"], "seconds": raw["us"] / 1e6,
            "p50_ms": raw["p50_us"] / 1e3, "p99_ms": raw["p99_us"] / 1e3}


def run_threads(url: str, request: Request, concurrency: int, seconds: float) -> dict:
    """The Python client: one keep-alive session per thread, closed loop."""
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors = [0] * concurrency
    start = threading.Barrier(concurrency + 1)
    end = [0.0]

    def worker(i: int) -> None:
        session = requests.Session()
        session.headers.update(request.headers)
        start.wait()
        while (t0 := time.perf_counter()) < end[0]:
            try:
                r = session.request(request.method, url + request.path, data=request.body,
                                    timeout=60)
                ok = r.status_code == request.status
            except requests.RequestException:
                ok = False
            if ok:
                latencies[i].append(time.perf_counter() - t0)
            else:
                errors[i] += 1

    threads = [threading.Thread(target=worker, args=(i,), daemon=True)
               for i in range(concurrency)]
    for t in threads:
        t.start()
    t0 = time.perf_counter()
    end[0] = t0 + seconds
    start.wait()
    for t in threads:
        t.join()
    ordered = sorted(x for each in latencies for x in each)
    return {"ok": len(ordered), "errors": sum(errors), "seconds": time.perf_counter() - t0,
            "p50_ms": percentile(ordered, 50) * 1e3, "p99_ms": percentile(ordered, 99) * 1e3}


def percentile(ordered: list[float], p: float) -> float:
    if not ordered:
        return float("nan")
    rank = math.ceil(p / 100 * len(ordered)) - 1
    return ordered[min(len(ordered) - 1, max(0, rank))]


def uses_wrk(args: argparse.Namespace) -> bool:
    """Whether :func:`measure` will use wrk (installed, and not ``--python-client``)."""
    return bool(shutil.which("wrk")) and not args.python_client


def measure(name: str, url: str, request: Request, args: argparse.Namespace,
            meter: CpuMeter, directory: str) -> Result:
    """Warm up, then measure one scenario.

    ``args`` carries the run's settings: ``warmup`` and ``duration`` (seconds),
    ``concurrency`` (connections) and ``python_client`` (bool). ``directory``
    is a scratch directory for wrk's script.
    """
    client = "wrk" if uses_wrk(args) else "python"

    def once(seconds: float) -> dict:
        if client == "wrk":
            return run_wrk(url, request, args.concurrency, seconds, directory)
        return run_threads(url, request, args.concurrency, seconds)

    if args.warmup > 0:
        once(args.warmup)
    before = meter.snapshot()
    raw = once(args.duration)
    cpu = meter.since(before, raw["ok"])
    result = Result(scenario=name, client=client, ok=raw["ok"], errors=raw["errors"],
                    seconds=round(raw["seconds"], 2),
                    rps=round(raw["ok"] / raw["seconds"], 1),
                    p50_ms=round(raw["p50_ms"], 2), p99_ms=round(raw["p99_ms"], 2), **cpu)
    print(f"  {name:<9} {result.rps:>9.1f} req/s  ({client})", file=sys.stderr, flush=True)
    return result


def measure_all(args: argparse.Namespace, names: list[str], reqs: dict[str, Request],
                meter: CpuMeter, directory: str) -> list[Result]:
    """:func:`measure` each of ``names`` in turn against ``args.url``."""
    return [measure(name, args.url, reqs[name], args, meter, directory) for name in names]


# -- the ceiling server --------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TrivialServer:
    """``benchmarks/trivial_app.py`` under gunicorn, as a child process."""

    def __init__(self, workers: int, log_path: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(log_path, "w")
        self.process = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "trivial_app.py"), "--port", str(self.port),
             "--workers", str(workers)], stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"trivial_app exited; see {self.log.name}")
            try:
                if requests.get(self.url + "/", timeout=2).ok:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError(f"trivial_app did not answer on {self.url}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def measure_ceiling(args: argparse.Namespace, request: Request, directory: str) -> Result:
    """Serve ``trivial_app.py`` with ``args.workers`` sync workers and measure ``request``.

    Its server CPU is that of the trivial server's own process tree.
    """
    server = TrivialServer(args.workers, os.path.join(directory, "trivial_app.log"))
    try:
        server.wait_ready()
        return measure("ceiling", server.url, request, args,
                       CpuMeter(server.process.pid), directory)
    finally:
        server.stop()


# -- reporting -------------------------------------------------------------------

def print_table(title: str, results: list[Result]) -> None:
    """One row per result: rate, latency, errors, server CPU and who used the CPU."""
    print(f"\n{title}")
    print(f"{'scenario':<10}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>7}"
          f"{'srv CPU ms/req':>15}{'CPU-bound req/s':>16}{'srv/client/other %':>20}  client")
    for r in results:
        def show(value, form):
            return "-" if value is None else format(value, form)
        shares = "/".join(show(x, ".0f") for x in (r.server_cpu_pct, r.client_cpu_pct,
                                                     r.other_cpu_pct))
        print(f"{r.scenario:<10}{r.rps:>9.1f}{r.p50_ms:>9.2f}{r.p99_ms:>9.2f}{r.errors:>7}"
              f"{show(r.server_cpu_ms_per_req, '.2f'):>15}{show(r.cpu_bound_rps, '.0f'):>16}"
              f"{shares:>20}  {r.client}")

