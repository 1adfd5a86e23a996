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
  (``flat:<physnet>``) backs one network.
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
