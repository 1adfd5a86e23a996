"""The hook managers call after a change the network agents must apply.

A manager that commits a change to what some host's dataplane carries (a
network's MTU, a subnet's DHCP settings, a port's addresses or binding, a
router's interfaces, a security group rule) calls, after the commit::

    self.dataplane.changed(networks=[network_id], ports=[port_id])

naming the ids of every object whose dataplane state may differ now. The
managers know nothing more: :class:`Dataplane` (the default) drops the
news, which is right where no agent listens (tests, a process without a
message bus); the API process replaces it with
:class:`network.plugin.AgentNotifier`, which tells every agent over the bus.

What each kind of id makes an agent do (see :mod:`network.agent.manager`):
``networks`` - refetch the network, its DHCP server and the bound ports on
it; ``routers`` - refetch the router; ``ports`` - refetch the port (gone or
bound elsewhere: the agent drops its filter); ``security_groups`` - refetch
the filters of the ports the group's rules apply to or name as a remote
group.
"""
from collections.abc import Iterable


class Dataplane:
    """Announces dataplane changes; this base class drops them."""

    def changed(self, networks: Iterable[str] = (), routers: Iterable[str] = (),
                ports: Iterable[str] = (), security_groups: Iterable[str] = ()) -> None:
        """Record that the objects named may need their dataplane changed.

        Never blocks and never fails the caller: call it after the commit,
        outside the transaction.
        """
