"""The desired state the agent hands its driver: plain frozen dataclasses.

Each class has ``from_dict``, which accepts the Neutron-shaped dicts the API
and RPC carry (unknown keys are ignored, so an API resource can be passed as
it is) and ``to_dict`` for the way back. Ids are strings, addresses are
strings in their usual text form, and every sequence is a tuple.
"""
import dataclasses
import ipaddress
from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar

VXLAN = "vxlan"
FLAT = "flat"
LOCAL = "local"
NETWORK_TYPES = (VXLAN, FLAT, LOCAL)

INGRESS = "ingress"
EGRESS = "egress"
IPV4 = "IPv4"
IPV6 = "IPv6"

# A subnet's ipv6_ra_mode / ipv6_address_mode (Neutron's values).
SLAAC = "slaac"
DHCPV6_STATELESS = "dhcpv6-stateless"
DHCPV6_STATEFUL = "dhcpv6-stateful"
IPV6_MODES = (SLAAC, DHCPV6_STATELESS, DHCPV6_STATEFUL)

T = TypeVar("T", bound="Model")


class Model:
    """from_dict/to_dict for the dataclasses below.

    ``_nested`` maps a field to the class of its items (a tuple field) or of
    its value (a single field); ``_aliases`` maps other accepted keys (such as
    ``provider:network_type``) to field names.
    """

    _nested: ClassVar[dict[str, type]] = {}
    _aliases: ClassVar[dict[str, str]] = {}

    @classmethod
    def from_dict(cls: type[T], data: Mapping[str, Any] | T) -> T:
        if isinstance(data, cls):
            return data
        values = {cls._aliases.get(key, key): value for key, value in data.items()}
        kwargs = {}
        for field in dataclasses.fields(cls):
            if field.name not in values:
                continue
            value = values[field.name]
            nested = cls._nested.get(field.name)
            if isinstance(field.default, tuple):  # every tuple field defaults to ()
                value = tuple(nested.from_dict(v) if nested else v for v in (value or ()))
            elif nested is not None and value is not None:
                value = nested.from_dict(value)
            kwargs[field.name] = value
        return cls(**kwargs)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class FixedIP(Model):
    subnet_id: str
    ip_address: str


@dataclasses.dataclass(frozen=True)
class HostRoute(Model):
    destination: str
    nexthop: str


@dataclasses.dataclass(frozen=True)
class Subnet(Model):
    """A subnet. ``routed`` says a router interface serves it (its gateway
    answers); a subnet that is not routed is isolated, and its DHCP server
    then also serves the metadata proxy and a host route to it.

    IPv6 only: ``ipv6_ra_mode`` set makes the router interface on the
    subnet send router advertisements in that mode; ``ipv6_address_mode``
    says how guests get addresses (``slaac``: from the RAs, nothing from
    DHCP; ``dhcpv6-stateless``: SLAAC, options from DHCPv6;
    ``dhcpv6-stateful`` or neither mode: addresses from DHCPv6)."""

    id: str
    network_id: str
    cidr: str
    ip_version: int = 4
    gateway_ip: str | None = None
    enable_dhcp: bool = True
    dns_nameservers: tuple[str, ...] = ()
    host_routes: tuple[HostRoute, ...] = ()
    routed: bool = False
    ipv6_ra_mode: str | None = None
    ipv6_address_mode: str | None = None

    _nested = {"host_routes": HostRoute}

    @property
    def prefixlen(self) -> int:
        return ipaddress.ip_network(self.cidr, strict=False).prefixlen

    @property
    def dhcp_answers(self) -> bool:
        """Whether a DHCP server answers on this subnet (with addresses or
        only options): not for SLAAC, nor for a subnet with an RA mode and
        no address mode (as Neutron)."""
        if self.ip_version == 4:
            return True
        if self.ipv6_address_mode:
            return self.ipv6_address_mode != SLAAC
        return not self.ipv6_ra_mode

    @property
    def dhcp_assigns(self) -> bool:
        """Whether DHCP hands out the subnet's addresses (IPv4, stateful
        DHCPv6, or IPv6 with neither mode set)."""
        return self.dhcp_answers and self.ipv6_address_mode != DHCPV6_STATELESS


@dataclasses.dataclass(frozen=True)
class Network(Model):
    """A network as this host must carry it.

    ``vxlan``: a ``brq`` bridge with a VXLAN device of VNI ``segmentation_id``
    flooding to ``vxlan_peers`` (the tunnel IPs of the other agents);
    ``flat``: the operator's bridge mapped to ``physical_network``;
    ``local``: a ``brq`` bridge with no uplink.
    """

    id: str
    network_type: str = VXLAN
    segmentation_id: int | None = None
    physical_network: str | None = None
    mtu: int = 1450
    vxlan_peers: tuple[str, ...] = ()

    _aliases = {"provider:network_type": "network_type",
                "provider:segmentation_id": "segmentation_id",
                "provider:physical_network": "physical_network"}


@dataclasses.dataclass(frozen=True)
class Port(Model):
    """A port: what DHCP hands out and what a router or DHCP server plugs.
    ``hostname`` is the name DHCP gives the guest (Neutron's ``dns_name``);
    without one it is ``host-<ip with dashes>``."""

    id: str
    network_id: str
    mac_address: str
    fixed_ips: tuple[FixedIP, ...] = ()
    hostname: str | None = None
    device_owner: str = ""

    _nested = {"fixed_ips": FixedIP}
    _aliases = {"dns_name": "hostname"}

    def ips_on(self, subnet_id: str) -> list[str]:
        return [ip.ip_address for ip in self.fixed_ips if ip.subnet_id == subnet_id]


@dataclasses.dataclass(frozen=True)
class AddressPair(Model):
    ip_address: str  # an address or a CIDR
    mac_address: str | None = None  # None: the port's own MAC


@dataclasses.dataclass(frozen=True)
class SecurityRule(Model):
    """One security group rule. ``protocol`` is a name (tcp, udp, icmp,
    icmpv6, …), a number, or None for any; for ICMP the port range fields
    are the type and code. ``remote_group_id`` comes with ``remote_ips``,
    the addresses of that group's members, expanded by the caller."""

    direction: str
    ethertype: str = IPV4
    protocol: str | int | None = None
    port_range_min: int | None = None
    port_range_max: int | None = None
    remote_ip_prefix: str | None = None
    remote_group_id: str | None = None
    remote_ips: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class PortSecurity(Model):
    """The filter of one port on this host: anti-spoofing (only its MAC and
    IPs, plus ``allowed_address_pairs``, may leave its tap) and its security
    group rules, stateful. ``port_security_enabled=False``: no filtering."""

    port_id: str
    network_id: str
    mac_address: str
    ip_addresses: tuple[str, ...] = ()
    allowed_address_pairs: tuple[AddressPair, ...] = ()
    port_security_enabled: bool = True
    rules: tuple[SecurityRule, ...] = ()

    _nested = {"allowed_address_pairs": AddressPair, "rules": SecurityRule}
    _aliases = {"security_group_rules": "rules"}


@dataclasses.dataclass(frozen=True)
class RouterPort(Model):
    """A router's port: the port itself, its network (whose bridge it plugs
    into) and the subnets of its fixed IPs (their prefix lengths, and for
    the gateway the next hop of the default route)."""

    port: Port
    network: Network
    subnets: tuple[Subnet, ...] = ()

    _nested = {"port": Port, "network": Network, "subnets": Subnet}


@dataclasses.dataclass(frozen=True)
class FloatingIP(Model):
    id: str
    floating_ip_address: str
    fixed_ip_address: str


@dataclasses.dataclass(frozen=True)
class Router(Model):
    """A router. ``admin_state_up`` False: its ports stay plugged (their
    addresses answer) but it forwards nothing, as an administratively down
    Neutron router."""

    id: str
    admin_state_up: bool = True
    interfaces: tuple[RouterPort, ...] = ()
    gateway: RouterPort | None = None
    enable_snat: bool = True
    floating_ips: tuple[FloatingIP, ...] = ()
    routes: tuple[HostRoute, ...] = ()

    _nested = {"interfaces": RouterPort, "gateway": RouterPort,
               "floating_ips": FloatingIP, "routes": HostRoute}
