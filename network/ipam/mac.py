"""Port MAC addresses: generated under ``[network] base_mac`` or given.

A generated MAC keeps the base's first three octets and any later octet that
is not ``00``; the rest is random. Uniqueness per network is the database's
(``port`` (network_id, mac_address)): a collision fails the insert and the
transaction is re-run with a fresh MAC.
"""
import random
import re

from network import exception

_MAC_RE = re.compile(r"^([0-9a-f]{2}:){5}[0-9a-f]{2}$")
_random = random.SystemRandom()


def generate(base_mac: str) -> str:
    octets = base_mac.lower().split(":")
    result = octets[:3] + [octet if octet != "00" else f"{_random.getrandbits(8):02x}"
                           for octet in octets[3:]]
    return ":".join(result)


def normalize(value, field: str = "mac_address") -> str:
    """``value`` as lower-case colon-separated octets; 400 unless a valid unicast MAC."""
    text = str(value).strip().lower().replace("-", ":")
    if not isinstance(value, str) or not _MAC_RE.match(text):
        raise exception.HTTPBadRequest(
            msg=f"Invalid input for {field}. Reason: '{value}' is not a valid MAC address.")
    if int(text[:2], 16) & 1 or text == "00:00:00:00:00:00":
        raise exception.HTTPBadRequest(
            msg=f"Invalid input for {field}. Reason: '{value}' is not a valid MAC address.")
    return text
