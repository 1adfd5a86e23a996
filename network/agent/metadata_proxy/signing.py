"""The signature the metadata proxy adds, and how to check it.

The proxy forwards a guest's request to the compute metadata service with::

    X-Forwarded-For:       the guest's address (as the proxy saw it)
    X-Stratus-Network-ID:  the network, when served from a DHCP namespace
    X-Stratus-Router-ID:   the router, when served from a router namespace
    X-Stratus-Signature:   hex HMAC-SHA256, keyed with the shared secret
                           (metadata_proxy_shared_secret), of the UTF-8 bytes
                           "<forwarded for>\\n<network id>\\n<router id>"
                           (an absent id is the empty string)

The metadata service recomputes the signature over the headers it received
and compares in constant time; a mismatch (or a missing header) means the
request did not come through a proxy and must be refused. The proxy drops
any of these headers a guest sent. The compute side implements the same few
lines (services share no code but ``stratus/``); this docstring is the
contract.
"""
import hashlib
import hmac

FORWARDED_FOR = "X-Forwarded-For"
NETWORK_ID = "X-Stratus-Network-ID"
ROUTER_ID = "X-Stratus-Router-ID"
SIGNATURE = "X-Stratus-Signature"
SIGNED_HEADERS = (FORWARDED_FOR, NETWORK_ID, ROUTER_ID, SIGNATURE)


def sign(secret: str, forwarded_for: str, network_id: str | None,
         router_id: str | None) -> str:
    message = "\n".join([forwarded_for, network_id or "", router_id or ""])
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def verify(secret: str, forwarded_for: str, network_id: str | None, router_id: str | None,
           signature: str) -> bool:
    expected = sign(secret, forwarded_for, network_id, router_id)
    return hmac.compare_digest(expected, signature or "")
