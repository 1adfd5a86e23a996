"""What each port's filter must be on its host: the state the network agent's
firewall is built from (read by the RPC layer, never by the API).

:func:`rules_for_ports` gives, per port, a dict with the keys of
``network.agent.model.PortSecurity`` (``port_id``, ``network_id``,
``mac_address``, ``ip_addresses``, ``allowed_address_pairs``,
``port_security_enabled``, ``rules``) plus ``security_groups`` (the ids)
and ``stateful`` (False when the port's groups are stateless). Each rule
has the keys of ``SecurityRule``; a rule naming a remote group carries
``remote_ips``: the fixed IPs and allowed address pairs of that group's
member ports, of the rule's ethertype. A port without port security has no
rules.

:func:`ports_affected_by` says which ports' filters may change when the
rules or the members of some groups change: their members, and the members
of groups whose rules name them as remote group.

Both take a session or a :class:`stratus.db.Database` (then they read in a
transaction of their own) and run a fixed number of queries whatever the
number of ports.
"""
from __future__ import annotations

import ipaddress
from collections import defaultdict

import sqlalchemy as sa

from network import models
from stratus import db as stratus_db

RULE = models.SecurityGroupRule
BINDING = models.PortSecurityGroup


def rules_for_ports(session_or_db, port_ids: list[str]) -> dict[str, dict]:
    """The filter of each existing port of ``port_ids``, by port id."""
    if isinstance(session_or_db, stratus_db.Database):
        with session_or_db.reader() as session:
            return rules_for_ports(session, port_ids)
    session = session_or_db
    if not port_ids:
        return {}
    ports = session.scalars(sa.select(models.Port).where(models.Port.id.in_(port_ids))).all()
    ids = [port.id for port in ports]
    addresses = _addresses(session, ids)
    groups = _groups_of(session, ids)
    group_ids = {group for found in groups.values() for group in found}
    rules = _rules(session, group_ids)
    stateful = dict(session.execute(sa.select(models.SecurityGroup.id,
                                              models.SecurityGroup.stateful).where(
        models.SecurityGroup.id.in_(group_ids))).all()) if group_ids else {}
    remotes = _member_addresses(session, {rule.remote_group_id for found in rules.values()
                                          for rule in found if rule.remote_group_id})
    result = {}
    views: dict[str, dict] = {}  # a rule's view is the same for every port
    for port in ports:
        mine = groups[port.id] if port.port_security_enabled else []
        port_rules = []
        for group in mine:
            for rule in rules[group]:
                if rule.id not in views:
                    views[rule.id] = _rule(rule, remotes)
                view = views[rule.id]
                if view not in port_rules:
                    port_rules.append(view)
        result[port.id] = {
            "port_id": port.id, "network_id": port.network_id,
            "mac_address": port.mac_address, "ip_addresses": addresses[port.id],
            "allowed_address_pairs": [dict(pair) for pair in port.allowed_address_pairs],
            "port_security_enabled": port.port_security_enabled,
            "security_groups": list(mine),
            "stateful": all(stateful.get(group, True) for group in mine),
            "rules": port_rules,
        }
    return result


def ports_affected_by(session_or_db, group_ids: list[str]) -> list[str]:
    """Ids (sorted) of the ports whose filters depend on any of ``group_ids``."""
    if isinstance(session_or_db, stratus_db.Database):
        with session_or_db.reader() as session:
            return ports_affected_by(session, group_ids)
    session = session_or_db
    if not group_ids:
        return []
    referring = sa.select(RULE.security_group_id).where(RULE.remote_group_id.in_(group_ids))
    found = session.scalars(sa.select(BINDING.port_id).distinct().where(sa.or_(
        BINDING.security_group_id.in_(group_ids),
        BINDING.security_group_id.in_(referring))))
    return sorted(found)


def _addresses(session, port_ids: list[str]) -> dict[str, list[str]]:
    addresses: dict[str, list[str]] = {port_id: [] for port_id in port_ids}
    if port_ids:
        for port_id, address in session.execute(
                sa.select(models.IPAllocation.port_id, models.IPAllocation.ip_address)
                .where(models.IPAllocation.port_id.in_(port_ids))
                .order_by(models.IPAllocation.ip_address)):
            addresses[port_id].append(address)
    return addresses


def _groups_of(session, port_ids: list[str]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {port_id: [] for port_id in port_ids}
    if port_ids:
        for port_id, group in session.execute(
                sa.select(BINDING.port_id, BINDING.security_group_id)
                .where(BINDING.port_id.in_(port_ids))
                .order_by(BINDING.security_group_id)):
            groups[port_id].append(group)
    return groups


def _rules(session, group_ids: set[str]) -> dict[str, list]:
    rules: dict[str, list] = defaultdict(list)
    if group_ids:
        for rule in session.scalars(sa.select(RULE).where(RULE.security_group_id.in_(
                group_ids)).order_by(RULE.created_at, RULE.id)):
            rules[rule.security_group_id].append(rule)
    return rules


def _member_addresses(session, group_ids: set[str]) -> dict[str, set[str]]:
    """Every address (fixed IP or allowed address pair) of each group's members."""
    members: dict[str, set[str]] = {group: set() for group in group_ids}
    if not group_ids:
        return members
    for group, address in session.execute(
            sa.select(BINDING.security_group_id, models.IPAllocation.ip_address)
            .join(models.IPAllocation, models.IPAllocation.port_id == BINDING.port_id)
            .where(BINDING.security_group_id.in_(group_ids))):
        members[group].add(address)
    for group, pairs in session.execute(
            sa.select(BINDING.security_group_id, models.Port.allowed_address_pairs)
            .join(models.Port, models.Port.id == BINDING.port_id)
            .where(BINDING.security_group_id.in_(group_ids))):
        members[group].update(pair["ip_address"] for pair in pairs or [])
    return members


def _rule(rule: models.SecurityGroupRule, remotes: dict[str, set[str]]) -> dict:
    view = {
        "direction": rule.direction, "ethertype": rule.ethertype, "protocol": rule.protocol,
        "port_range_min": rule.port_range_min, "port_range_max": rule.port_range_max,
        "remote_ip_prefix": rule.normalized_cidr, "remote_group_id": rule.remote_group_id,
        "remote_ips": [],
    }
    if rule.remote_group_id:
        version = 6 if rule.ethertype == "IPv6" else 4
        view["remote_ips"] = sorted(
            (address for address in remotes.get(rule.remote_group_id, ())
             if ipaddress.ip_network(address, strict=False).version == version),
            key=_address_order)
    return view


def _address_order(address: str) -> tuple:
    network = ipaddress.ip_network(address, strict=False)
    return network.version, network.network_address, network.prefixlen
