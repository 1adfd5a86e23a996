"""Stand-in guests for dataplane tests: a network namespace whose eth0 is a
veth peer of a host device named like compute's tap for the port
(``tap<port id[:11]>``), with the port's MAC. It gets its lease with busybox
``udhcpc`` and pings or fetches like a VM would."""
import os
import subprocess

from network.agent import model, names


def sh(*argv: str, check: bool = True, stdin: str | None = None) -> str:
    result = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=60)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(argv)} failed ({result.returncode}): {result.stderr}")
    return result.stdout


UDHCPC_SCRIPT = """#!/bin/sh
[ "$1" = bound ] || [ "$1" = renew ] || exit 0
ip addr add "$ip/$mask" dev "$interface"
ip link set "$interface" mtu "${mtu:-1500}"
if [ -n "$staticroutes" ]; then
    set -- $staticroutes
    while [ $# -ge 2 ]; do ip route replace "$1" via "$2" dev "$interface"; shift 2; done
elif [ -n "$router" ]; then
    ip route replace default via "${router%% *}" dev "$interface"
fi
env > "$UDHCPC_OUT"
"""


class Guest:
    """A stand-in for a VM: a namespace with eth0, whose peer on the host is
    the port's tap."""

    def __init__(self, port: model.Port, folder: str):
        self.port = port
        self.ns = "gst-" + port.id[:8]
        self.folder = folder
        sh("ip", "netns", "add", self.ns)
        sh("ip", "link", "add", names.tap(port.id), "type", "veth", "peer", "name", "eth0",
           "netns", self.ns)
        sh("ip", "-n", self.ns, "link", "set", "eth0", "address", port.mac_address, "up")
        sh("ip", "-n", self.ns, "link", "set", "lo", "up")
        sh("ip", "link", "set", names.tap(port.id), "up")

    @classmethod
    def for_port(cls, port_id: str, mac_address: str, folder: str) -> "Guest":
        """A guest for a port known only by the API's id and MAC."""
        return cls(model.Port(id=port_id, network_id="", mac_address=mac_address), folder)

    def run(self, *argv: str, timeout: float = 30) -> subprocess.CompletedProcess:
        return subprocess.run(["ip", "netns", "exec", self.ns, *argv], capture_output=True,
                              text=True, timeout=timeout,
                              env={**os.environ, "UDHCPC_OUT": self.lease_file})

    @property
    def lease_file(self) -> str:
        return os.path.join(self.folder, f"{self.ns}.lease")

    def dhcp(self) -> dict[str, str]:
        """Get a lease with busybox udhcpc; the variables its script saw."""
        script = os.path.join(self.folder, "udhcpc.sh")
        if not os.path.exists(script):
            with open(script, "w") as target:
                target.write(UDHCPC_SCRIPT)
            os.chmod(script, 0o755)
        result = self.run("busybox", "udhcpc", "-i", "eth0", "-f", "-q", "-n", "-t", "8",
                          "-T", "1", "-O", "staticroutes", "-O", "mtu", "-s", script)
        assert result.returncode == 0, f"no lease for {self.ns}: {result.stderr}"
        with open(self.lease_file) as lease:
            return dict(line.split("=", 1) for line in lease.read().splitlines()
                        if "=" in line)

    def ping(self, address: str, source: str | None = None) -> bool:
        argv = ["ping", "-c", "1", "-W", "1", address] + (["-I", source] if source else [])
        return self.run(*argv).returncode == 0

    def fetch(self, url: str) -> str:
        result = self.run("timeout", "10", "busybox", "wget", "-q", "-O", "-", url)
        assert result.returncode == 0, f"wget {url} from {self.ns}: {result.stderr}"
        return result.stdout

    def delete(self) -> None:
        sh("ip", "netns", "delete", self.ns, check=False)
