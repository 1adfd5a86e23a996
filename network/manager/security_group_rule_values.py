"""What a security group rule may say, and its canonical form, as Neutron has it.

Request values first go through the converters (the API's ``convert``
functions; each raises the Neutron error a client expects, a 400):

* ``protocol``: ``None``/``any`` (any protocol), a name Neutron knows
  (case-insensitive, stored lower-case) or a number 0-255, stored as the
  string given (``"17"``);
* ``ethertype``: ``IPv4``/``IPv6``, case-insensitive;
* ``port_range_min``/``port_range_max``: an integer 0-65535 or None;
* ``remote_ip_prefix``: an address or a CIDR, stored as ``address/length``
  with the host bits kept (``10.0.0.5`` -> ``10.0.0.5/32``); its network is
  the rule's ``normalized_cidr``.

:func:`canonical` then checks the rule as a whole and rewrites what Neutron
rewrites (IPv6 ICMP names and numbers, the full 1-65535 port range), and
:func:`key` tells two rules apart for the duplicate check.
"""
import ipaddress

from network import exception

IPV4 = "IPv4"
IPV6 = "IPv6"
ETHERTYPES = [IPV4, IPV6]
DIRECTIONS = ["ingress", "egress"]

PROTOCOLS = {
    "ah": 51, "dccp": 33, "egp": 8, "esp": 50, "gre": 47, "hopopt": 0, "icmp": 1,
    "igmp": 2, "ip": 0, "ipip": 4, "ipv6-encap": 41, "ipv6-frag": 44, "ipv6-icmp": 58,
    "icmpv6": 58, "ipv6-nonxt": 59, "ipv6-opts": 60, "ipv6-route": 43, "ospf": 89,
    "pgm": 113, "rsvp": 46, "sctp": 132, "tcp": 6, "udp": 17, "udplite": 136, "vrrp": 112,
}
SUPPORTED = (None, "any") + tuple(PROTOCOLS)
# The names of numbers (58 is ipv6-icmp, never the legacy icmpv6).
NUMBER_NAMES = {str(number): name for name, number in PROTOCOLS.items() if name != "icmpv6"}
PORT_PROTOCOLS = {6, 17, 33, 132, 136}  # tcp, udp, dccp, sctp, udplite
PORT_PROTOCOL_NAMES = "DCCP, SCTP, TCP, UDP, UDPLITE"
ICMP_NUMBERS = {1, 58}
IPV6_ONLY = {"ipv6-encap", "ipv6-frag", "ipv6-icmp", "icmpv6", "ipv6-nonxt", "ipv6-opts",
             "ipv6-route", "41", "44", "58", "59", "60", "43"}
LEGACY_IPV6_ICMP = ("icmp", "icmpv6")
ANY_PREFIXES = ("0.0.0.0/0", "::/0", None)


# -- converters (request values) --------------------------------------------

def convert_protocol(value) -> str | None:
    if value is None or value == "any":
        return None
    if isinstance(value, int) and not isinstance(value, bool) or (
            isinstance(value, str) and value.isdigit()):
        if 0 <= int(value) <= 255:
            return str(value)
    elif isinstance(value, str) and value.lower() in SUPPORTED:
        return None if value.lower() == "any" else value.lower()
    raise exception.SecurityGroupRuleInvalidProtocol(protocol=value, values=SUPPORTED)


def convert_ethertype(value) -> str:
    if isinstance(value, str):
        for ethertype in ETHERTYPES:
            if ethertype.lower() == value.lower():
                return ethertype
    raise exception.SecurityGroupRuleInvalidEtherType(ethertype=value, values=ETHERTYPES)


def convert_port(value) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise exception.SecurityGroupInvalidPortValue(port=value)
    try:
        port = int(value)
    except ValueError:
        raise exception.SecurityGroupInvalidPortValue(port=value)
    if not 0 <= port <= 65535:
        raise exception.SecurityGroupInvalidPortValue(port=value)
    return port


def convert_ip_prefix(value) -> str | None:
    if not value:
        return None
    if not isinstance(value, str):
        raise exception.InvalidCIDR(input=value)
    try:
        return str(ipaddress.ip_interface(value))
    except ValueError:
        raise exception.InvalidCIDR(input=value)


def normalized_cidr(prefix: str | None) -> str | None:
    """The network of a ``remote_ip_prefix`` (``10.0.0.5/24`` -> ``10.0.0.0/24``)."""
    if not prefix:
        return None
    return str(ipaddress.ip_interface(prefix).network)


# -- whole rules --------------------------------------------------------------

def protocol_number(protocol: str | None) -> int | None:
    """The IP protocol number of a stored protocol (None: any)."""
    if protocol is None:
        return None
    return PROTOCOLS[protocol] if protocol in PROTOCOLS else int(protocol)


def canonical(rule: dict) -> dict:
    """``rule`` (converted values, every rule attribute present) checked and
    rewritten as Neutron stores it, with its ``normalized_cidr``; raises the
    400 a client expects for an impossible rule."""
    rule = dict(rule)
    if rule["ethertype"] == IPV6:
        if rule["protocol"] in LEGACY_IPV6_ICMP:
            rule["protocol"] = "ipv6-icmp"
        elif rule["protocol"] == "1":
            rule["protocol"] = "58"
    if (rule["port_range_min"], rule["port_range_max"]) == (1, 65535):
        rule["port_range_min"] = rule["port_range_max"] = None
    _check_ports(rule)
    prefix = rule["remote_ip_prefix"]
    if prefix and rule["ethertype"] != f"IPv{ipaddress.ip_interface(prefix).version}":
        raise exception.SecurityGroupRuleParameterConflict(ethertype=rule["ethertype"],
                                                           cidr=prefix)
    if rule["protocol"] in IPV6_ONLY and rule["ethertype"] == IPV4:
        raise exception.SecurityGroupEthertypeConflictWithProtocol(
            ethertype=rule["ethertype"], protocol=rule["protocol"])
    remotes = [name for name in ("remote_ip_prefix", "remote_group_id",
                                 "remote_address_group_id") if rule.get(name)]
    if len(remotes) > 1:
        raise exception.SecurityGroupMultipleRemoteEntites()
    rule["normalized_cidr"] = normalized_cidr(prefix)
    return rule


def _check_ports(rule: dict) -> None:
    low, high = rule["port_range_min"], rule["port_range_max"]
    if low is None and high is None:
        return
    if not rule["protocol"]:
        raise exception.SecurityGroupProtocolRequiredWithPorts()
    number = protocol_number(rule["protocol"])
    if number in PORT_PROTOCOLS:
        if low == 0 or high == 0:
            raise exception.SecurityGroupInvalidPortValue(port=0)
        if low is None or high is None or low > high:
            raise exception.SecurityGroupInvalidPortRange()
    elif number in ICMP_NUMBERS:
        for name, field, value in (("port_range_min", "type", low),
                                   ("port_range_max", "code", high)):
            if value is not None and not 0 <= value <= 255:
                raise exception.SecurityGroupInvalidIcmpValue(field=field, attr=name,
                                                              value=value)
        if low is None:
            raise exception.SecurityGroupMissingIcmpType(value=high)
    else:
        raise exception.SecurityGroupInvalidProtocolForPort(
            protocol=number, valid_port_protocols=PORT_PROTOCOL_NAMES)


def key(rule: dict) -> tuple:
    """What makes a rule a duplicate of another in its group: the same
    direction, ethertype, ports, protocol (by name or number) and remote;
    no remote equals ``0.0.0.0/0`` and ``::/0``."""
    prefix = rule.get("remote_ip_prefix")
    return (rule["direction"], rule["ethertype"], rule.get("port_range_max"),
            rule.get("port_range_min"), _protocol_key(rule.get("protocol"), rule["ethertype"]),
            rule.get("remote_group_id"), rule.get("remote_address_group_id"),
            None if prefix in ANY_PREFIXES else prefix, rule["security_group_id"])


def _protocol_key(protocol: str | None, ethertype: str) -> tuple | None:
    if protocol is None:
        return None
    if ethertype == IPV6:
        if protocol in LEGACY_IPV6_ICMP:
            protocol = "ipv6-icmp"
        elif protocol == "1":
            protocol = "58"
    if protocol in PROTOCOLS:
        return protocol if protocol != "icmpv6" else "ipv6-icmp", str(PROTOCOLS[protocol])
    return NUMBER_NAMES.get(protocol, protocol), protocol
