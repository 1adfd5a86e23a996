"""A router namespace's IPv4 iptables, as one iptables-restore text.

The namespace belongs to the agent, so its tables are replaced whole on each
change (one atomic transaction). nat::

    PREROUTING   metadata (169.254.169.254:80 from qr-*) -> the local proxy;
                 each floating IP -> its fixed IP (DNAT)
    OUTPUT       the same DNAT for traffic the router makes itself
    POSTROUTING  traffic that stays inside (not out of qg-, not DNATed)
                 is left alone; each fixed IP with a floating IP leaves as
                 it (SNAT); with enable_snat, the internal subnets leave
                 as the gateway IP, also when hairpinning to a floating IP

filter: the proxy's port is reachable only from internal interfaces.
"""
import re
from collections.abc import Sequence

from network.agent import model, names

METADATA_IP = "169.254.169.254"
INTERNAL = names.ROUTER_INTERFACE_PREFIX + "+"
SNAT_COMMENT = "stratus-snat"


def rules(router: model.Router, gateway_device: str | None, gateway_ip: str | None,
          internal_cidrs: Sequence[str], proxy_port: int) -> str:
    """The iptables-restore text of the router's namespace."""
    pre = [f"-A PREROUTING -d {METADATA_IP}/32 -i {INTERNAL} -p tcp -m tcp --dport 80 "
           f"-j REDIRECT --to-ports {proxy_port}"]
    out, post = [], []
    if gateway_device:
        post.append(f"-A POSTROUTING ! -o {gateway_device} -m conntrack ! --ctstate DNAT "
                    f"-j ACCEPT")
        for fip in sorted(router.floating_ips, key=lambda item: item.floating_ip_address):
            dnat = f"-d {fip.floating_ip_address}/32 -j DNAT --to-destination " \
                   f"{fip.fixed_ip_address}"
            pre.append(f"-A PREROUTING {dnat}")
            out.append(f"-A OUTPUT {dnat}")
            post.append(f"-A POSTROUTING -s {fip.fixed_ip_address}/32 -j SNAT "
                        f"--to-source {fip.floating_ip_address}")
        if router.enable_snat and gateway_ip:
            comment = f"-m comment --comment {SNAT_COMMENT}"
            for cidr in internal_cidrs:
                post.append(f"-A POSTROUTING -s {cidr} -o {gateway_device} {comment} "
                            f"-j SNAT --to-source {gateway_ip}")
                post.append(f"-A POSTROUTING -s {cidr} -m conntrack --ctstate DNAT "
                            f"{comment} -j SNAT --to-source {gateway_ip}")
    nat = ["*nat", ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]",
           ":POSTROUTING ACCEPT [0:0]", *pre, *out, *post, "COMMIT"]
    filter_table = ["*filter", ":INPUT ACCEPT [0:0]", ":FORWARD ACCEPT [0:0]",
                    ":OUTPUT ACCEPT [0:0]",
                    f"-A INPUT -i {INTERNAL} -p tcp -m tcp --dport {proxy_port} -j ACCEPT",
                    f"-A INPUT -p tcp -m tcp --dport {proxy_port} -j DROP", "COMMIT"]
    return "\n".join(nat + filter_table) + "\n"


_DNAT = re.compile(r"^-A PREROUTING -d (\S+?)(?:/32)? -j DNAT --to-destination (\S+)$")


def parse(text: str) -> tuple[dict[str, str], bool]:
    """({floating: fixed}, snat enabled) from an iptables-save of a router."""
    floating = {}
    snat = False
    for line in text.splitlines():
        match = _DNAT.match(line)
        if match:
            floating[match.group(1)] = match.group(2)
        elif SNAT_COMMENT in line and "-j SNAT" in line:
            snat = True
    return floating, snat
