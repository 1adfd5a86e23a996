"""The metadata proxy's signature: what the compute side must recompute."""
import hashlib
import hmac

from network.agent.metadata_proxy import signing


def test_signature_is_hmac_sha256_of_the_three_values():
    expected = hmac.new(b"k", b"10.0.0.5\nnet\n", hashlib.sha256).hexdigest()
    assert signing.sign("k", "10.0.0.5", "net", None) == expected


def test_verify_refuses_any_other_value():
    good = signing.sign("k", "10.0.0.5", None, "router")
    assert signing.verify("k", "10.0.0.5", None, "router", good)
    assert not signing.verify("k", "10.0.0.6", None, "router", good)
    assert not signing.verify("k", "10.0.0.5", "router", None, good)
    assert not signing.verify("other", "10.0.0.5", None, "router", good)
    assert not signing.verify("k", "10.0.0.5", None, "router", "")
