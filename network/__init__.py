"""The network service: a Neutron v2.0-compatible API over networks, subnets,
subnet pools and ports, with IP address management (``network.ipam``)."""
