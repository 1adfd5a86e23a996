"""The network agent's driver contract: make this host match a desired state.

Every method is declarative and idempotent: it is handed the whole desired
state of one object (a network, a DHCP server, a router, a set of port
filters) and converges the host to it, creating what is missing, fixing what
drifted (a deleted device, a dead dnsmasq, a flushed rule) and removing what
is no longer wanted. Calling it again with the same state changes nothing.
Deleting something that does not exist is not an error.

``observed()`` reports what the driver's own objects on this host are, so an
agent that restarts can compare it with what the API says and delete the
stale ones; ``cleanup_all()`` removes everything the driver made (never the
operator's mapped bridges, nor taps made by compute).

Calls must not overlap: the agent makes them one at a time (the fake driver
tolerates concurrent calls; the real one does not). Calls naming many objects
at once are much cheaper per object than one call per object (one iptables
transaction, one dnsmasq reload), so the agent should gather the changes of
one loop iteration into one call where the method takes a list.

Real and fake drivers (``linuxbridge.LinuxBridgeDriver``, ``fake.FakeDriver``)
pass the same contract tests, ``tests/functional/network_agent/contract.py``.
Failures are ``DriverError`` subclasses.
"""
import abc
import dataclasses
from collections.abc import Mapping, Sequence

from network.agent import model

# Capabilities a driver may declare (``Driver.capabilities``).
CARRIES_TRAFFIC = "carries_traffic"  # packets really flow (not a simulation)


class DriverError(Exception):
    """The root of every error a network agent driver raises."""


class InvalidNetwork(DriverError):
    """This host cannot carry the network as described (missing VNI, an
    unmapped physical network, an unknown network type)."""


class HostError(DriverError):
    """The host refused a change (a command failed); carries the cause."""


@dataclasses.dataclass(frozen=True)
class Settings:
    """What a driver needs to know about its host (see ``conf``)."""

    local_ip: str = "127.0.0.1"
    bridge_mappings: Mapping[str, str] = dataclasses.field(default_factory=dict)
    state_path: str = "/var/lib/stratus/network"
    lease_duration: int = 86400
    dns_servers: tuple[str, ...] = ()
    metadata_url: str = "http://127.0.0.1:8775"
    metadata_secret: str = ""
    scope: str = ""  # see names.Names: empty on a real node


@dataclasses.dataclass(frozen=True)
class DhcpState:
    """A DHCP server as found on the host: whether its daemon runs, and the
    (MAC, IP) pairs it hands out."""

    running: bool
    hosts: frozenset[tuple[str, str]]
    metadata: bool  # a metadata proxy serves this network's namespace


@dataclasses.dataclass(frozen=True)
class RouterState:
    """A router as found on the host: ids of its plugged internal ports and
    gateway port, and its floating IPs as {floating: fixed}."""

    interfaces: frozenset[str]
    gateway: str | None
    floating_ips: Mapping[str, str]
    snat: bool
    metadata: bool  # its metadata proxy runs
    advertising: bool = False  # it sends IPv6 router advertisements


@dataclasses.dataclass(frozen=True)
class Observed:
    """Everything the driver made that exists on this host now.

    ``networks``: ids of networks whose bridge or tunnel device the driver
    made (flat networks use the operator's bridge and leave nothing of their
    own); ``port_security``: ids of ports with a filter (or an explicit
    no-filter entry); ``taps``: every tap-like device (``tap…``) on the
    host, with the bridge it is in (None when in none).
    """

    networks: frozenset[str]
    dhcp: Mapping[str, DhcpState]
    routers: Mapping[str, RouterState]
    port_security: frozenset[str]
    taps: Mapping[str, str | None]


class Driver(abc.ABC):
    """The dataplane of one host. See the module docstring for the rules
    every method follows."""

    name: str = "abstract"
    capabilities: frozenset[str] = frozenset()

    def __init__(self, settings: Settings):
        self.settings = settings

    @abc.abstractmethod
    def ensure_network(self, network: model.Network) -> None:
        """The network's bridge exists (and its VXLAN device with exactly
        ``vxlan_peers`` as flood entries). InvalidNetwork when this host cannot
        carry it."""

    @abc.abstractmethod
    def delete_network(self, network_id: str) -> None:
        """Remove the network's bridge and tunnel device. Taps in the bridge
        are released, not deleted (compute owns them)."""

    @abc.abstractmethod
    def ensure_dhcp(self, network: model.Network, subnets: Sequence[model.Subnet],
                    dhcp_port: model.Port, ports: Sequence[model.Port]) -> None:
        """A DHCP server for ``network`` runs on ``dhcp_port``, handing out
        exactly the fixed IPs of ``ports`` on the DHCP-enabled ``subnets``
        (and the metadata proxy serves the network while one of its IPv4
        subnets is isolated). Ensures the network too."""

    @abc.abstractmethod
    def delete_dhcp(self, network_id: str) -> None:
        """Stop the network's DHCP server and remove its namespace."""

    @abc.abstractmethod
    def ensure_router(self, router: model.Router) -> None:
        """The router's namespace has exactly its interfaces, gateway, routes,
        SNAT and floating IPs, and its metadata proxy runs; it sends IPv6
        router advertisements (in the subnet's ``ipv6_ra_mode``) on each
        interface with an address on a subnet that has one, and none
        otherwise. Ensures the networks it plugs into."""

    @abc.abstractmethod
    def delete_router(self, router_id: str) -> None:
        """Stop the router's processes and remove its namespace."""

    @abc.abstractmethod
    def ensure_port_security(self, ports: Sequence[model.PortSecurity]) -> None:
        """Each of ``ports`` is filtered as described (added or replaced);
        ports not named are left as they are. Applied as one transaction."""

    @abc.abstractmethod
    def remove_port_security(self, port_id: str) -> None:
        """Remove the port's filter."""

    @abc.abstractmethod
    def plug_taps(self, network: model.Network,
                  ports: Sequence[model.Port]) -> frozenset[str]:
        """Put the taps of ``ports`` that exist on this host into the
        network's bridge (up, with the network's MTU); returns the ids of the
        ports now wired. A port whose tap is absent is skipped, not an
        error. Ensures the network too."""

    def plug_tap(self, port: model.Port, network: model.Network) -> bool:
        """plug_taps for one port: whether its tap is now wired."""
        return port.id in self.plug_taps(network, [port])

    @abc.abstractmethod
    def list_taps(self) -> dict[str, str | None]:
        """Every ``tap…`` device on this host, with the bridge it is in."""

    @abc.abstractmethod
    def observed(self) -> Observed:
        """What exists on this host that this driver made."""

    @abc.abstractmethod
    def cleanup_all(self) -> None:
        """Remove everything this driver made on this host."""


def check_network(network: model.Network, settings: Settings) -> None:
    """InvalidNetwork unless this host can carry ``network``."""
    if network.network_type == model.VXLAN:
        if not network.segmentation_id or not 0 < network.segmentation_id < 2 ** 24:
            raise InvalidNetwork(f"network {network.id}: vxlan needs a VNI in "
                                 f"1..16777215, not {network.segmentation_id!r}")
    elif network.network_type == model.FLAT:
        if network.physical_network not in settings.bridge_mappings:
            raise InvalidNetwork(f"network {network.id}: physical network "
                                 f"{network.physical_network!r} is not mapped to a "
                                 f"bridge on this host (bridge_mappings)")
    elif network.network_type != model.LOCAL:
        raise InvalidNetwork(f"network {network.id}: network type "
                             f"{network.network_type!r} is not supported")
