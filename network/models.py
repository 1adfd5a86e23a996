"""Network tables. Times are naive UTC with microseconds (so creation order is
exact; the API shows them without).

Every API resource carries Neutron's standard attributes (:class:`Standard`:
project, description, revision number, timestamps); tags of any resource live
in one ``tag`` table keyed by (resource type, id), so later resources
(routers, floating IPs, security groups) get tags by using their collection
name as ``resource_type``.

Uniqueness the database guarantees (and the managers rely on, retrying or
answering 409 when a concurrent writer wins):

* ``ip_allocation`` (network_id, ip_address): an address is held by one port;
* ``port`` (network_id, mac_address): a MAC is used once per network;
* ``network.segment_key``: a VNI (``vxlan:<vni>``) or a flat physical network
  (``flat:<physnet>``) backs one network;
* ``router_port.port_id``: a port serves one router;
* ``floatingip`` (floating_network_id, fixed_port_id, fixed_ip_address): a
  fixed IP has one floating IP per external network.
"""
import datetime

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.dialects import mysql

ID = sa.String(36)
PROJECT = sa.String(255)
TIME = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


class Base(orm.DeclarativeBase):
    pass


class Standard:
    """Columns every resource has (Neutron's standard attributes)."""

    id: orm.Mapped[str] = orm.mapped_column(ID, primary_key=True, sort_order=-1)
    project_id: orm.Mapped[str] = orm.mapped_column(PROJECT, index=True, default="",
                                                    sort_order=-1)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(255), default="", sort_order=-1)
    description: orm.Mapped[str] = orm.mapped_column(sa.String(255), default="",
                                                     sort_order=-1)
    revision_number: orm.Mapped[int] = orm.mapped_column(sa.BigInteger, default=0,
                                                         sort_order=1)
    created_at: orm.Mapped[datetime.datetime] = orm.mapped_column(TIME, default=utcnow,
                                                                  sort_order=1)
    updated_at: orm.Mapped[datetime.datetime] = orm.mapped_column(TIME, default=utcnow,
                                                                  sort_order=1)


class Network(Standard, Base):
    __tablename__ = "network"

    admin_state_up: orm.Mapped[bool] = orm.mapped_column(default=True)
    status: orm.Mapped[str] = orm.mapped_column(sa.String(16), default="ACTIVE")
    shared: orm.Mapped[bool] = orm.mapped_column(default=False)
    external: orm.Mapped[bool] = orm.mapped_column(default=False)
    is_default: orm.Mapped[bool] = orm.mapped_column(default=False)
    mtu: orm.Mapped[int] = orm.mapped_column(default=1500)
    port_security_enabled: orm.Mapped[bool] = orm.mapped_column(default=True)
    network_type: orm.Mapped[str] = orm.mapped_column(sa.String(16))
    physical_network: orm.Mapped[str | None] = orm.mapped_column(sa.String(64))
    segmentation_id: orm.Mapped[int | None] = orm.mapped_column()
    segment_key: orm.Mapped[str | None] = orm.mapped_column(sa.String(80), unique=True)
    availability_zone_hints: orm.Mapped[list] = orm.mapped_column(sa.JSON, default=list)


class SubnetPool(Standard, Base):
    __tablename__ = "subnetpool"

    ip_version: orm.Mapped[int] = orm.mapped_column()
    prefixes: orm.Mapped[list] = orm.mapped_column(sa.JSON)
    default_prefixlen: orm.Mapped[int] = orm.mapped_column()
    min_prefixlen: orm.Mapped[int] = orm.mapped_column()
    max_prefixlen: orm.Mapped[int] = orm.mapped_column()
    shared: orm.Mapped[bool] = orm.mapped_column(default=False)
    is_default: orm.Mapped[bool] = orm.mapped_column(default=False)
    default_quota: orm.Mapped[int | None] = orm.mapped_column()


class Subnet(Standard, Base):
    __tablename__ = "subnet"

    network_id: orm.Mapped[str] = orm.mapped_column(
        sa.ForeignKey("network.id", ondelete="CASCADE"), index=True)
    ip_version: orm.Mapped[int] = orm.mapped_column()
    cidr: orm.Mapped[str] = orm.mapped_column(sa.String(64))
    gateway_ip: orm.Mapped[str | None] = orm.mapped_column(sa.String(64))
    enable_dhcp: orm.Mapped[bool] = orm.mapped_column(default=True)
    ipv6_ra_mode: orm.Mapped[str | None] = orm.mapped_column(sa.String(16))
    ipv6_address_mode: orm.Mapped[str | None] = orm.mapped_column(sa.String(16))
    subnetpool_id: orm.Mapped[str | None] = orm.mapped_column(ID, index=True)
    allocation_pools: orm.Mapped[list] = orm.mapped_column(sa.JSON, default=list)
    dns_nameservers: orm.Mapped[list] = orm.mapped_column(sa.JSON, default=list)
    host_routes: orm.Mapped[list] = orm.mapped_column(sa.JSON, default=list)
    service_types: orm.Mapped[list] = orm.mapped_column(sa.JSON, default=list)


class Port(Standard, Base):
    __tablename__ = "port"
    __table_args__ = (sa.UniqueConstraint("network_id", "mac_address",
                                          name="uniq_port_network_mac"),)

    network_id: orm.Mapped[str] = orm.mapped_column(
        sa.ForeignKey("network.id", ondelete="CASCADE"), index=True)
    mac_address: orm.Mapped[str] = orm.mapped_column(sa.String(32))
    admin_state_up: orm.Mapped[bool] = orm.mapped_column(default=True)
    status: orm.Mapped[str] = orm.mapped_column(sa.String(16), default="DOWN")
    device_id: orm.Mapped[str] = orm.mapped_column(sa.String(255), default="", index=True)
    device_owner: orm.Mapped[str] = orm.mapped_column(sa.String(255), default="",
                                                      index=True)
    port_security_enabled: orm.Mapped[bool] = orm.mapped_column(default=True)
    binding_host_id: orm.Mapped[str] = orm.mapped_column(sa.String(255), default="",
                                                         index=True)
    binding_vnic_type: orm.Mapped[str] = orm.mapped_column(sa.String(64), default="normal")
    binding_vif_type: orm.Mapped[str] = orm.mapped_column(sa.String(64), default="unbound")
    binding_vif_details: orm.Mapped[dict] = orm.mapped_column(sa.JSON, default=dict)
    binding_profile: orm.Mapped[dict] = orm.mapped_column(sa.JSON, default=dict)
    allowed_address_pairs: orm.Mapped[list] = orm.mapped_column(sa.JSON, default=list)
    extra_dhcp_opts: orm.Mapped[list] = orm.mapped_column(sa.JSON, default=list)


class IPAllocation(Base):
    """An address held by a port (a port's ``fixed_ips`` entry)."""

    __tablename__ = "ip_allocation"

    network_id: orm.Mapped[str] = orm.mapped_column(
        sa.ForeignKey("network.id", ondelete="CASCADE"), primary_key=True)
    ip_address: orm.Mapped[str] = orm.mapped_column(sa.String(64), primary_key=True)
    subnet_id: orm.Mapped[str] = orm.mapped_column(
        sa.ForeignKey("subnet.id", ondelete="CASCADE"), index=True)
    port_id: orm.Mapped[str] = orm.mapped_column(
        sa.ForeignKey("port.id", ondelete="CASCADE"), index=True)


class PortSecurityGroup(Base):
    """A security group a port is in (ids only; the security-group tables
    and their checks belong to :mod:`network.security_groups`)."""

    __tablename__ = "port_security_groups"

    port_id: orm.Mapped[str] = orm.mapped_column(
        sa.ForeignKey("port.id", ondelete="CASCADE"), primary_key=True)
    security_group_id: orm.Mapped[str] = orm.mapped_column(ID, primary_key=True, index=True)


class SecurityGroup(Standard, Base):
    """A security group; its rules are :class:`SecurityGroupRule` rows."""

    __tablename__ = "security_group"

    stateful: orm.Mapped[bool] = orm.mapped_column(default=True)


class DefaultSecurityGroup(Base):
    """Which group is a project's ``default`` one: at most one per project
    (the primary key), so concurrent first uses create it once."""

    __tablename__ = "default_security_group"

    project_id: orm.Mapped[str] = orm.mapped_column(PROJECT, primary_key=True)
    security_group_id: orm.Mapped[str] = orm.mapped_column(
        sa.ForeignKey("security_group.id", ondelete="CASCADE"), unique=True)


class SecurityGroupRule(Base):
    """A rule of a security group (standard attributes without a name).
    ``remote_ip_prefix`` is kept as given (address/prefix length),
    ``normalized_cidr`` is its network."""

    __tablename__ = "security_group_rule"

    id: orm.Mapped[str] = orm.mapped_column(ID, primary_key=True)
    project_id: orm.Mapped[str] = orm.mapped_column(PROJECT, index=True, default="")
    description: orm.Mapped[str] = orm.mapped_column(sa.String(255), default="")
    security_group_id: orm.Mapped[str] = orm.mapped_column(
        sa.ForeignKey("security_group.id", ondelete="CASCADE"), index=True)
    remote_group_id: orm.Mapped[str | None] = orm.mapped_column(
        sa.ForeignKey("security_group.id", ondelete="CASCADE"), index=True)
    remote_address_group_id: orm.Mapped[str | None] = orm.mapped_column(ID)
    direction: orm.Mapped[str] = orm.mapped_column(sa.String(16))
    ethertype: orm.Mapped[str] = orm.mapped_column(sa.String(40))
    protocol: orm.Mapped[str | None] = orm.mapped_column(sa.String(40))
    port_range_min: orm.Mapped[int | None] = orm.mapped_column()
    port_range_max: orm.Mapped[int | None] = orm.mapped_column()
    remote_ip_prefix: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    normalized_cidr: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    revision_number: orm.Mapped[int] = orm.mapped_column(sa.BigInteger, default=0)
    created_at: orm.Mapped[datetime.datetime] = orm.mapped_column(TIME, default=utcnow)
    updated_at: orm.Mapped[datetime.datetime] = orm.mapped_column(TIME, default=utcnow)


class Tag(Base):
    __tablename__ = "tag"
    __table_args__ = (sa.Index("ix_tag_resource_type_tag", "resource_type", "tag"),)

    resource_type: orm.Mapped[str] = orm.mapped_column(sa.String(64), primary_key=True)
    resource_id: orm.Mapped[str] = orm.mapped_column(ID, primary_key=True)
    tag: orm.Mapped[str] = orm.mapped_column(sa.String(255), primary_key=True)


class Quota(Base):
    """A project's limit for one resource, where it differs from the default."""

    __tablename__ = "quota"

    project_id: orm.Mapped[str] = orm.mapped_column(PROJECT, primary_key=True)
    resource: orm.Mapped[str] = orm.mapped_column(sa.String(64), primary_key=True)
    limit: orm.Mapped[int] = orm.mapped_column()


class Agent(Base):
    """One agent type running on one host, as its heartbeats report it
    (Neutron's agents: no project, no standard attributes)."""

    __tablename__ = "agent"
    __table_args__ = (sa.UniqueConstraint("agent_type", "host",
                                          name="uniq_agent_type_host"),)

    id: orm.Mapped[str] = orm.mapped_column(ID, primary_key=True)
    agent_type: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    binary: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    topic: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    host: orm.Mapped[str] = orm.mapped_column(sa.String(255), index=True)
    admin_state_up: orm.Mapped[bool] = orm.mapped_column(default=True)
    availability_zone: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    description: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    configurations: orm.Mapped[dict] = orm.mapped_column(sa.JSON, default=dict)
    resources_synced: orm.Mapped[bool | None] = orm.mapped_column()
    created_at: orm.Mapped[datetime.datetime] = orm.mapped_column(TIME, default=utcnow)
    started_at: orm.Mapped[datetime.datetime] = orm.mapped_column(TIME, default=utcnow)
    heartbeat_timestamp: orm.Mapped[datetime.datetime] = orm.mapped_column(TIME,
                                                                           default=utcnow)


class Router(Standard, Base):
    """A router. Its ports (interfaces and gateway) are :class:`RouterPort`
    rows; ``gw_port_id`` is its gateway port, if any. ``routes`` holds its
    static routes (``[{"destination", "nexthop"}]``)."""

    __tablename__ = "router"

    admin_state_up: orm.Mapped[bool] = orm.mapped_column(default=True)
    status: orm.Mapped[str] = orm.mapped_column(sa.String(16), default="ACTIVE")
    gw_port_id: orm.Mapped[str | None] = orm.mapped_column(
        sa.ForeignKey("port.id", ondelete="SET NULL"), index=True)
    enable_snat: orm.Mapped[bool] = orm.mapped_column(default=True)
    routes: orm.Mapped[list] = orm.mapped_column(sa.JSON, default=list)
    availability_zone_hints: orm.Mapped[list] = orm.mapped_column(sa.JSON, default=list)


class RouterPort(Base):
    """A port a router owns (``port_type`` is its device owner): a port
    serves one router at most."""

    __tablename__ = "router_port"

    port_id: orm.Mapped[str] = orm.mapped_column(
        sa.ForeignKey("port.id", ondelete="CASCADE"), primary_key=True)
    router_id: orm.Mapped[str] = orm.mapped_column(
        sa.ForeignKey("router.id", ondelete="CASCADE"), index=True)
    port_type: orm.Mapped[str] = orm.mapped_column(sa.String(255))


class FloatingIP(Standard, Base):
    """A floating IP: an address of an external network (held by its own
    ``floating_port_id``), associated with a fixed IP of a port or not.
    One fixed IP has at most one floating IP per external network."""

    __tablename__ = "floatingip"
    __table_args__ = (sa.UniqueConstraint(
        "floating_network_id", "fixed_port_id", "fixed_ip_address",
        name="uniq_floatingip_fixed_address"),)

    floating_network_id: orm.Mapped[str] = orm.mapped_column(
        sa.ForeignKey("network.id", ondelete="CASCADE"), index=True)
    floating_port_id: orm.Mapped[str] = orm.mapped_column(
        sa.ForeignKey("port.id", ondelete="CASCADE"), unique=True)
    floating_ip_address: orm.Mapped[str] = orm.mapped_column(sa.String(64))
    fixed_port_id: orm.Mapped[str | None] = orm.mapped_column(
        sa.ForeignKey("port.id", ondelete="SET NULL"), index=True)
    fixed_ip_address: orm.Mapped[str | None] = orm.mapped_column(sa.String(64))
    router_id: orm.Mapped[str | None] = orm.mapped_column(
        sa.ForeignKey("router.id", ondelete="SET NULL"), index=True)
    status: orm.Mapped[str] = orm.mapped_column(sa.String(16), default="DOWN")
