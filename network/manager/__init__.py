"""The network service's rules, one module per resource (networks, subnets,
subnetpools, ports, tags, quotas) plus the machinery they share: standard
attributes (:mod:`.standard`) and list queries (:mod:`.query`).

Managers take a :class:`Caller`, return resources as Neutron-shaped dicts
(the full, admin view; the API strips what policy hides), run each change in
one write transaction and announce it on the bus after it committed.
"""
import dataclasses


@dataclasses.dataclass(frozen=True)
class Caller:
    """Who is asking, as far as which resources exist for them goes."""

    project_id: str | None
    is_admin: bool = False
