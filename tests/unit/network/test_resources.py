"""Each collection's declared filters and sort keys are ones its manager can
answer, so no query string reaches the database as an unknown column."""
import pytest

from network.api import networks, ports, subnetpools, subnets
from network.manager import networks as network_rules
from network.manager import ports as port_rules
from network.manager import query
from network.manager import subnetpools as pool_rules
from network.manager import subnets as subnet_rules

STANDARD_FILTERS = set(query.TAG_FILTERS) | {"changed_since", "tenant_id"}
PAIRS = [(networks.RESOURCE, network_rules.Networks.listing),
         (subnets.RESOURCE, subnet_rules.Subnets.listing),
         (ports.RESOURCE, port_rules.Ports.listing),
         (subnetpools.RESOURCE, pool_rules.SubnetPools.listing)]


@pytest.mark.parametrize("resource, listing", PAIRS, ids=lambda p: getattr(p, "member", ""))
def test_filters_and_sort_keys_are_answerable(resource, listing):
    for name, attr in resource.attributes.items():
        if attr.sort and name != "tenant_id":
            assert name in listing.columns, f"{resource.member}: cannot sort on {name}"
        if attr.filter:
            assert name in listing.columns or name in listing.special or \
                name in STANDARD_FILTERS, f"{resource.member}: cannot filter on {name}"
