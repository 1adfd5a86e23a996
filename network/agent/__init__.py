"""The network agent's dataplane: drivers that make one host match the
desired state of its networks, DHCP servers, routers and port filters.

``driver.Driver`` is the contract; ``linuxbridge.LinuxBridgeDriver`` the real
implementation (bridges, VXLAN, namespaces, dnsmasq, iptables) and
``fake.FakeDriver`` the in-memory one. The data they take is in ``model``.
"""
