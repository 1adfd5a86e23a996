"""The metadata proxy: guests' requests to 169.254.169.254, forwarded from a
DHCP or router namespace to the compute metadata service with signed
headers naming the guest (see ``signing``). One process per namespace,
started by the agent as ``python -m network.agent.metadata_proxy``."""
