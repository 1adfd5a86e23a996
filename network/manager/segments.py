"""How a network is carried: ``provider:network_type`` (vxlan, flat, local),
``provider:physical_network`` and ``provider:segmentation_id``, and its MTU.

A network without provider attributes gets ``[network] tenant_network_type``:
for vxlan the lowest free VNI of ``[network] vni_ranges`` (503
NoNetworkAvailable when none is left). An admin may ask for any VNI
(409 TunnelIdInUse if taken), a flat network on a physical network listed in
``[network] flat_networks`` (409 FlatNetworkInUse if one exists), or a local
network. Each VNI and flat physical network backs one network: the
``network.segment_key`` unique column settles races.
"""
import dataclasses

import sqlalchemy as sa

from network import exception, models

TYPES = ("vxlan", "flat", "local")
MAX_VNI = 2 ** 24 - 1
VXLAN_OVERHEAD = 50
MIN_MTU = 68


@dataclasses.dataclass
class Segment:
    network_type: str
    physical_network: str | None = None
    segmentation_id: int | None = None

    @property
    def key(self) -> str | None:
        if self.network_type == "vxlan":
            return f"vxlan:{self.segmentation_id}"
        if self.network_type == "flat":
            return f"flat:{self.physical_network}"
        return None


def max_mtu(conf, network_type: str) -> int:
    physical = conf.network.global_physnet_mtu
    return physical - VXLAN_OVERHEAD if network_type == "vxlan" else physical


def choose_mtu(conf, network_type: str, requested: int | None) -> int:
    """``requested`` (0/None: the largest the type allows); 400 if out of range."""
    largest = max_mtu(conf, network_type)
    if not requested:
        return largest
    if requested > largest:
        raise exception.InvalidInput(
            error_message=f"Requested MTU is too big, maximum is {largest}")
    if requested < MIN_MTU:
        raise exception.InvalidInput(
            error_message=f"Requested MTU is too small, minimum is {MIN_MTU}")
    return requested


def requested(data: dict) -> Segment | None:
    """The segment the provider attributes of a create ask for, if any."""
    network_type = data.get("provider:network_type")
    physnet = data.get("provider:physical_network")
    segmentation_id = data.get("provider:segmentation_id")
    if network_type is None:
        if physnet is not None or segmentation_id is not None:
            raise exception.InvalidInput(error_message="provider:network_type required")
        return None
    if network_type not in TYPES:
        raise exception.InvalidInput(
            error_message=f"network_type value '{network_type}' not supported")
    if network_type == "vxlan":
        if physnet:
            raise exception.InvalidInput(
                error_message="provider:physical_network specified for VXLAN network")
        if segmentation_id is not None and not 1 <= segmentation_id <= MAX_VNI:
            raise exception.InvalidInput(
                error_message=f"provider:segmentation_id out of range (1 through {MAX_VNI})")
    elif network_type == "flat":
        if not physnet:
            raise exception.InvalidInput(
                error_message="provider:physical_network required for flat provider network")
        if segmentation_id is not None:
            raise exception.InvalidInput(
                error_message="provider:segmentation_id specified for flat provider network")
    elif physnet or segmentation_id is not None:
        raise exception.InvalidInput(
            error_message="provider:physical_network and provider:segmentation_id are not "
                          "allowed for local provider network")
    return Segment(network_type, physnet or None, segmentation_id)


def allocate(session, conf, wanted: Segment | None) -> Segment:
    """The segment a new network gets, reserved in ``session``'s transaction."""
    if wanted is None:
        wanted = Segment(conf.network.tenant_network_type)
        if wanted.network_type == "vxlan":
            wanted.segmentation_id = _free_vni(session, conf)
        return wanted
    if wanted.network_type == "flat":
        allowed = conf.network.flat_networks
        if "*" not in allowed and wanted.physical_network not in allowed:
            raise exception.InvalidInput(
                error_message=f"physical_network '{wanted.physical_network}' unknown for "
                              "flat provider network")
    if wanted.network_type == "vxlan" and wanted.segmentation_id is None:
        wanted.segmentation_id = _free_vni(session, conf)
    if wanted.key is not None and _taken(session, wanted.key):
        if wanted.network_type == "flat":
            raise exception.FlatNetworkInUse(physical_network=wanted.physical_network)
        raise exception.TunnelIdInUse(tunnel_id=wanted.segmentation_id)
    return wanted


def _taken(session, key: str) -> bool:
    return session.execute(sa.select(models.Network.id).where(
        models.Network.segment_key == key)).first() is not None


def vni_ranges(conf) -> list[tuple[int, int]]:
    ranges = []
    for text in conf.network.vni_ranges:
        first, _, last = text.partition(":")
        try:
            low, high = int(first), int(last or first)
        except ValueError:
            raise exception.NeutronError(f"Invalid [network] vni_ranges entry {text!r}")
        ranges.append((max(low, 1), min(high, MAX_VNI)))
    return ranges


def _free_vni(session, conf) -> int:
    used = set(session.scalars(sa.select(models.Network.segmentation_id).where(
        models.Network.network_type == "vxlan")))
    for low, high in vni_ranges(conf):
        for vni in range(low, high + 1):
            if vni not in used:
                return vni
    raise exception.NoNetworkAvailable()
