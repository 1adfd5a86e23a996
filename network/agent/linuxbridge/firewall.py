"""Applying port filters and conntrack zones to the host's iptables.

Each change is one ``iptables-nft-restore --noflush`` and one
``ip6tables-nft-restore --noflush`` transaction (plus one ``ipset restore``
when remote groups changed), whatever the number of ports, and only touches
the scope's chains and the jumps to them. The nft backend is called by name,
so the host's alternatives never lead us to ``iptables-legacy``.

What exists is read back from ``iptables-nft-save`` on first use and after
any failed transaction, so a restarted agent keeps filtering the ports it
filtered before until it is told otherwise. A call naming many ports (the
agent's resync) rebuilds the dispatch chains whole, repairing drift; a call
naming a few edits them in place (cheaper: the nft backend's restore cost
grows with the table), and falls back to a rebuild if an edit fails.
"""
import logging
import os
from collections.abc import Sequence

from network.agent import driver, model, names
from network.agent.executor import CommandFailed, Executor, which
from network.agent.linuxbridge import sg_rules

LOG = logging.getLogger(__name__)
# The nft backend by name, whatever the host's alternatives say: never legacy.
SAVE = {4: "iptables-nft-save", 6: "ip6tables-nft-save"}
RESTORE = {4: "iptables-nft-restore", 6: "ip6tables-nft-restore"}
INET = {4: "inet", 6: "inet6"}
BRIDGE_SYSCTLS = ("bridge-nf-call-iptables", "bridge-nf-call-ip6tables")
MAX_ZONE = 65535
FULL_REBUILD_SHARE = 4  # naming >= 1/4 of the known ports rebuilds the dispatch chains


def enable_bridge_netfilter(executor: Executor) -> None:
    """Make bridged packets traverse iptables (br_netfilter), or HostError."""
    folder = "/proc/sys/net/bridge"
    if not os.path.isdir(folder) and which("modprobe"):
        executor.run(["modprobe", "br_netfilter"], check=False)
    if not os.path.isdir(folder):
        raise driver.HostError("br_netfilter is not available: bridged traffic cannot be "
                               "filtered (modprobe br_netfilter)")
    for name in BRIDGE_SYSCTLS:
        path = os.path.join(folder, name)
        with open(path) as current:
            if current.read().strip() == "1":
                continue
        with open(path, "w") as setting:
            setting.write("1\n")


class Firewall:
    """The host's port filters and conntrack zones, as iptables rules."""

    def __init__(self, executor: Executor, naming: names.Names):
        self.executor = executor
        self.rules = sg_rules.Rules(naming)
        self._loaded = False
        self._netfilter_checked = False
        self.ports: dict[str, bool] = {}  # port id -> filtered
        self.zones: dict[str, tuple[str, int]] = {}  # network id -> (bridge, zone)
        self._foreign_zones: set[int] = set()  # zones other agents' rules set
        self._chains: dict[int, dict[str, set[str]]] = {}  # family -> table -> chains
        self._jumps: dict[int, dict[str, set]] = {}
        self._port_sets: dict[str, set[str]] = {}  # port id -> ipsets its rules use
        self._sets: set[str] = set()  # this scope's ipsets on the host
        self._set_members: dict[str, frozenset[str]] = {}  # as last written

    # -- reading the host ------------------------------------------------

    def load(self) -> None:
        """Read back what the host has of ours."""
        ports: dict[str, bool] = {}
        self._port_sets = {}
        for family in (4, 6):
            found = self.rules.parse_save(self.executor.run([SAVE[family]]))
            for port_id, filtered in found["ports"].items():
                ports[port_id] = ports.get(port_id, False) or filtered
            if family == 4:
                self.zones = found["zones"]
                ours = {zone for _, zone in found["zones"].values()}
                self._foreign_zones = found["used_zones"] - ours
            self._chains[family] = found["chains"]
            self._jumps[family] = found["jumps"]
            for chain, sets in found["sets"].items():
                short_id = chain[len(self.rules.prefix) + 1:]
                self._port_sets.setdefault(short_id, set()).update(sets)
        self.ports = ports
        self._port_sets = {port_id: self._port_sets.get(port_id[:names.DEVICE_ID_LENGTH], set())
                           for port_id in ports}
        self._sets = self.sets()
        self._set_members = {}
        self._loaded = True

    def _ensure_loaded(self) -> None:
        if not self._loaded:
            self.load()

    # -- port filters ----------------------------------------------------

    def ensure_ports(self, ports: Sequence[model.PortSecurity]) -> None:
        if not self._netfilter_checked:
            enable_bridge_netfilter(self.executor)
            self._netfilter_checked = True
        self._transaction(lambda full: self._apply(list(ports), [], full))

    def remove_port(self, port_id: str) -> None:
        self._ensure_loaded()
        if port_id in self.ports:
            self._transaction(lambda full: self._apply([], [port_id], full))

    def _transaction(self, change) -> None:
        """``change(full)``: first as an in-place change; when that fails (our
        rules drifted), reread the host and rebuild the dispatch chains."""
        self._ensure_loaded()
        try:
            change(False)
        except CommandFailed as error:
            LOG.warning("iptables change failed, rereading the host and rebuilding: %s", error)
            self.load()
            try:
                change(True)
            except CommandFailed as again:
                raise driver.HostError(str(again)) from again

    def _apply(self, ports: list[model.PortSecurity], removed: list[str], full: bool) -> None:
        before = dict(self.ports)
        wanted = dict(before)
        for port in ports:
            wanted[port.port_id] = port.port_security_enabled
        for port_id in removed:
            wanted.pop(port_id, None)
        # A call naming many ports (a resync) rebuilds the dispatch chains
        # whole, repairing whatever drifted; a small one edits them in place.
        full = full or len(ports) * FULL_REBUILD_SHARE >= len(before)
        self._restore_sets(self.rules.remote_sets(ports))
        for family in (4, 6):
            text = self._render_filter(family, ports, before, wanted, full)
            self.executor.run([RESTORE[family], "--noflush"], stdin=text)
            self._record_chains(family, "filter", wanted)
        self.ports = wanted
        for port in ports:
            self._port_sets[port.port_id] = self.rules.sets_of(port)
        for port_id in removed:
            self._port_sets.pop(port_id, None)
        self._destroy_unused_sets()

    def _render_filter(self, family: int, ports: list[model.PortSecurity],
                       before: dict[str, bool], wanted: dict[str, bool], full: bool) -> str:
        rules = self.rules
        existing = self._chains.get(family, {}).get("filter", set())
        dispatch = (rules.forward, rules.input, rules.sg_chain, rules.accept)
        full = full or not set(dispatch) <= existing
        lines = ["*filter"]
        if full:
            lines += [f":{chain} - [0:0]" for chain in dispatch]
        rebuilt = {p.port_id for p in ports if p.port_security_enabled}
        for port_id in sorted(rebuilt):
            lines += [f":{chain} - [0:0]" for chain in rules.port_chains(port_id)]
        if full:
            lines += rules.dispatch_rules(wanted)
        else:
            for port_id in sorted(set(before) | set(wanted)):
                lines += rules.dispatch_changes(port_id, before.get(port_id),
                                                wanted.get(port_id))
        doomed = [chain for port_id in sorted(before)
                  if before[port_id] and not wanted.get(port_id)
                  for chain in rules.port_chains(port_id) if chain in existing]
        lines += [f"-F {chain}" for chain in doomed]
        lines += [f"-X {chain}" for chain in doomed]
        for port in ports:
            if port.port_security_enabled:
                lines += rules.chain_rules(port, family)
        jumps = self._jumps.get(family, {}).get("filter", set())
        for builtin, ours in rules.top_chains.items():
            if (builtin, ours) not in jumps:
                lines.append(f"-I {builtin} 1 -j {ours}")
        lines.append("COMMIT")
        return "\n".join(lines) + "\n"

    def _record_chains(self, family: int, table: str, wanted: dict[str, bool]) -> None:
        rules = self.rules
        chains = {rules.forward, rules.input, rules.sg_chain, rules.accept}
        chains.update(chain for port_id, filtered in wanted.items() if filtered
                      for chain in rules.port_chains(port_id))
        self._chains.setdefault(family, {})[table] = chains
        self._jumps.setdefault(family, {})[table] = set(rules.top_chains.items())

    # -- remote group ipsets ---------------------------------------------

    def _restore_sets(self, sets: dict[str, tuple[int, frozenset[str]]]) -> None:
        """Make each set hold exactly its members, atomically (fill a scratch
        set, swap); sets whose members did not change are not touched."""
        lines = []
        changed = {name: value for name, value in sorted(sets.items())
                   if self._set_members.get(name) != value[1]}
        for index, (name, (family, members)) in enumerate(changed.items()):
            scratch = f"{self.rules.ipset_prefix}-tmp{index}"
            kind = f"hash:net family {INET[family]}"
            lines += [f"create {name} {kind} -exist", f"create {scratch} {kind} -exist",
                      f"flush {scratch}"]
            lines += [f"add {scratch} {member} -exist" for member in sorted(members)
                      if not member.endswith("/0")]
            lines += [f"swap {scratch} {name}", f"destroy {scratch}"]
        if not lines:
            return
        self.executor.run(["ipset", "restore"], stdin="\n".join(lines) + "\n")
        for name, (_, members) in changed.items():
            self._set_members[name] = members
            self._sets.add(name)

    def _destroy_unused_sets(self) -> None:
        used = set().union(*self._port_sets.values())
        for name in sorted(self._sets - used):
            self.executor.run(["ipset", "destroy", name], check=False)
            self._sets.discard(name)
            self._set_members.pop(name, None)

    def sets(self) -> set[str]:
        """The ipsets of this scope on the host."""
        if not which("ipset"):
            return set()
        out = self.executor.run(["ipset", "list", "-n"], check=False)
        start = (f"{self.rules.ipset_prefix}4-", f"{self.rules.ipset_prefix}6-",
                 f"{self.rules.ipset_prefix}-tmp")
        return {name for name in out.split() if name.startswith(start)}

    # -- conntrack zones ---------------------------------------------------

    def ensure_zone(self, network_id: str, bridge: str) -> None:
        self._ensure_loaded()
        if self.zones.get(network_id, (None,))[0] == bridge:
            return
        used = {zone for _, zone in self.zones.values()} | self._foreign_zones
        zone = next(z for z in range(1, MAX_ZONE + 1) if z not in used)
        zones = dict(self.zones, **{network_id: (bridge, zone)})
        self._transaction(lambda full: self._apply_zones(zones))

    def remove_zone(self, network_id: str) -> None:
        self._ensure_loaded()
        if network_id in self.zones:
            zones = {k: v for k, v in self.zones.items() if k != network_id}
            self._transaction(lambda full: self._apply_zones(zones))

    def _apply_zones(self, zones: dict[str, tuple[str, int]]) -> None:
        for family in (4, 6):
            chain = self.rules.prerouting
            lines = ["*raw", f":{chain} - [0:0]"]
            lines += self.rules.zone_rules(zones)
            if ("PREROUTING", chain) not in self._jumps.get(family, {}).get("raw", set()):
                lines.append(f"-I PREROUTING 1 -j {chain}")
            lines.append("COMMIT")
            self.executor.run([RESTORE[family], "--noflush"], stdin="\n".join(lines) + "\n")
            self._chains.setdefault(family, {})["raw"] = {chain}
            self._jumps.setdefault(family, {})["raw"] = {("PREROUTING", chain)}
        self.zones = zones

    # -- everything ----------------------------------------------------------

    def cleanup_all(self) -> None:
        """Remove every stratus chain, jump, zone and ipset from the host."""
        self.load()
        for family in (4, 6):
            for table, chains in self._chains.get(family, {}).items():
                if not chains:
                    continue
                lines = [f"*{table}"]
                lines += [f"-D {builtin} -j {ours}"
                          for builtin, ours in sorted(self._jumps[family].get(table, ()))]
                lines += [f"-F {chain}" for chain in sorted(chains)]
                lines += [f"-X {chain}" for chain in sorted(chains)]
                lines.append("COMMIT")
                self.executor.run([RESTORE[family], "--noflush"],
                                  stdin="\n".join(lines) + "\n")
        for name in sorted(self.sets()):
            self.executor.run(["ipset", "destroy", name], check=False)
        self.load()
