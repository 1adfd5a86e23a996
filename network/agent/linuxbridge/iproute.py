"""Reading and changing links with iproute2, a whole batch per process.

The state of every link of a namespace comes from one ``ip -d -j addr show``;
changes are collected in an ``IpBatch`` and applied by one ``ip -batch -``,
so wiring many ports costs a few processes, not a few per port.
"""
import dataclasses
import json
import os
import re
from collections.abc import Iterable

from network.agent import process
from network.agent.executor import Executor

NETNS_DIR = "/run/netns"
DEVICE_NAME = re.compile(r"[A-Za-z0-9_.:@-]{1,15}")


@dataclasses.dataclass(frozen=True)
class Link:
    name: str
    index: int
    kind: str | None  # bridge, vxlan, veth, tun, … (None: a plain device)
    master: str | None
    mac: str
    mtu: int
    up: bool
    alias: str | None
    addresses: frozenset[str]  # "ip/prefixlen", global scope only
    info: dict  # the kernel's info_data for the kind (vxlan id, bridge nf_call_…)


def _link(raw: dict) -> Link:
    info = raw.get("linkinfo") or {}
    addresses = frozenset(f"{a['local']}/{a['prefixlen']}" for a in raw.get("addr_info", ())
                          if a.get("scope") == "global")
    return Link(name=raw["ifname"], index=raw.get("ifindex", 0), kind=info.get("info_kind"),
                master=raw.get("master"),
                mac=raw.get("address", ""), mtu=raw.get("mtu", 0),
                up="UP" in raw.get("flags", ()), alias=raw.get("ifalias"),
                addresses=addresses,
                info=info.get("info_data") or {})


def links(executor: Executor, netns: str | None = None,
          devices: Iterable[str] | None = None) -> dict[str, Link]:
    """Links of the root namespace (or ``netns``), by name: all of them with
    their addresses, or only those of ``devices`` that exist, without their
    addresses (cheaper on a host with many devices). One process either way."""
    options = ["-n", netns] if netns else []
    if devices is None:
        out = executor.run(["ip", *options, "-d", "-j", "addr", "show"])
        return {raw["ifname"]: _link(raw) for raw in json.loads(out or "[]")}
    wanted = sorted(set(devices))
    bad = [name for name in wanted if not DEVICE_NAME.fullmatch(name)]
    if bad:
        raise ValueError(f"not device names: {bad}")
    if not wanted:
        return {}
    # -force: a missing device fails its line only; each line prints one array.
    out = executor.run(["ip", *options, "-d", "-j", "-force", "-batch", "-"],
                       stdin="".join(f"link show dev {name}\n" for name in wanted),
                       check=False)
    found = {}
    for line in out.splitlines():
        if line.startswith("["):
            for raw in json.loads(line):
                found[raw["ifname"]] = _link(raw)
    return found


def namespaces() -> set[str]:
    """Names of the host's named network namespaces (``ip netns list``)."""
    try:
        return set(os.listdir(NETNS_DIR))
    except FileNotFoundError:
        return set()


def namespace_pids(executor: Executor, netns: str) -> list[int]:
    out = executor.run(["ip", "netns", "pids", netns], check=False)
    return [int(word) for word in out.split() if word.isdigit()]


class IpBatch:
    """``ip`` commands to run together (``ip [-n ns] -batch -``).

    Each command is a list of words; iproute2's batch syntax splits on
    whitespace, so words with whitespace are refused (ids and addresses
    never contain any).
    """

    def __init__(self, netns: str | None = None):
        self.netns = netns
        self.lines: list[str] = []

    def add(self, *words: str | int) -> None:
        text = [str(word) for word in words]
        for word in text:
            if not word or any(ch.isspace() or ch in "\"'\\#" for ch in word):
                raise ValueError(f"unsafe word for ip -batch: {word!r}")
        self.lines.append(" ".join(text))

    def __bool__(self) -> bool:
        return bool(self.lines)

    def run(self, executor: Executor, program: str = "ip") -> None:
        if not self.lines:
            return
        argv = [program, "-batch", "-"]
        if self.netns:
            argv[1:1] = ["-n", self.netns]
        try:
            executor.run(argv, stdin="\n".join(self.lines) + "\n")
        finally:
            self.lines = []



def delete_namespace(executor: Executor, ns: str) -> None:
    """Stop what still runs in ``ns``, delete its veths (each takes its root
    end with it) and the namespace."""
    for pid in namespace_pids(executor, ns):
        process.stop(pid)
    batch = IpBatch(ns)
    for name, link in links(executor, ns).items():
        if link.kind == "veth":
            batch.add("link", "del", name)
    batch.run(executor)
    executor.run(["ip", "netns", "delete", ns])
