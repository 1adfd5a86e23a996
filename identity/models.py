"""Identity tables.

Domains are projects with ``is_domain`` set, as in Keystone: a domain's
``domain_id`` is :data:`ROOT_DOMAIN` and a top-level project's ``parent_id``
is its domain. Global roles have ``domain_id`` :data:`GLOBAL_ROLE` so the
(name, domain) uniqueness holds for them too. Times are naive UTC.
"""
import datetime

import sqlalchemy as sa
from sqlalchemy import orm

ROOT_DOMAIN = "<<keystone.domain.root>>"
GLOBAL_ROLE = "<<null>>"

ID = sa.String(64)


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


class Base(orm.DeclarativeBase):
    pass


class Project(Base):
    __tablename__ = "project"
    __table_args__ = (sa.UniqueConstraint("domain_id", "name"),)

    id: orm.Mapped[str] = orm.mapped_column(ID, primary_key=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(64))
    domain_id: orm.Mapped[str] = orm.mapped_column(ID, index=True)
    parent_id: orm.Mapped[str | None] = orm.mapped_column(ID, index=True)
    is_domain: orm.Mapped[bool] = orm.mapped_column(default=False)
    enabled: orm.Mapped[bool] = orm.mapped_column(default=True)
    description: orm.Mapped[str | None] = orm.mapped_column(sa.Text)
    extra: orm.Mapped[dict] = orm.mapped_column(sa.JSON, default=dict)
    tags: orm.Mapped[list["ProjectTag"]] = orm.relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="ProjectTag.name")


class ProjectTag(Base):
    __tablename__ = "project_tag"

    project_id: orm.Mapped[str] = orm.mapped_column(
        sa.ForeignKey("project.id", ondelete="CASCADE"), primary_key=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(255), primary_key=True)


class User(Base):
    __tablename__ = "user"
    __table_args__ = (sa.UniqueConstraint("domain_id", "name"),)

    id: orm.Mapped[str] = orm.mapped_column(ID, primary_key=True)
    domain_id: orm.Mapped[str] = orm.mapped_column(ID, index=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    enabled: orm.Mapped[bool] = orm.mapped_column(default=True)
    default_project_id: orm.Mapped[str | None] = orm.mapped_column(ID)
    description: orm.Mapped[str | None] = orm.mapped_column(sa.Text)
    extra: orm.Mapped[dict] = orm.mapped_column(sa.JSON, default=dict)
    options: orm.Mapped[dict] = orm.mapped_column(sa.JSON, default=dict)
    created_at: orm.Mapped[datetime.datetime] = orm.mapped_column(default=utcnow)
    password_hash: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    password_created_at: orm.Mapped[datetime.datetime | None]
    password_expires_at: orm.Mapped[datetime.datetime | None]
    failed_auth_count: orm.Mapped[int] = orm.mapped_column(default=0)
    failed_auth_at: orm.Mapped[datetime.datetime | None]


class Group(Base):
    __tablename__ = "group"
    __table_args__ = (sa.UniqueConstraint("domain_id", "name"),)

    id: orm.Mapped[str] = orm.mapped_column(ID, primary_key=True)
    domain_id: orm.Mapped[str] = orm.mapped_column(ID, index=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(64))
    description: orm.Mapped[str | None] = orm.mapped_column(sa.Text)
    extra: orm.Mapped[dict] = orm.mapped_column(sa.JSON, default=dict)


class Membership(Base):
    __tablename__ = "user_group_membership"

    user_id: orm.Mapped[str] = orm.mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    group_id: orm.Mapped[str] = orm.mapped_column(
        sa.ForeignKey("group.id", ondelete="CASCADE"), primary_key=True, index=True)


class Role(Base):
    __tablename__ = "role"
    __table_args__ = (sa.UniqueConstraint("name", "domain_id"),)

    id: orm.Mapped[str] = orm.mapped_column(ID, primary_key=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    domain_id: orm.Mapped[str] = orm.mapped_column(ID, default=GLOBAL_ROLE)
    description: orm.Mapped[str | None] = orm.mapped_column(sa.Text)
    options: orm.Mapped[dict] = orm.mapped_column(sa.JSON, default=dict)
    extra: orm.Mapped[dict] = orm.mapped_column(sa.JSON, default=dict)


class ImpliedRole(Base):
    __tablename__ = "implied_role"

    prior_role_id: orm.Mapped[str] = orm.mapped_column(
        sa.ForeignKey("role.id", ondelete="CASCADE"), primary_key=True)
    implied_role_id: orm.Mapped[str] = orm.mapped_column(
        sa.ForeignKey("role.id", ondelete="CASCADE"), primary_key=True)


class Assignment(Base):
    """A role granted to a user or group on a project, domain or the system.

    ``type`` is one of UserProject, GroupProject, UserDomain, GroupDomain,
    UserSystem, GroupSystem; ``target_id`` is "system" for system grants.
    """

    __tablename__ = "assignment"

    type: orm.Mapped[str] = orm.mapped_column(sa.String(16), primary_key=True)
    actor_id: orm.Mapped[str] = orm.mapped_column(ID, primary_key=True, index=True)
    target_id: orm.Mapped[str] = orm.mapped_column(ID, primary_key=True, index=True)
    role_id: orm.Mapped[str] = orm.mapped_column(
        sa.ForeignKey("role.id", ondelete="CASCADE"), primary_key=True, index=True)
    inherited: orm.Mapped[bool] = orm.mapped_column(primary_key=True, default=False)


class Region(Base):
    __tablename__ = "region"

    id: orm.Mapped[str] = orm.mapped_column(sa.String(255), primary_key=True)
    description: orm.Mapped[str] = orm.mapped_column(sa.String(255), default="")
    parent_region_id: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    extra: orm.Mapped[dict] = orm.mapped_column(sa.JSON, default=dict)


class Service(Base):
    __tablename__ = "service"

    id: orm.Mapped[str] = orm.mapped_column(ID, primary_key=True)
    type: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    enabled: orm.Mapped[bool] = orm.mapped_column(default=True)
    extra: orm.Mapped[dict] = orm.mapped_column(sa.JSON, default=dict)


class Endpoint(Base):
    __tablename__ = "endpoint"

    id: orm.Mapped[str] = orm.mapped_column(ID, primary_key=True)
    interface: orm.Mapped[str] = orm.mapped_column(sa.String(8))
    region_id: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    service_id: orm.Mapped[str] = orm.mapped_column(
        sa.ForeignKey("service.id", ondelete="CASCADE"), index=True)
    url: orm.Mapped[str] = orm.mapped_column(sa.Text)
    enabled: orm.Mapped[bool] = orm.mapped_column(default=True)
    extra: orm.Mapped[dict] = orm.mapped_column(sa.JSON, default=dict)


class ApplicationCredential(Base):
    __tablename__ = "application_credential"
    __table_args__ = (sa.UniqueConstraint("user_id", "name"),)

    id: orm.Mapped[str] = orm.mapped_column(ID, primary_key=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    secret_hash: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    description: orm.Mapped[str | None] = orm.mapped_column(sa.Text)
    user_id: orm.Mapped[str] = orm.mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    project_id: orm.Mapped[str | None] = orm.mapped_column(ID)
    system: orm.Mapped[str | None] = orm.mapped_column(sa.String(16))
    expires_at: orm.Mapped[datetime.datetime | None]
    unrestricted: orm.Mapped[bool] = orm.mapped_column(default=False)
    roles: orm.Mapped[list[str]] = orm.mapped_column(sa.JSON, default=list)
    access_rules: orm.Mapped[list[dict]] = orm.mapped_column(sa.JSON, default=list)


class Credential(Base):
    __tablename__ = "credential"

    id: orm.Mapped[str] = orm.mapped_column(ID, primary_key=True)
    user_id: orm.Mapped[str] = orm.mapped_column(ID, index=True)
    project_id: orm.Mapped[str | None] = orm.mapped_column(ID)
    type: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    encrypted_blob: orm.Mapped[str] = orm.mapped_column(sa.Text)
    extra: orm.Mapped[dict] = orm.mapped_column(sa.JSON, default=dict)


class Policy(Base):
    """A policy blob stored for other services (Keystone's ``/v3/policies``);
    identity itself never evaluates it."""

    __tablename__ = "policy"

    id: orm.Mapped[str] = orm.mapped_column(ID, primary_key=True)
    type: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    blob: orm.Mapped[str] = orm.mapped_column(sa.Text)
    extra: orm.Mapped[dict] = orm.mapped_column(sa.JSON, default=dict)


class RevocationEvent(Base):
    """Tokens matching every non-null field and issued at or before
    ``issued_before`` are revoked."""

    __tablename__ = "revocation_event"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True, autoincrement=True)
    domain_id: orm.Mapped[str | None] = orm.mapped_column(ID, index=True)
    project_id: orm.Mapped[str | None] = orm.mapped_column(ID, index=True)
    user_id: orm.Mapped[str | None] = orm.mapped_column(ID, index=True)
    role_id: orm.Mapped[str | None] = orm.mapped_column(ID, index=True)
    audit_id: orm.Mapped[str | None] = orm.mapped_column(sa.String(32), index=True)
    audit_chain_id: orm.Mapped[str | None] = orm.mapped_column(sa.String(32), index=True)
    expires_at: orm.Mapped[datetime.datetime | None]
    issued_before: orm.Mapped[datetime.datetime]
    revoked_at: orm.Mapped[datetime.datetime] = orm.mapped_column(default=utcnow, index=True)


class Generation(Base):
    """One row counting identity changes; caches are valid while it stands still."""

    __tablename__ = "generation"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    value: orm.Mapped[int] = orm.mapped_column(sa.BigInteger, default=0)
