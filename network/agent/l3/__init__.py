"""Routers of the network agent: namespaces with NAT."""
