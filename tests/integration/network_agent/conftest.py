"""Fixtures for the real Linux-bridge driver on this host (root).

Every driver gets its own ``scope`` and state directory, so these tests never
see or touch another agent's namespaces, chains or bridges (a running
cloud's included), and they use random ids and VNIs. Teardown runs
``cleanup_all`` and removes the test's own devices even when a test fails.
"""
import os
import secrets
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator

import pytest

from network.agent import driver as base
from network.agent import model, names, process
from network.agent.dhcp.server import proxy_key as dhcp_proxy_key
from network.agent.l3.router import proxy_key as router_proxy_key
from network.agent.linuxbridge.driver import LinuxBridgeDriver
from tests.functional.network_agent import contract
from tests.integration.guests import sh

TOOLS = ("ip", "bridge", "dnsmasq", "iptables-nft-restore", "ip6tables-nft-restore", "ipset",
         "ping", "busybox", "sysctl")


@pytest.fixture(scope="session", autouse=True)
def host_is_ready():
    """These tests need root and the dataplane tools: missing ones fail."""
    assert os.geteuid() == 0, "the network agent integration tests run as root"
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    assert not missing, f"missing tools (apt-get install them): {missing}"


class LinuxHost(contract.Host):
    """The host side for the contract tests: real taps, real kills."""

    def __init__(self, driver: LinuxBridgeDriver, mapped_bridge: str):
        self.driver = driver
        self.mapped_bridge = mapped_bridge
        self.taps: set[str] = set()

    def add_tap(self, port: model.Port) -> None:
        tap = names.tap(port.id)
        sh("ip", "tuntap", "add", tap, "mode", "tap")
        self.taps.add(tap)
        sh("ip", "link", "set", tap, "address", port.mac_address, "up")

    def remove_tap(self, port: model.Port) -> None:
        sh("ip", "link", "del", names.tap(port.id))
        self.taps.discard(names.tap(port.id))

    def kill_dhcp(self, network_id: str) -> None:
        running = self.driver.dhcp.dnsmasq.running(network_id)
        assert running, "no dnsmasq to kill"
        kill_and_wait(running[0])

    def kill_metadata_proxy(self, router_id: str) -> None:
        running = self.driver.proxies.running(router_proxy_key(router_id))
        assert running, "no metadata proxy to kill"
        kill_and_wait(running[0])

    def lose_network(self, network: model.Network) -> None:
        if network.network_type == model.VXLAN:
            sh("ip", "link", "del", names.vxlan(network.segmentation_id))
        sh("ip", "link", "del", names.bridge(network.id))

    def remove_all(self) -> None:
        for tap in sorted(self.taps):
            sh("ip", "link", "del", tap, check=False)
        self.taps.clear()


def kill_and_wait(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while process.command_line(pid) is not None and time.monotonic() < deadline:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        time.sleep(0.02)
    assert process.command_line(pid) is None, f"pid {pid} survived SIGKILL"


def make_scope() -> str:
    return "t" + secrets.token_hex(2)[:3]


@pytest.fixture
def state_path() -> Iterator[str]:
    # Not under pytest's tmp_path: dnsmasq drops to its own user and must
    # read its files, and tmp_path is private to root.
    path = tempfile.mkdtemp(prefix="stratus-agent-", dir="/tmp")
    os.chmod(path, 0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def mapped_bridge() -> Iterator[str]:
    bridge = "brx" + secrets.token_hex(3)
    sh("ip", "link", "add", bridge, "type", "bridge")
    sh("ip", "link", "set", bridge, "up")
    yield bridge
    sh("ip", "link", "del", bridge, check=False)


def make_settings(state_path: str, mapped_bridge: str, **overrides) -> base.Settings:
    values = {"local_ip": "127.0.0.1", "bridge_mappings": {contract.PHYSNET: mapped_bridge},
              "state_path": state_path, "scope": make_scope(), "lease_duration": 600,
              "metadata_secret": "contract-secret"}
    values.update(overrides)
    return base.Settings(**values)


@pytest.fixture
def driver(state_path, mapped_bridge) -> Iterator[LinuxBridgeDriver]:
    agent = LinuxBridgeDriver(make_settings(state_path, mapped_bridge))
    yield agent
    agent.cleanup_all()


@pytest.fixture
def host(driver, mapped_bridge) -> Iterator[LinuxHost]:
    linux = LinuxHost(driver, mapped_bridge)
    yield linux
    linux.remove_all()


def leftovers(agent: LinuxBridgeDriver) -> list[str]:
    """Anything of ``agent``'s scope still on the host."""
    found = []
    for ns in sh("ip", "netns", "list").split():
        if agent.names.parse_namespace(ns):
            found.append(f"namespace {ns}")
    for line in sh("ip", "-o", "link", "show").splitlines():
        if f"alias {agent.names.tag}-" in line:
            found.append(f"device {line.split(':')[1].strip()}")
    prefix = agent.names.chain_prefix
    for save in ("iptables-nft-save", "ip6tables-nft-save"):
        found += [f"{save}: {line}" for line in sh(save).splitlines() if prefix in line]
    found += [f"ipset {name}" for name in sh("ipset", "list", "-n").split()
              if name.startswith(agent.names.tag)]
    for key in (dhcp_proxy_key(""), router_proxy_key("")):
        folder = os.path.join(agent.settings.state_path, "metadata")
        if os.path.isdir(folder):
            found += [f"proxy {name}" for name in os.listdir(folder) if name.startswith(key)]
    return found
