"""IP address management: the arithmetic of subnets and their allocation pools
(:mod:`.subnets`), picking and recording addresses for ports
(:mod:`.allocator`), MAC addresses (:mod:`.mac`) and carving subnets out of
subnet pools (:mod:`.prefixes`).

Guarantee: an address is never handed out twice, whatever the number of API
processes: ``ip_allocation``'s primary key is (network_id, ip_address), a
lost race fails the insert and :func:`network.database.write` re-runs the
transaction, which then sees the address taken and picks another.
"""
