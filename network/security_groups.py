"""Which security groups a port is in: the hook the port manager calls.

Ports keep their groups' ids in the ``port_security_groups`` table (see
:mod:`network.models`); this module decides what goes there. Until security
groups exist as a resource, the ids a request gives are kept as given and a
port created without ``security_groups`` is in none.

The security-group resource replaces the bodies of these functions (same
signatures) to check that each id names a group the project may use (404
otherwise) and to put a new port in its project's ``default`` group.
Both run inside the port's write transaction (``session``).
"""
from network import exception


def for_new_port(session, project_id: str, requested: list[str] | None,
                 port_security_enabled: bool) -> list[str]:
    """The groups of a new port; ``requested`` is None when the request did
    not say. Groups need port security (400 otherwise)."""
    if requested is None:
        return []
    return check(session, project_id, requested, port_security_enabled)


def check(session, project_id: str, requested: list[str], port_security_enabled: bool
          ) -> list[str]:
    """``requested`` without duplicates, if a port of ``project_id`` may be
    in those groups."""
    if requested and not port_security_enabled:
        raise exception.PortSecurityAndIPRequiredForSecurityGroups()
    return list(dict.fromkeys(requested))
