"""Streaming a large image through a running Stratus image service, next to dd.

One image of ``--size`` random bytes goes up (``PUT /v2/images/{id}/file``)
and comes back down (``GET``) through the public API, while the resident
memory (RSS) of the service's processes — its gunicorn master and workers,
found by the listening port — is sampled every 0.1 s. The disk's own
sequential throughput is measured first with dd, on the same file system.

Steps, in order:
  1. generate the source file in ``--dir`` (random, hashed while written)
  2. dd write: the source (in the page cache) to a new file, conv=fdatasync
  3. drop the page cache (``sync; echo 3 > /proc/sys/vm/drop_caches``: needs
     root), then dd read: the source to /dev/null, cold; this also brings the
     source back into the cache, so the upload reads it from memory
  4. upload: create the image (raw/bare) and stream the source as its data;
     the store writes and fsyncs, as dd write did
  5. drop the page cache again, then download: the service reads the stored
     data cold, as dd read did, and the client discards it, as dd read
     writes to /dev/null. With ``--write-download`` the client writes it to
     a file instead (in memory, /dev/shm, when it has room, so that its
     writes do not compete with the service's reads for the disk under test)
  6. check: ``os_hash_value`` (sha512), ``checksum`` (md5), ``Content-MD5``
     and ``size`` match the source, and the downloaded data is bit-identical
     (without ``--write-download``, fetched again for that, untimed)
  7. delete the image and the files

Targets (issue 3): the worker serving each transfer stays under 200 MiB RSS,
and each transfer reaches 80% of dd's figure for the same direction (upload
vs dd write, download vs dd read). MB/s are 10^6 bytes per second, as dd
prints them; memory is in MiB. Prints figures; never asserts.

  python benchmarks/image_stream.py --url http://127.0.0.1:9292
  python benchmarks/image_stream.py --size 512MiB --chunked --json
"""
import argparse
import contextlib
import dataclasses
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import identity_tokens  # benchmarks/: a script's directory is on sys.path (README)
import loadgen
import psutil
import requests

MiB = 1024 ** 2
RSS_TARGET_MIB = 200
THROUGHPUT_TARGET = 0.8
SAMPLE_SECONDS = 0.1
CHUNK = 1 * MiB  # client-side read/write size; the server uses its [image] chunk_size
DEFAULT_DIR_PARENT = "/var/lib/stratus"  # devstack's state_path: where the store lives
SHM = "/dev/shm"  # memory: the downloaded file's writes stay off the disk under test
UNITS = {"": 1, "k": 1000, "m": 1000 ** 2, "g": 1000 ** 3, "t": 1000 ** 4,
         "ki": 1024, "mi": MiB, "gi": 1024 ** 3, "ti": 1024 ** 4}


# -- sampling the service -------------------------------------------------------------

@dataclasses.dataclass
class ServiceUse:
    """Memory (RSS, MiB) and CPU time of the service's processes during one
    transfer. ``worker`` is the process that served it: the one that used the
    most CPU time meanwhile."""
    worker_pid: int | None = None
    worker_cpu_s: float = 0.0
    worker_before_mib: float = 0.0
    worker_peak_mib: float = 0.0
    total_before_mib: float = 0.0
    total_peak_mib: float = 0.0
    processes: int = 0
    samples: int = 0
    data_path: str | None = None  # the file the worker had open for the image


class RssSampler:
    """Samples the RSS of a process and its children every SAMPLE_SECONDS in a
    thread, from ``start()`` to ``stop()``; workers that appear meanwhile
    (a respawn) are included."""

    def __init__(self, master_pid: int, watch: str = ""):
        self.master = psutil.Process(master_pid)
        self.watch = watch  # a name whose open file to report (the image id)
        self.first: dict[int, tuple[float, float]] = {}  # pid -> (rss MiB, cpu s)
        self.last: dict[int, tuple[float, float]] = {}
        self.peak: dict[int, float] = {}
        self.total_peak = 0.0
        self.samples = 0
        self.data_path: str | None = None
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> "RssSampler":
        self._sample()
        self._thread.start()
        return self

    def stop(self) -> ServiceUse:
        self._done.set()
        self._thread.join()
        self._sample()
        cpu = {pid: self.last[pid][1] - self.first[pid][1] for pid in self.last}
        children = [pid for pid in cpu if pid != self.master.pid]
        worker = max(children, key=cpu.get) if children else None
        return ServiceUse(
            worker_pid=worker, worker_cpu_s=round(cpu[worker], 2) if worker else 0.0,
            worker_before_mib=round(self.first[worker][0], 1) if worker else 0.0,
            worker_peak_mib=round(self.peak[worker], 1) if worker else 0.0,
            total_before_mib=round(sum(rss for rss, _ in self.first.values()), 1),
            total_peak_mib=round(self.total_peak, 1), processes=len(self.peak),
            samples=self.samples, data_path=self.data_path)

    def _run(self) -> None:
        while not self._done.wait(SAMPLE_SECONDS):
            self._sample()

    def _sample(self) -> None:
        total = 0.0
        with contextlib.suppress(psutil.Error):
            processes = [self.master, *self.master.children(recursive=True)]
            for process in processes:
                with contextlib.suppress(psutil.Error):
                    with process.oneshot():
                        rss = process.memory_info().rss / MiB
                        times = process.cpu_times()
                    reading = (rss, times.user + times.system)
                    self.first.setdefault(process.pid, reading)
                    self.last[process.pid] = reading
                    self.peak[process.pid] = max(self.peak.get(process.pid, 0.0), rss)
                    total += rss
                    if self.watch and self.data_path is None:
                        self.data_path = _open_file_named(process.pid, self.watch)
        self.total_peak = max(self.total_peak, total)
        self.samples += 1


def _open_file_named(pid: int, part: str) -> str | None:
    with contextlib.suppress(OSError):
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if part in os.path.basename(target):
                    return target
    return None


# -- the disk: dd and the page cache ----------------------------------------------

def drop_caches() -> bool:
    """Write back dirty pages and empty the page cache; False without permission."""
    os.sync()
    try:
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
    except OSError:
        return False
    return True


def dd(source: str, target: str, flags: tuple[str, ...] = ()) -> dict:
    """One dd run with 1 MiB blocks: bytes, seconds and MB/s, as dd reports them."""
    command = ["dd", f"if={source}", f"of={target}", "bs=1M", *flags]
    out = subprocess.run(command, capture_output=True, text=True, check=True,
                         env={**os.environ, "LC_ALL": "C"}).stderr
    match = re.search(r"^(\d+) bytes .* copied, ([\d.,]+) s", out, re.M)
    if match is None:
        raise RuntimeError(f"unexpected dd output: {out!r}")
    size, seconds = int(match[1]), float(match[2].replace(",", "."))
    return {"command": " ".join(command), "bytes": size, "seconds": round(seconds, 2),
            "mb_s": round(size / seconds / 1e6, 1)}


@dataclasses.dataclass
class Source:
    path: str
    size: int
    sha512: str
    md5: str
    md5_mb_s: float  # md5 on one core, in this process
    sha512_mb_s: float  # sha512 on one core

    @property
    def hash_mb_s(self) -> float:
        """Both hashes one after the other on one core."""
        return round(1 / (1 / self.md5_mb_s + 1 / self.sha512_mb_s), 1)

    @property
    def two_core_mb_s(self) -> float:
        """Both hashes spread over two cores that do nothing else: the most an
        upload can reach on a 2-core machine."""
        return round(2 * self.hash_mb_s, 1)


def make_source(path: str, size: int) -> Source:
    """``size`` random bytes in ``path``, fsynced, hashed as they are written."""
    sha512, md5 = hashlib.sha512(), hashlib.md5(usedforsecurity=False)
    seconds = {"md5": 0.0, "sha512": 0.0}
    with open(path, "wb") as f:
        left = size
        while left:
            chunk = os.urandom(min(CHUNK, left))
            for name, hash_object in (("md5", md5), ("sha512", sha512)):
                t0 = time.perf_counter()
                hash_object.update(chunk)
                seconds[name] += time.perf_counter() - t0
            f.write(chunk)
            left -= len(chunk)
        f.flush()
        os.fsync(f.fileno())
    return Source(path, size, sha512.hexdigest(), md5.hexdigest(),
                  round(size / seconds["md5"] / 1e6, 1),
                  round(size / seconds["sha512"] / 1e6, 1))


# -- the image API -------------------------------------------------------------------

class ImageApi:
    """The few image calls the benchmark makes, with the admin's token."""

    def __init__(self, url: str, token: str):
        self.url = url.rstrip("/")
        self.session = requests.Session()
        self.session.headers["X-Auth-Token"] = token

    def create(self, name: str) -> str:
        r = self.session.post(f"{self.url}/v2/images", timeout=60, json={
            "name": name, "disk_format": "raw", "container_format": "bare"})
        r.raise_for_status()
        return r.json()["id"]

    def show(self, image_id: str) -> dict:
        r = self.session.get(f"{self.url}/v2/images/{image_id}", timeout=60)
        r.raise_for_status()
        return r.json()

    def delete(self, image_id: str) -> None:
        r = self.session.delete(f"{self.url}/v2/images/{image_id}", timeout=60)
        if r.status_code not in (204, 404):
            r.raise_for_status()

    def upload(self, image_id: str, path: str, chunked: bool) -> None:
        """Stream the file: with Content-Length (a file object, as openstacksdk
        sends it) or ``Transfer-Encoding: chunked`` (a generator, as
        python-glanceclient sends it)."""
        headers = {"Content-Type": "application/octet-stream"}
        with open(path, "rb") as f:
            body = iter(lambda: f.read(CHUNK), b"") if chunked else f
            r = self.session.put(f"{self.url}/v2/images/{image_id}/file", data=body,
                                 headers=headers, timeout=(60, 3600))
        r.raise_for_status()

    def download(self, image_id: str, path: str | None) -> dict:
        """Stream the image's data into ``path`` (None: discard it); returns the
        response headers and the bytes received."""
        received = 0
        with self.session.get(f"{self.url}/v2/images/{image_id}/file", stream=True,
                              timeout=(60, 3600)) as r:
            r.raise_for_status()
            with open(path or os.devnull, "wb") as f:
                for chunk in r.iter_content(CHUNK):
                    received += len(chunk)
                    if path is not None:
                        f.write(chunk)
            return {"headers": dict(r.headers), "received": received}


def admin_token(args: argparse.Namespace) -> str:
    identity = identity_tokens.Api(re.sub(r"/v3/?$", "", args.auth_url.rstrip("/")))
    return identity.password_token(args.admin_user, args.admin_password,
                                   args.admin_project)[0]


# -- one transfer ---------------------------------------------------------------------

def timed_transfer(name: str, master_pid: int | None, watch: str, run) -> dict:
    """Run ``run()`` while sampling the service's memory and CPU; its figures."""
    sampler = RssSampler(master_pid, watch).start() if master_pid else None
    meter = loadgen.CpuMeter(master_pid)
    before = meter.snapshot()
    t0 = time.perf_counter()
    try:
        extra = run() or {}
    finally:
        seconds = time.perf_counter() - t0
        service = sampler.stop() if sampler else None
    cpu = meter.since(before, 1)
    print(f"  {name}: {seconds:.1f} s", file=sys.stderr, flush=True)
    return {"seconds": round(seconds, 2), "service": service, **extra,
            **{k: cpu.get(k) for k in ("server_cpu_pct", "client_cpu_pct",
                                      "other_cpu_pct", "machine_busy_pct")}}


def verify(source: Source, image: dict, headers: dict, downloaded: str) -> list[str]:
    """What does not match between the source, the image record, the download
    headers and the downloaded file (empty: all good)."""
    problems = []
    expected = {"size": source.size, "os_hash_algo": "sha512",
                "os_hash_value": source.sha512, "checksum": source.md5, "status": "active"}
    for key, value in expected.items():
        if image.get(key) != value:
            problems.append(f"image {key} is {image.get(key)!r}, expected {value!r}")
    if headers.get("Content-MD5") != source.md5:
        problems.append(f"Content-MD5 header is {headers.get('Content-MD5')!r}")
    sha512 = hashlib.sha512()
    with open(source.path, "rb") as a, open(downloaded, "rb") as b:
        offset = 0
        while True:
            x, y = a.read(CHUNK), b.read(CHUNK)
            sha512.update(y)
            if x != y:
                problems.append(f"downloaded file differs from the source at byte "
                                f"{offset} or after")
                break
            if not x:
                break
            offset += len(x)
    if sha512.hexdigest() != source.sha512 and not problems:
        problems.append("sha512 of the downloaded file differs from the source's")
    return problems


# -- the run ---------------------------------------------------------------------------

def run(args: argparse.Namespace, directory: str, download_to: str,
        notes: list[str]) -> dict:
    """Every step of the module docstring; the figures."""
    master = args.server_pid or loadgen.listening_pid(args.url)
    if master is None:
        notes.append("the service's processes were not found (not local? pass "
                     "--server-pid): no memory or server CPU figures.")
    print(f"  generating {args.size / 1e9:.2f} GB of random data", file=sys.stderr)
    source = make_source(os.path.join(directory, "source.img"), args.size)
    disk = measure_disk(source, directory, notes)
    api = ImageApi(args.url, admin_token(args))
    image_id = api.create(f"image-stream-bench-{os.getpid()}")
    data: dict = {"image_id": image_id, "disk": disk, "hash_mb_s": source.hash_mb_s,
                  "md5_mb_s": source.md5_mb_s, "sha512_mb_s": source.sha512_mb_s,
                  "two_core_hash_mb_s": source.two_core_mb_s}
    downloaded = os.path.join(download_to, "downloaded.img")
    try:
        data["upload"] = timed_transfer(
            "upload", master, image_id, lambda: api.upload(image_id, source.path, args.chunked))
        image = api.show(image_id)
        drop_caches()
        data["download"] = timed_transfer(
            "download", master, image_id,
            lambda: api.download(image_id, downloaded if args.write_download else None))
        headers = data["download"].pop("headers")
        data["problems"] = [] if data["download"]["received"] == source.size else [
            f"the download brought {data['download']['received']} bytes"]
        if not args.write_download:
            api.download(image_id, downloaded)
        data["problems"] += verify(source, image, headers, downloaded)
    finally:
        api.delete(image_id)
    for step in ("upload", "download"):
        figures, service = data[step], data[step]["service"]
        figures["mb_s"] = round(args.size / figures["seconds"] / 1e6, 1)
        figures["cpu_bound_mb_s"] = (round(args.size / service.worker_cpu_s / 1e6, 1)
                                     if service and service.worker_cpu_s else None)
    return data


def measure_disk(source: Source, directory: str, notes: list[str]) -> dict:
    write = dd(source.path, os.path.join(directory, "dd.img"), ("conv=fdatasync",))
    os.unlink(os.path.join(directory, "dd.img"))
    if drop_caches():
        notes.append("the page cache was dropped (sync; echo 3 > /proc/sys/vm/drop_caches) "
                     "before dd read and before the download, for the whole machine.")
    else:
        notes.append("could not drop the page cache (not root): dd read and the "
                     "download may read from memory and overstate the disk.")
    read = dd(source.path, "/dev/null")
    return {"write": write, "read": read}


def targets(data: dict) -> list[dict]:
    """The issue's targets next to the figures: RSS of the serving worker, and
    throughput as a share of dd's for the same direction."""
    rows = []
    for step, dd_key in (("upload", "write"), ("download", "read")):
        figures, dd_mb_s = data[step], data["disk"][dd_key]["mb_s"]
        ratio = figures["mb_s"] / dd_mb_s
        rows.append({"target": f"{step} MB/s ≥ 80% of dd {dd_key}", "value": f"{ratio:.0%}",
                     "ratio": round(ratio, 3), "met": ratio >= THROUGHPUT_TARGET})
        service = figures["service"]
        if service is not None:
            rows.append({"target": f"{step}: worker RSS < {RSS_TARGET_MIB} MiB",
                         "value": f"{service.worker_peak_mib:.0f} MiB",
                         "met": service.worker_peak_mib < RSS_TARGET_MIB})
    return rows


# -- reporting ----------------------------------------------------------------------------

def report(args: argparse.Namespace, data: dict) -> None:
    if args.json:
        print(json.dumps(data, indent=2, default=dataclasses.asdict))
        return
    body = "Transfer-Encoding: chunked" if args.chunked else "Content-Length"
    print(f"Stratus image at {args.url}: {args.size / 1e9:.2f} GB raw image, upload with "
          f"{body}; files in {data['directory']}, download to {data['download_to']}")
    for note in data["notes"]:
        print(f"note: {note}")
    disk = data["disk"]
    print(f"\n{'':<11}{'MB/s':>8}{'seconds':>9}{'vs dd':>7}{'worker CPU s':>14}"
          f"{'CPU-bound MB/s':>16}{'worker RSS MiB':>16}{'total RSS MiB':>15}"
          f"{'srv/client/other %':>20}")
    for name, key in (("dd write", "write"), ("dd read", "read")):
        print(f"{name:<11}{disk[key]['mb_s']:>8.1f}{disk[key]['seconds']:>9.2f}")
    print(f"{'md5':<11}{data['md5_mb_s']:>8.1f}{'':>30}(one core, in this process)")
    print(f"{'sha512':<11}{data['sha512_mb_s']:>8.1f}{'':>30}(one core)")
    print(f"{'md5+sha512':<11}{data['hash_mb_s']:>8.1f}{'':>30}(one after the other, one "
          f"core; {data['two_core_hash_mb_s']:.0f} over two idle cores)")
    for step, key in (("upload", "write"), ("download", "read")):
        print(_transfer_row(step, data[step], disk[key]["mb_s"]))
    print("worker: the process that served the transfer; CPU-bound MB/s: size / its CPU "
          "time, the rate if its CPU were the only limit; RSS: before -> peak; total: "
          "master and workers; srv/client/other %: shares of the machine's "
          f"{os.cpu_count()} CPUs (other: processes that are neither). md5, sha512: "
          "the hashes every upload computes; the service runs them in two threads, so "
          "on two cores shared with the client an upload stays under the two-core figure.")
    store = data["upload"]["service"] and data["upload"]["service"].data_path
    if store:
        print(f"store file: {store}")
    print("\nTargets (issue 3)")
    for row in data["targets"]:
        print(f"  {row['target']:<34}{row['value']:>9}  {'met' if row['met'] else 'NOT MET'}")
    print("\ndata check: " + ("sha512 (os_hash_value), md5 (checksum, Content-MD5), size "
                              "and every byte match" if not data["problems"]
                              else "; ".join(data["problems"])))


def _transfer_row(step: str, figures: dict, dd_mb_s: float) -> str:
    service = figures["service"]
    cpu = bound = worker = total = "-"
    if service is not None:
        cpu = f"{service.worker_cpu_s:.1f}"
        bound = f"{figures['cpu_bound_mb_s']:.0f}" if figures["cpu_bound_mb_s"] else "-"
        worker = f"{service.worker_before_mib:.0f} -> {service.worker_peak_mib:.0f}"
        total = f"{service.total_before_mib:.0f} -> {service.total_peak_mib:.0f}"
    shares = "/".join("-" if figures.get(k) is None else f"{figures[k]:.0f}"
                      for k in ("server_cpu_pct", "client_cpu_pct", "other_cpu_pct"))
    return (f"{step:<11}{figures['mb_s']:>8.1f}{figures['seconds']:>9.2f}"
            f"{figures['mb_s'] / dd_mb_s:>7.0%}{cpu:>14}{bound:>16}{worker:>16}{total:>15}"
            f"{shares:>20}")


# -- main -------------------------------------------------------------------------------

def parse_size(text: str) -> int:
    """'2GiB', '512MiB', '100M', '1048576' -> bytes."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmMgGtT]i?)?[bB]?\s*", text)
    if match is None:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (try 2GiB, 512MiB)")
    size = int(float(match[1]) * UNITS[(match[2] or "").lower()])
    if size <= 0:
        raise argparse.ArgumentTypeError("the size must be positive")
    return size


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url", default="http://127.0.0.1:9292", help="image API endpoint")
    p.add_argument("--auth-url", default="http://127.0.0.1:5000/v3",
                   help="identity endpoint (v3)")
    p.add_argument("--admin-user", default="admin")
    p.add_argument("--admin-password", default="secret")
    p.add_argument("--admin-project", default="admin")
    p.add_argument("--size", type=parse_size, default=parse_size("2GiB"),
                   help="image size: bytes or with a unit (k, M, G; KiB, MiB, GiB)")
    p.add_argument("--dir", help="where the source and dd's file go: needs about 2x "
                                 "--size free; use the store's file system "
                                 f"(default: a temporary directory in {DEFAULT_DIR_PARENT})")
    p.add_argument("--download-dir",
                   help="where the downloaded file goes (default: /dev/shm when it has "
                        "room, else --dir's directory)")
    p.add_argument("--chunked", action="store_true",
                   help="upload with Transfer-Encoding: chunked instead of Content-Length")
    p.add_argument("--write-download", action="store_true",
                   help="time the download while writing it to a file (/dev/shm or "
                        "--download-dir) instead of discarding it as dd read does")
    p.add_argument("--server-pid", type=int,
                   help="gunicorn master pid of the service (default: found by its port)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    return p.parse_args(argv)


def scratch_directory(args: argparse.Namespace, notes: list[str]) -> str:
    parent = args.dir
    if parent is None:
        parent = DEFAULT_DIR_PARENT if os.path.isdir(DEFAULT_DIR_PARENT) else None
        if parent is None:
            notes.append(f"{DEFAULT_DIR_PARENT} is missing: files go to the system's "
                         "temporary directory, maybe not the store's file system.")
    if parent:
        os.makedirs(parent, exist_ok=True)
    free = shutil.disk_usage(parent or tempfile.gettempdir()).free
    if free < 2 * args.size + 1024 * MiB:
        raise SystemExit(f"not enough free space in {parent}: {free / 1e9:.1f} GB free, "
                         f"~{2 * args.size / 1e9:.1f} GB needed")
    return tempfile.mkdtemp(prefix="image-stream-bench-", dir=parent)


def download_directory(args: argparse.Namespace, scratch: str, notes: list[str]) -> str:
    """Where the downloaded file goes: ``--download-dir``, else memory (/dev/shm)
    when it has room, else the scratch directory (the disk under test)."""
    parent = args.download_dir
    if parent is None and os.path.isdir(SHM):
        room = shutil.disk_usage(SHM).free > args.size + 1024 * MiB
        parent = SHM if room else None
    if parent is None:
        if args.write_download:
            notes.append(f"the downloaded file goes to {scratch}: its writes compete with "
                         "the service's reads for the disk under test.")
        return scratch
    return tempfile.mkdtemp(prefix="image-stream-bench-", dir=parent)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    notes: list[str] = []
    directory = scratch_directory(args, notes)
    download_to = directory
    try:
        download_to = download_directory(args, directory, notes)
        data = run(args, directory, download_to, notes)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
        shutil.rmtree(download_to, ignore_errors=True)
    data.update(url=args.url, size=args.size, chunked=args.chunked, directory=directory,
                download_to=download_to, notes=notes)
    data["targets"] = targets(data)
    store = data["upload"]["service"] and data["upload"]["service"].data_path
    if store and os.stat(os.path.dirname(store)).st_dev != os.stat(
            os.path.dirname(directory)).st_dev:
        notes.append(f"the store ({os.path.dirname(store)}) is on another file system "
                     "than --dir: dd measured a different disk.")
    report(args, data)
    return 1 if data["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
