"""The API extensions this service implements: exactly what
``GET /v2.0/extensions`` lists, and nothing it does not do.

Clients (the CLI, Tempest, Nova) decide what to send from this list, so an
alias goes here in the same change that implements it, and never before.
A later resource adds its aliases to :data:`EXTENSIONS` (routers:
``router``, ``ext-gw-mode``, ``extraroute``…; floating IPs; security groups:
``security-group``…); views ask :func:`enabled` before showing an
extension's attributes (``dns_name`` only with ``dns-integration``…).
"""
import dataclasses


@dataclasses.dataclass(frozen=True)
class Extension:
    alias: str
    name: str
    description: str
    updated: str

    def view(self) -> dict:
        return {"name": self.name, "alias": self.alias, "description": self.description,
                "updated": self.updated, "links": []}


def _ext(alias: str, name: str, updated: str, description: str) -> Extension:
    return Extension(alias, name, description, updated)


EXTENSIONS = {ext.alias: ext for ext in (
    _ext("agent", "agent", "2013-02-03T10:00:00-00:00",
         "The agent management extension: administrators list, show, update and delete "
         "the network agents."),
    _ext("agent-resources-synced", "Agent's Resource View Synced",
         "2018-12-19T00:00:00-00:00",
         "Agents show resources_synced: whether their last full synchronization with "
         "the API succeeded."),
    _ext("allowed-address-pairs", "Allowed Address Pairs", "2013-07-23T10:00:00-00:00",
         "Ports accept traffic from the extra addresses listed in allowed_address_pairs."),
    _ext("availability_zone", "Availability Zone", "2015-01-01T10:00:00-00:00",
         "Lists the availability zones networks and routers can be placed in."),
    _ext("binding", "Port Binding", "2014-02-03T10:00:00-00:00",
         "Shows and sets the host a port is bound to and how it is plugged there."),
    _ext("default-subnetpools", "Default Subnetpools", "2016-02-18T18:00:00-00:00",
         "A subnet pool may be the default of its IP version; subnets may ask for it."),
    _ext("empty-string-filtering", "Empty String Filtering Extension",
         "2018-05-01T10:00:00-00:00", "Filters may match attributes equal to ''."),
    _ext("ext-gw-mode", "Neutron L3 Configurable external gateway mode",
         "2013-03-28T10:00:00-00:00",
         "A router's external gateway says whether it does SNAT (enable_snat)."),
    _ext("external-net", "Neutron external network", "2013-01-14T10:00:00-00:00",
         "Networks carry router:external, marking them as external networks."),
    _ext("extra_dhcp_opt", "Neutron Extra DHCP options", "2013-03-17T12:00:00-00:00",
         "Ports carry extra DHCP options for their DHCP server."),
    _ext("extraroute", "Neutron Extra Route", "2013-02-01T10:00:00-00:00",
         "Routers carry static routes to next hops on their subnets."),
    _ext("extraroute-atomic", "Atomically add/remove extra routes",
         "2019-07-10T00:00:00+00:00",
         "Static routes can be added to and removed from a router without replacing "
         "the others."),
    _ext("fip-port-details", "Floating IP Port Details Extension",
         "2018-04-09T10:00:00-00:00",
         "Floating IPs show the details of the port they are associated with."),
    _ext("filter-validation", "Filter parameters validation", "2018-07-04T10:00:00-00:00",
         "Listing with a filter on an unknown attribute is refused with 400."),
    _ext("floatingip-pools", "Floating IP Pools Extension", "2018-03-21T10:00:00-00:00",
         "Lists the subnets floating IPs can come from."),
    _ext("ip-substring-filtering", "IP address substring filtering",
         "2017-11-28T09:00:00-00:00",
         "Ports can be listed by a part of a fixed IP (fixed_ips=ip_address_substr=...)."),
    _ext("l2_adjacency", "L2 Adjacency", "2016-04-12T16:00:00-00:00",
         "Networks say whether all their ports are on one L2 segment."),
    _ext("net-mtu", "Network MTU", "2015-03-25T10:00:00-00:00",
         "Networks show their MTU."),
    _ext("net-mtu-writable", "Network MTU (writable)", "2017-07-12T00:00:00-00:00",
         "A network's MTU may be chosen at creation and changed."),
    _ext("network_availability_zone", "Network Availability Zone",
         "2015-01-01T10:00:00-00:00",
         "Networks carry availability zone hints and show their availability zones."),
    _ext("pagination", "Pagination support", "2016-06-12T00:00:00-00:00",
         "Lists accept limit, marker and page_reverse and return links to the next and "
         "previous pages."),
    _ext("port-security-groups-filtering", "Port filtering on security groups",
         "2018-01-09T09:00:00-00:00", "Ports can be listed by security group."),
    _ext("port-security", "Port Security", "2012-07-23T10:00:00-00:00",
         "Networks and ports carry port_security_enabled."),
    _ext("project-id", "project_id field enabled", "2016-09-09T09:09:09-09:09",
         "Resources show project_id besides tenant_id."),
    _ext("provider", "Provider Network", "2012-09-07T10:00:00-00:00",
         "Administrators see and choose how a network is carried: provider:network_type, "
         "provider:physical_network, provider:segmentation_id."),
    _ext("quota_details", "Quota details management support", "2017-02-10T10:00:00-00:00",
         "Quotas can be shown with the usage and reservations of each resource."),
    _ext("quotas", "Quota management support", "2012-07-29T10:00:00-00:00",
         "Per-project quotas of networking resources."),
    _ext("revision-if-match", "If-Match constraints based on revision_number",
         "2016-12-11T00:00:00-00:00",
         "Changes may be made conditional with If-Match: revision_number=N."),
    _ext("security-group", "security-group", "2012-10-05T10:00:00-00:00",
         "Security groups and their rules; ports are in the project's default group "
         "unless they say otherwise."),
    _ext("security-groups-normalized-cidr", "Normalized CIDR field for security group rules",
         "2020-07-28T10:00:00-00:00",
         "Security group rules show the network of their remote_ip_prefix."),
    _ext("security-groups-rules-belongs-to-default-sg",
         "Security group rule belongs to the project's default security group",
         "2023-05-23T10:00:00-00:00",
         "Security group rules say whether their group is its project's default one."),
    _ext("router", "Neutron L3 Router", "2012-07-20T10:00:00-00:00",
         "Routers join networks and reach external networks through a NAT gateway; "
         "floating IPs map external addresses to ports."),
    _ext("router_availability_zone", "Router Availability Zone",
         "2015-01-01T10:00:00-00:00", "Availability zone support for router."),
    _ext("sort-key-validation", "Sort keys validation", "2018-07-04T10:00:00-00:00",
         "Sorting on an attribute that cannot be sorted is refused with 400."),
    _ext("sorting", "Sorting support", "2016-06-12T00:00:00-00:00",
         "Lists accept sort_key and sort_dir."),
    _ext("standard-attr-description", "standard-attr-description",
         "2016-02-10T10:00:00-00:00", "Resources carry a description."),
    _ext("standard-attr-revisions", "Resource revision numbers", "2016-04-11T10:00:00-00:00",
         "Resources carry a revision_number bumped by every change."),
    _ext("stateful-security-group", "Stateful security group", "2019-11-26T09:00:00-00:00",
         "Security groups are stateful (the default) or stateless."),
    _ext("standard-attr-tag", "Tag support for resources with standard attribute",
         "2017-01-01T00:00:00-00:00",
         "Networks, subnets, subnet pools and ports carry tags, set through "
         "/{resources}/{id}/tags and usable as list filters."),
    _ext("standard-attr-timestamp", "Resource timestamps", "2016-09-12T10:00:00-00:00",
         "Resources carry created_at and updated_at, and lists accept changed_since."),
    _ext("subnet-external-network", "Subnet belongs to an external network",
         "2024-02-05T18:00:00-00:00", "Subnets show router:external of their network."),
    _ext("subnet-service-types", "Subnet service types", "2016-03-15T18:00:00-00:00",
         "Subnets may be reserved for ports of some device owners."),
    _ext("subnet_allocation", "Subnet Allocation", "2015-03-30T10:00:00-00:00",
         "Subnets can be carved out of subnet pools."),
    _ext("subnetpool-prefix-ops", "Subnet Pool Prefix Operations",
         "2019-02-08T10:00:00-00:00",
         "Prefixes can be added to and removed from a subnet pool."),
    _ext("tag-ports-during-bulk-creation", "Tag Ports During Bulk Creation",
         "2019-12-29T19:00:00-00:00", "Ports created in bulk may carry tags."),
    _ext("tag-creation", "Tag creation extension", "2024-07-23T10:00:00-00:00",
         "Tags may be given when a resource is created."),
)}


def enabled(alias: str) -> bool:
    return alias in EXTENSIONS


def listed() -> list[dict]:
    return [EXTENSIONS[alias].view() for alias in sorted(EXTENSIONS)]
