"""A router namespace's NAT rules."""
from network.agent import model
from network.agent.l3 import nat

ROUTER = model.Router(id="r", enable_snat=True,
                      floating_ips=(model.FloatingIP("f", "172.24.99.60", "10.0.0.10"),))


def test_floating_ips_and_snat_out_of_the_gateway():
    text = nat.rules(ROUTER, "qg-x", "172.24.99.50", ["10.0.0.0/24"], 9697)
    lines = text.splitlines()
    assert "-A PREROUTING -d 172.24.99.60/32 -j DNAT --to-destination 10.0.0.10" in lines
    assert "-A OUTPUT -d 172.24.99.60/32 -j DNAT --to-destination 10.0.0.10" in lines
    snat_fip = "-A POSTROUTING -s 10.0.0.10/32 -j SNAT --to-source 172.24.99.60"
    snat_all = ("-A POSTROUTING -s 10.0.0.0/24 -o qg-x -m comment --comment stratus-snat "
                "-j SNAT --to-source 172.24.99.50")
    assert lines.index(snat_fip) < lines.index(snat_all)
    assert lines.index("-A POSTROUTING ! -o qg-x -m conntrack ! --ctstate DNAT -j ACCEPT") \
        < lines.index(snat_fip)
    assert ("-A PREROUTING -d 169.254.169.254/32 -i qr-+ -p tcp -m tcp --dport 80 "
            "-j REDIRECT --to-ports 9697") in lines
    assert nat.parse(text) == ({"172.24.99.60": "10.0.0.10"}, True)


def test_no_gateway_no_nat_and_snat_can_be_off():
    assert nat.parse(nat.rules(ROUTER, None, None, ["10.0.0.0/24"], 9697)) == ({}, False)
    off = model.Router(id="r", enable_snat=False)
    assert nat.parse(nat.rules(off, "qg-x", "172.24.99.50", ["10.0.0.0/24"], 9697)) \
        == ({}, False)
