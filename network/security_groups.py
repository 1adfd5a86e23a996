"""Which security groups a port is in: the hook the port manager calls.

Ports keep their groups' ids in the ``port_security_groups`` table (see
:mod:`network.models`); this module decides what goes there, inside the
port's write transaction (``session``), as Neutron does:

* a port whose ``device_owner`` starts with ``network:`` (DHCP, router
  ports) is trusted and in no group, whatever the request says;
* a new port makes its project's ``default`` group if the project has none
  yet (run the transaction through :func:`network.database.write`), and goes
  in it unless the request names groups or the port has no port security;
* groups need port security (400 PortSecurityAndIPRequiredForSecurityGroups);
  each must be a group of the port's project (any group for an admin), or
  it is 404 SecurityGroupNotFound naming the ids that are not; stateful and
  stateless groups do not mix on one port (409 SecurityGroupConflict).

Once the default group exists, a port create pays one primary-key lookup
for it.
"""
import sqlalchemy as sa

from network import exception, models
from network.manager import default_security_groups

TRUSTED_PREFIX = "network:"
MIXED = ("Cannot apply both stateful and stateless security groups on the same port at the "
         "same time")


def for_new_port(session, project_id: str, requested: list[str] | None,
                 port_security_enabled: bool, device_owner: str = "",
                 is_admin: bool = False) -> list[str]:
    """The groups of a new port; ``requested`` is None when the request did
    not say. The port's project gets its default group in any case, as in
    Neutron."""
    default = default_security_groups.ensure_default(session, project_id) if project_id \
        else None
    if device_owner.startswith(TRUSTED_PREFIX):
        return []
    if requested is None:
        return [default] if port_security_enabled and default else []
    return check(session, project_id, requested, port_security_enabled, is_admin)


def check(session, project_id: str, requested: list[str], port_security_enabled: bool,
          is_admin: bool = False) -> list[str]:
    """``requested`` without duplicates, if a port of ``project_id`` may be
    in those groups."""
    if requested and not port_security_enabled:
        raise exception.PortSecurityAndIPRequiredForSecurityGroups()
    wanted = list(dict.fromkeys(requested))
    if not wanted:
        return []
    rows = session.execute(sa.select(models.SecurityGroup.id, models.SecurityGroup.project_id,
                                     models.SecurityGroup.stateful).where(
        models.SecurityGroup.id.in_(wanted))).all()
    usable = {row.id: row.stateful for row in rows if is_admin or row.project_id == project_id}
    missing = [group for group in wanted if group not in usable]
    if missing:
        raise exception.SecurityGroupNotFound(id=", ".join(missing))
    if len(set(usable.values())) > 1:
        raise exception.SecurityGroupConflict(reason=MIXED)
    return wanted
