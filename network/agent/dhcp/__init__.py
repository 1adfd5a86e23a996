"""DHCP servers of the network agent (dnsmasq)."""
