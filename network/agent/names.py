"""Names of everything the agent makes on a host, derived from ids.

Linux limits interface names to 15 characters, so devices carry an 11
character prefix of their port or network id (as Neutron's do); namespaces
carry the full id. Every device the agent makes also gets an ``ifalias``
recording its kind and full id, which is how ``observed()`` tells the agent's
devices from anyone else's and recovers full ids.

``Names(scope)`` holds the names that depend on the driver's scope (aliases,
namespaces, iptables chains, ipsets): a real node uses the empty scope; a
test or a simulated node sharing a host with another agent uses a short
scope of its own, so neither sees nor removes the other's objects. Device
names cannot carry a scope (15 characters); ids keep them apart.
"""
import dataclasses
import re

DEVICE_ID_LENGTH = 11
BRAND = "stratus"
SCOPE = re.compile(r"[a-z0-9]{0,4}")

BRIDGE_PREFIX = "brq"
TAP_PREFIX = "tap"
VXLAN_PREFIX = "vxlan-"
DHCP_NS_PREFIX = "qdhcp-"
ROUTER_NS_PREFIX = "qrouter-"
DHCP_DEVICE_PREFIX = "ns-"
ROUTER_INTERFACE_PREFIX = "qr-"
ROUTER_GATEWAY_PREFIX = "qg-"

# Kinds recorded in aliases.
NETWORK = "network"
PORT = "port"
# Kinds of namespaces.
DHCP = "dhcp"
ROUTER = "router"


def bridge(network_id: str) -> str:
    return BRIDGE_PREFIX + network_id[:DEVICE_ID_LENGTH]


def tap(port_id: str) -> str:
    """The host-side device of a port: a guest's tap, or the root end of the
    veth pair of a DHCP or router port."""
    return TAP_PREFIX + port_id[:DEVICE_ID_LENGTH]


def vxlan(vni: int) -> str:
    return f"{VXLAN_PREFIX}{vni}"


def namespaced_device(prefix: str, port_id: str) -> str:
    return prefix + port_id[:DEVICE_ID_LENGTH]


@dataclasses.dataclass(frozen=True)
class Names:
    scope: str = ""

    def __post_init__(self):
        if not SCOPE.fullmatch(self.scope):
            raise ValueError(f"scope must be 0-4 lowercase letters or digits: {self.scope!r}")

    @property
    def tag(self) -> str:
        """``stratus``, or ``stratus<scope>``: the start of every scoped name."""
        return BRAND + self.scope

    def alias(self, kind: str, object_id: str) -> str:
        return f"{self.tag}-{kind}:{object_id}"

    def parse_alias(self, value: str | None) -> tuple[str, str] | None:
        """(kind, id) from an alias this scope made, else None."""
        start = f"{self.tag}-"
        if not value or not value.startswith(start) or ":" not in value:
            return None
        kind, _, object_id = value[len(start):].partition(":")
        return kind, object_id

    def _suffix(self) -> str:
        return f".{self.scope}" if self.scope else ""

    def dhcp_namespace(self, network_id: str) -> str:
        return DHCP_NS_PREFIX + network_id + self._suffix()

    def router_namespace(self, router_id: str) -> str:
        return ROUTER_NS_PREFIX + router_id + self._suffix()

    def parse_namespace(self, name: str) -> tuple[str, str] | None:
        """(DHCP or ROUTER, id) of a namespace this scope names, else None."""
        suffix = self._suffix()
        if suffix and not name.endswith(suffix):
            return None
        core = name[:len(name) - len(suffix)] if suffix else name
        if "." in core:
            return None
        for kind, prefix in ((DHCP, DHCP_NS_PREFIX), (ROUTER, ROUTER_NS_PREFIX)):
            if core.startswith(prefix) and len(core) > len(prefix):
                return kind, core[len(prefix):]
        return None

    @property
    def chain_prefix(self) -> str:
        return f"{self.tag}-"
