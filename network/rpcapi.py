"""The network service's RPC interfaces: the client side of both directions.

``PluginAPI`` - topic ``network-plugin``: what a network agent asks the
network API processes (each of them serves the topic, see
:mod:`network.plugin`). Calls are answered by whichever API process takes
the message.

``AgentAPI`` - topic ``network-agent``: what the API tells the agents. It
has one cast, fanned out to every agent; each agent decides what of it
concerns its host.

Arguments and answers are JSON primitives; resources travel in the shapes of
:mod:`network.agent.model` (``Network``, ``Subnet``, ``Port``, ``Router``,
``PortSecurity`` dicts).

Version history (both APIs):

* 1.0 - ``PluginAPI``: ``report_state``, ``get_host_state``,
  ``get_or_create_dhcp_port``, ``release_dhcp_port``, ``update_port_status``,
  ``update_floatingip_statuses``. ``AgentAPI``: ``resources_changed``.

A new optional argument or method bumps the minor version; the client
``prepare``\\ s the version a call needs, so an older server refuses it
instead of misreading it.
"""
from collections.abc import Iterable, Sequence

import oslo_messaging

from network import exception
from stratus import rpc

PLUGIN_TOPIC = "network-plugin"
AGENT_TOPIC = "network-agent"
VERSION = "1.0"

# Seconds a call may take before MessagingTimeout.
REPORT_STATE_TIMEOUT = 10.0  # a heartbeat: late is as bad as lost
HOST_STATE_TIMEOUT = 120.0  # a full state of a busy host is large
PORT_TIMEOUT = 30.0
# Casts give up (MessageDeliveryFailure) after this many reconnection
# attempts rather than blocking their sender while the broker is away.
CAST_RETRY = 3

# Port statuses an agent reports.
ACTIVE = "ACTIVE"
DOWN = "DOWN"
BUILD = "BUILD"
ERROR = "ERROR"

# Agent types one agent process may register (Neutron's names).
LINUX_BRIDGE_AGENT = "Linux bridge agent"
DHCP_AGENT = "DHCP agent"
L3_AGENT = "L3 agent"
METADATA_AGENT = "Metadata agent"
AGENT_TYPES = (LINUX_BRIDGE_AGENT, DHCP_AGENT, L3_AGENT, METADATA_AGENT)


def get_transport(conf) -> oslo_messaging.Transport:
    """The RPC transport of ``conf``: network errors keep their class across."""
    return rpc.get_transport(conf, allowed_remote_exmods=[exception.__name__])


class PluginAPI:
    """Client of the API processes, used by the network agent.

    Every method may raise ``oslo_messaging.MessagingTimeout`` when no API
    process answers in time.
    """

    def __init__(self, transport: oslo_messaging.Transport):
        self.client = rpc.get_client(transport, PLUGIN_TOPIC, VERSION,
                                     timeout=HOST_STATE_TIMEOUT)

    def report_state(self, ctxt, agent: dict) -> dict:
        """Register or refresh one agent type on one host (a heartbeat).

        ``agent``: ``agent_type`` (one of :data:`AGENT_TYPES`), ``host``,
        ``binary``, ``topic``, ``configurations`` (a dict; a Linux bridge
        agent's ``tunneling_ip`` is where other hosts send its VXLAN
        traffic), ``availability_zone``, ``resources_synced`` and
        ``start_flag`` (True on the first report after the process started).

        Returns ``{"id", "status", "admin_state_up"}``, status being ``new``
        (no such agent was known: resync), ``revived`` (it had been down:
        resync) or ``alive``.
        """
        return self.client.prepare(timeout=REPORT_STATE_TIMEOUT).call(
            ctxt, "report_state", agent=agent)

    def get_host_state(self, ctxt, host: str, network_ids: Sequence[str] | None = None,
                       router_ids: Sequence[str] | None = None,
                       port_ids: Sequence[str] | None = None,
                       security_group_ids: Sequence[str] | None = None) -> dict:
        """What ``host``'s dataplane must carry: everything when every id list
        is None, else what concerns ``host`` among the objects named.

        Answer (lists of :mod:`network.agent.model` dicts)::

            {"networks": [Network],        # carried here, with vxlan_peers
             "dhcp": [{"network": Network, "subnets": [Subnet],
                       "port": Port | None, "ports": [Port]}],
             "routers": [Router],
             "ports": [{"port": Port, "security": PortSecurity,
                        "status": str, "admin_state_up": bool}],
             "remote_groups": {group id: {"IPv4": [address], "IPv6": [...]}}}

        ``dhcp`` lists the networks whose DHCP server runs here (``port`` is
        this host's DHCP port, None until made: see
        :meth:`get_or_create_dhcp_port`), ``ports`` the ports bound to
        ``host`` that are not network devices; their rules naming a remote
        group carry no ``remote_ips``: the group's member addresses are in
        ``remote_groups``, once per group. For a partial request, an id
        of ``network_ids`` missing from ``dhcp`` means no DHCP server here;
        of ``router_ids`` missing from ``routers``, no router here; of
        ``port_ids`` missing from ``ports``, not bound here. ``ports`` also
        holds every port bound here on the networks of ``network_ids`` and
        those the security groups of ``security_group_ids`` filter.
        """
        return self.client.prepare(timeout=HOST_STATE_TIMEOUT).call(
            ctxt, "get_host_state", host=host, network_ids=_list(network_ids),
            router_ids=_list(router_ids), port_ids=_list(port_ids),
            security_group_ids=_list(security_group_ids))

    def get_or_create_dhcp_port(self, ctxt, network_id: str, host: str) -> dict | None:
        """``host``'s DHCP port on the network (a ``Port`` dict with its
        ``status``), made if missing, with an address on every DHCP-enabled
        subnet. None when the network is gone or has no such subnet."""
        return self.client.prepare(timeout=PORT_TIMEOUT).call(
            ctxt, "get_or_create_dhcp_port", network_id=network_id, host=host)

    def release_dhcp_port(self, ctxt, network_id: str, host: str) -> None:
        """Delete ``host``'s DHCP port on the network (its DHCP server is
        gone); nothing when there is none."""
        self.client.prepare(timeout=PORT_TIMEOUT).call(
            ctxt, "release_dhcp_port", network_id=network_id, host=host)

    def update_port_status(self, ctxt, port_ids: Sequence[str], status: str,
                           host: str) -> list[str]:
        """Set the status of ports wired (or no longer wired) on ``host``.

        Ports bound to another host, and ports that are gone, are left
        alone. Returns the ids whose status changed.
        """
        return self.client.prepare(timeout=PORT_TIMEOUT).call(
            ctxt, "update_port_status", port_ids=list(port_ids), status=status, host=host)

    def update_floatingip_statuses(self, ctxt, router_id: str,
                                   statuses: dict[str, str]) -> None:
        """Set ``{floating IP id: ACTIVE | DOWN | ERROR}`` of a router's
        floating IPs as ``host`` applied them."""
        return self.client.prepare(timeout=PORT_TIMEOUT).call(
            ctxt, "update_floatingip_statuses", router_id=router_id, statuses=statuses)


class AgentAPI:
    """Client of the agents, used by the API processes."""

    def __init__(self, transport: oslo_messaging.Transport):
        self.client = rpc.get_client(transport, AGENT_TOPIC, VERSION)

    def resources_changed(self, ctxt, networks: Iterable[str] = (),
                          routers: Iterable[str] = (), ports: Iterable[str] = (),
                          security_groups: Iterable[str] = ()) -> None:
        """Tell every agent that these objects changed (a fanout cast).

        Raises ``oslo_messaging.MessageDeliveryFailure`` when the broker
        stayed unreachable for :data:`CAST_RETRY` attempts.
        """
        self.client.prepare(fanout=True, retry=CAST_RETRY).cast(
            ctxt, "resources_changed", networks=sorted(networks),
            routers=sorted(routers), ports=sorted(ports),
            security_groups=sorted(security_groups))


def _list(ids: Sequence[str] | None) -> list[str] | None:
    return None if ids is None else list(ids)
