"""Port filters as iptables rules: pure functions from model to rule text.

Host ``filter`` table layout (the same in iptables and ip6tables; ``P`` is
the scope's chain prefix, ``stratus-`` on a real node)::

    FORWARD -> P FORWARD: -j P sg-chain, then -j P accept
    P sg-chain: per filtered port, traffic bridged into its tap jumps to
               P i<port> (ingress rules), out of it to P o<port> (egress
               rules, then anti-spoofing P s<port>); each RETURNs what it
               allows and DROPs the rest.
    P accept:  per port, filtered or not, traffic bridged into or out of its
               tap is ACCEPTed: it got there only if every filtered port it
               crosses allowed it.
    INPUT  -> P INPUT: packets from a filtered port's tap to the host itself
               go through the port's egress chain.

The order of the per-port rules never matters, so a change appends or
deletes rules and never inserts (cheaper with the nft backend).
Port chains end in DROP; connection tracking makes them stateful (replies
of allowed traffic pass, INVALID is dropped). Remote groups match ipsets
(``ipset_name``). Dispatch rules carry the comment ``P port:<port id>``,
from which ``parse_save`` recovers the ports after a restart. The raw table
gives each tenant bridge its own conntrack zone (``zone_rules``).
"""
import ipaddress
import re
from collections.abc import Iterable, Sequence

from network.agent import model, names

ESTABLISHED = ["-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "RETURN"]
INVALID = ["-m", "conntrack", "--ctstate", "INVALID", "-j", "DROP"]
IPSET_NAME_MAX = 31

# Protocol names Neutron accepts, as numbers (no dependency on /etc/protocols).
PROTOCOLS = {
    "ah": 51, "dccp": 33, "egp": 8, "esp": 50, "gre": 47, "hopopt": 0, "icmp": 1,
    "igmp": 2, "ipip": 4, "ipv6-encap": 41, "ipv6-frag": 44, "ipv6-icmp": 58,
    "icmpv6": 58, "ipv6-nonxt": 59, "ipv6-opts": 60, "ipv6-route": 43, "ospf": 89,
    "pgm": 113, "rsvp": 46, "sctp": 132, "tcp": 6, "udp": 17, "udplite": 136, "vrrp": 112,
}
PORT_PROTOCOLS = {6: "tcp", 17: "udp", 132: "sctp", 136: "udplite"}
ICMP_NAMES = {1: "icmp", 58: "ipv6-icmp"}


def family_of(address: str) -> int:
    return ipaddress.ip_network(address, strict=False).version


def ethertype_family(ethertype: str) -> int:
    return 6 if ethertype == model.IPV6 else 4


def protocol_number(protocol: str | int | None) -> int | None:
    """The IP protocol number of a rule's protocol, None for any; ValueError
    for a name Neutron does not know."""
    if protocol is None or str(protocol).lower() in ("", "any"):
        return None
    text = str(protocol).lower()
    if text.isdigit():
        return int(text)
    if text not in PROTOCOLS:
        raise ValueError(f"unknown protocol {protocol!r}")
    return PROTOCOLS[text]


def port_matches(rule: model.SecurityRule, number: int | None, family: int) -> list[str]:
    """Match words for a rule's port range (TCP-like) or ICMP type/code."""
    low, high = rule.port_range_min, rule.port_range_max
    if number in PORT_PROTOCOLS and (low is not None or high is not None):
        low = 1 if low is None else low
        high = 65535 if high is None else high
        if (low, high) == (1, 65535):
            return []
        span = str(low) if low == high else f"{low}:{high}"
        return ["-m", PORT_PROTOCOLS[number], "--dport", span]
    if number in ICMP_NAMES and low is not None:
        kind = str(low) if high is None else f"{low}/{high}"
        if family == 4:
            return ["-m", "icmp", "--icmp-type", kind]
        return ["-m", "icmp6", "--icmpv6-type", kind]
    return []


def link_local(mac: str) -> str:
    """The EUI-64 IPv6 link-local address a guest derives from its MAC."""
    octets = [int(part, 16) for part in mac.split(":")]
    octets[0] ^= 0x02
    interface_id = bytes(octets[:3] + [0xFF, 0xFE] + octets[3:])
    return str(ipaddress.IPv6Address(b"\xfe\x80" + bytes(6) + interface_id))


def spoof_pairs(port: model.PortSecurity, family: int) -> list[tuple[str, str]]:
    """(source network, MAC) pairs that may leave the port's tap."""
    pairs = [(ip, port.mac_address) for ip in port.ip_addresses]
    pairs += [(pair.ip_address, pair.mac_address or port.mac_address)
              for pair in port.allowed_address_pairs]
    if family == 6:  # link-local addresses, as guests derive them from MACs
        macs = sorted({mac for _, mac in pairs} | {port.mac_address})
        pairs += [(link_local(mac), mac) for mac in macs]
    found: list[tuple[str, str]] = []
    for ip, mac in pairs:
        network = ipaddress.ip_network(ip, strict=False)
        pair = (str(network), mac.lower())
        if network.version == family and pair not in found:
            found.append(pair)
    return found


def _line(chain: str, words: Sequence[str]) -> str:
    return " ".join(["-A", chain, *words])


class Rules:
    """The rule text of one scope (``names.Names``)."""

    def __init__(self, naming: names.Names):
        prefix = naming.chain_prefix
        self.prefix = prefix
        self.forward = f"{prefix}FORWARD"
        self.input = f"{prefix}INPUT"
        self.sg_chain = f"{prefix}sg-chain"
        self.accept = f"{prefix}accept"
        self.prerouting = f"{prefix}PREROUTING"
        self.top_chains = {"FORWARD": self.forward, "INPUT": self.input}
        self.port_comment = f"{prefix}port:"
        self.zone_comment = f"{prefix}zone:"
        self.ipset_prefix = naming.tag
        self._port_line = re.compile(rf"^-A ({re.escape(self.accept)}|{re.escape(self.sg_chain)})"
                                     rf" .*--comment \"?{re.escape(self.port_comment)}"
                                     rf"([^\s\"]+)\"?")
        self._zone_line = re.compile(rf"^-A {re.escape(self.prerouting)} -i (\S+) .*--comment "
                                     rf"\"?{re.escape(self.zone_comment)}([^\s\"]+)\"?"
                                     rf".* --zone (\d+)")

    def ingress_chain(self, port_id: str) -> str:
        return f"{self.prefix}i{port_id[:names.DEVICE_ID_LENGTH]}"

    def egress_chain(self, port_id: str) -> str:
        return f"{self.prefix}o{port_id[:names.DEVICE_ID_LENGTH]}"

    def spoof_chain(self, port_id: str) -> str:
        return f"{self.prefix}s{port_id[:names.DEVICE_ID_LENGTH]}"

    def port_chains(self, port_id: str) -> list[str]:
        return [self.ingress_chain(port_id), self.egress_chain(port_id),
                self.spoof_chain(port_id)]

    def ipset_name(self, group_id: str, family: int) -> str:
        """The ipset of a remote group's members (at most 31 characters)."""
        start = f"{self.ipset_prefix}{family}-"
        return start + group_id.replace("-", "")[:IPSET_NAME_MAX - len(start)]

    def rule_matches(self, rule: model.SecurityRule, family: int) -> list[str] | None:
        """Match words (ending ``-j RETURN``) for one SG rule in ``family``'s
        table, or None when the rule does not apply there."""
        if ethertype_family(rule.ethertype) != family:
            return None
        words: list[str] = []
        number = protocol_number(rule.protocol)
        if number == 1 and family == 6:  # Neutron: "icmp" on IPv6 means ICMPv6
            number = 58
        if number:
            name = PORT_PROTOCOLS.get(number) or ICMP_NAMES.get(number)
            words += ["-p", name or str(number)]
        side = "-s" if rule.direction == model.INGRESS else "-d"
        if rule.remote_ip_prefix:
            network = ipaddress.ip_network(rule.remote_ip_prefix, strict=False)
            if network.version != family:
                return None
            if network.prefixlen:
                words += [side, str(network)]
        if rule.remote_group_id:
            words += ["-m", "set", "--match-set", self.ipset_name(rule.remote_group_id, family),
                      "src" if rule.direction == model.INGRESS else "dst"]
        return words + port_matches(rule, number, family) + ["-j", "RETURN"]

    def chain_rules(self, port: model.PortSecurity, family: int) -> list[str]:
        """The lines (``-A <chain> …``) of the port's own chains in
        ``family``'s table: ingress, egress and anti-spoofing."""
        ingress, egress, spoof = self.port_chains(port.port_id)
        lines = [_line(ingress, ESTABLISHED), _line(ingress, INVALID)]
        if family == 4:
            lines.append(_line(ingress, "-p udp -m udp --sport 67 --dport 68 -j RETURN".split()))
            out_first = ["-s 0.0.0.0/32 -d 255.255.255.255/32 -p udp -m udp --sport 68 "
                         "--dport 67"]
            out_after = ["-p udp -m udp --sport 68 --dport 67 -j RETURN",
                         "-p udp -m udp --sport 67 --dport 68 -j DROP"]
        else:
            lines += [_line(ingress, f"-p ipv6-icmp -m icmp6 --icmpv6-type {kind} -j RETURN"
                            .split()) for kind in (130, 131, 132, 134, 135, 136)]
            lines.append(_line(ingress,
                               "-p udp -m udp --sport 547 --dport 546 -j RETURN".split()))
            out_first = [f"-s ::/128 -d ff02::/16 -p ipv6-icmp -m icmp6 --icmpv6-type {kind}"
                         for kind in (131, 135, 143)]
            out_after = ["-p ipv6-icmp -m icmp6 --icmpv6-type 134 -j DROP",
                         "-p ipv6-icmp -j RETURN",
                         "-p udp -m udp --sport 546 --dport 547 -j RETURN",
                         "-p udp -m udp --sport 547 --dport 546 -j DROP"]
        lines += [_line(egress, f"{text} -j RETURN".split()) for text in out_first]
        lines.append(_line(egress, ["-j", spoof]))
        lines += [_line(egress, text.split()) for text in out_after]
        lines += [_line(egress, ESTABLISHED), _line(egress, INVALID)]
        for rule in port.rules:
            words = self.rule_matches(rule, family)
            if words is not None:
                chain = ingress if rule.direction == model.INGRESS else egress
                lines.append(_line(chain, words))
        lines += [_line(ingress, ["-j", "DROP"]), _line(egress, ["-j", "DROP"])]
        for ip, mac in spoof_pairs(port, family):
            lines.append(_line(spoof, ["-s", ip, "-m", "mac", "--mac-source", mac,
                                       "-j", "RETURN"]))
        lines.append(_line(spoof, ["-j", "DROP"]))
        return lines

    def remote_sets(self, ports: Iterable[model.PortSecurity]
                    ) -> dict[str, tuple[int, frozenset[str]]]:
        """{ipset name: (family, member networks)} for the remote groups the
        ports' rules name."""
        sets: dict[str, tuple[int, frozenset[str]]] = {}
        for port in ports:
            if not port.port_security_enabled:
                continue
            for rule in port.rules:
                if rule.remote_group_id:
                    family = ethertype_family(rule.ethertype)
                    members = frozenset(str(ipaddress.ip_network(ip, strict=False))
                                        for ip in rule.remote_ips if family_of(ip) == family)
                    sets[self.ipset_name(rule.remote_group_id, family)] = (family, members)
        return sets

    def sets_of(self, port: model.PortSecurity) -> set[str]:
        if not port.port_security_enabled:
            return set()
        return {self.ipset_name(rule.remote_group_id, family)
                for rule in port.rules if rule.remote_group_id for family in (4, 6)}

    def port_dispatch(self, port_id: str, filtered: bool) -> list[tuple[str, list[str]]]:
        """(chain, match words and target) of the dispatch rules of one port.
        Their order does not matter, so changes only ever append or delete."""
        tap = names.tap(port_id)
        comment = ["-m", "comment", "--comment", self.port_comment + port_id]
        out_of_vm = ["-m", "physdev", "--physdev-in", tap, "--physdev-is-bridged"]
        into_vm = ["-m", "physdev", "--physdev-out", tap, "--physdev-is-bridged"]
        rules = [(self.accept, into_vm + comment + ["-j", "ACCEPT"]),
                 (self.accept, out_of_vm + comment + ["-j", "ACCEPT"])]
        if filtered:
            rules += [(self.sg_chain, into_vm + comment + ["-j", self.ingress_chain(port_id)]),
                      (self.sg_chain, out_of_vm + comment + ["-j", self.egress_chain(port_id)]),
                      (self.input, ["-m", "physdev", "--physdev-in", tap] + comment
                       + ["-j", self.egress_chain(port_id)])]
        return rules

    def dispatch_rules(self, ports: dict[str, bool]) -> list[str]:
        """All the lines of the (flushed) dispatch chains for ``ports``
        ({port id: filtered})."""
        lines = [_line(self.forward, ["-j", self.sg_chain]),
                 _line(self.forward, ["-j", self.accept])]
        for port_id in sorted(ports):
            lines += [_line(chain, words)
                      for chain, words in self.port_dispatch(port_id, ports[port_id])]
        return lines

    def dispatch_changes(self, port_id: str, old: bool | None, new: bool | None) -> list[str]:
        """Lines that turn the port's dispatch rules from ``old`` to ``new``
        (filtered, unfiltered, or None: absent) in place."""
        before = [] if old is None else self.port_dispatch(port_id, old)
        after = [] if new is None else self.port_dispatch(port_id, new)
        return ([" ".join(["-D", chain, *words]) for chain, words in before
                 if (chain, words) not in after]
                + [_line(chain, words) for chain, words in after
                   if (chain, words) not in before])

    def zone_rules(self, zones: dict[str, tuple[str, int]]) -> list[str]:
        """raw-table lines giving each tenant bridge's traffic its own
        conntrack zone ({network id: (bridge, zone)}), so overlapping tenant
        addresses never share connection state."""
        return [_line(self.prerouting, ["-i", bridge, "-m", "comment", "--comment",
                                        self.zone_comment + network_id, "-j", "CT",
                                        "--zone", str(zone)])
                for network_id, (bridge, zone) in sorted(zones.items())]

    def parse_save(self, text: str) -> dict:
        """What an iptables-save dump holds of this scope: ``ports`` {id:
        filtered}, ``zones`` {network id: (bridge, zone)}, ``chains`` (chain
        names by table), ``jumps`` ((built-in chain, our chain) pairs by
        table), ``sets`` ({our chain: ipsets its rules name}) and
        ``used_zones`` (every conntrack zone any rule sets, ours or not)."""
        found: dict = {"ports": {}, "zones": {}, "chains": {}, "jumps": {}, "sets": {},
                       "used_zones": set()}
        table = None
        for line in text.splitlines():
            if line.startswith("*"):
                table = line[1:]
                found["chains"].setdefault(table, set())
                found["jumps"].setdefault(table, set())
                continue
            if line.startswith(":"):
                chain = line[1:].split()[0]
                if chain.startswith(self.prefix):
                    found["chains"][table].add(chain)
                continue
            if not line.startswith("-A "):
                continue
            words = line.split()
            if "--zone" in words:
                found["used_zones"].add(int(words[words.index("--zone") + 1]))
            if not words[1].startswith(self.prefix) and words[-1].startswith(self.prefix):
                found["jumps"][table].add((words[1], words[-1]))
            if (port := self._port_line.match(line)) is not None:
                filtered = port.group(1) == self.sg_chain
                found["ports"][port.group(2)] = found["ports"].get(port.group(2)) or filtered
            elif (zone := self._zone_line.match(line)) is not None:
                found["zones"][zone.group(2)] = (zone.group(1), int(zone.group(3)))
            if words[1].startswith(self.prefix) and "--match-set" in words:
                name = words[words.index("--match-set") + 1]
                found["sets"].setdefault(words[1], set()).add(name)
        return found
