"""Network errors, rendered as Neutron's fault body::

    {"NeutronError": {"type": "NetworkNotFound",
                      "message": "Network 42 could not be found.", "detail": ""}}

``type`` is the class name, so each class here is named exactly as Neutron's
exception a client may test for. Errors raised by the shared core (a
malformed JSON body, a missing token, an unknown URL) are typed after the
HTTP status, as Neutron's webob errors are (``HTTPBadRequest``,
``HTTPNotFound``…).
"""
from stratus import exception
from stratus.exception import StratusError


class NeutronError(StratusError):
    """Root of the network service's own errors."""


# -- 400 -------------------------------------------------------------------

class BadRequest(NeutronError, exception.BadRequest):
    message_format = "Bad %(resource)s request: %(msg)s."


class HTTPBadRequest(NeutronError, exception.BadRequest):
    """A request the API layer refuses (unknown attribute, bad filter...)."""

    message_format = "%(msg)s"


class InvalidInput(BadRequest):
    message_format = "Invalid input for operation: %(error_message)s."


class InvalidIpForNetwork(BadRequest):
    message_format = ("IP address %(ip_address)s is not a valid IP for any of the subnets "
                      "on the specified network.")


class InvalidIpForSubnet(BadRequest):
    message_format = "IP address %(ip_address)s is not a valid IP for the specified subnet."


class InvalidAllocationPool(BadRequest):
    message_format = "The allocation pool %(pool)s is not valid."


class OutOfBoundsAllocationPool(BadRequest):
    message_format = ("The allocation pool %(pool)s spans beyond the subnet cidr "
                      "%(subnet_cidr)s.")


class AllocationOnAutoAddressSubnet(InvalidInput):
    message_format = ("IPv6 address %(ip)s cannot be directly assigned to a port on subnet "
                      "%(subnet_id)s as the subnet is configured for automatic addresses")


class DNSNameServersExhausted(BadRequest):
    message_format = "Unable to complete operation for %(subnet_id)s. The number of DNS " \
                     "nameservers exceeds the limit %(quota)s."


class HostRoutesExhausted(BadRequest):
    message_format = "Unable to complete operation for %(subnet_id)s. The number of host " \
                     "routes exceeds the limit %(quota)s."


class EmptySubnetPoolPrefixList(BadRequest):
    message_format = "Empty subnet pool prefix list."


class PrefixVersionMismatch(BadRequest):
    message_format = "Cannot mix IPv4 and IPv6 prefixes in a subnet pool."


class IllegalSubnetPoolPrefixBounds(BadRequest):
    message_format = ("Illegal prefix bounds: %(prefix_type)s=%(prefixlen)s, "
                      "%(base_prefix_type)s=%(base_prefixlen)s.")


class IllegalSubnetPoolPrefixUpdate(BadRequest):
    message_format = "Illegal update to prefixes: %(msg)s."


class IllegalSubnetPoolUpdate(BadRequest):
    message_format = "Illegal subnetpool update : %(reason)s."


class MinPrefixSubnetAllocationError(BadRequest):
    message_format = ("Unable to allocate subnet with prefix length %(prefixlen)s, minimum "
                      "allowed prefix is %(min_prefixlen)s.")


class MaxPrefixSubnetAllocationError(BadRequest):
    message_format = ("Unable to allocate subnet with prefix length %(prefixlen)s, maximum "
                      "allowed prefix is %(max_prefixlen)s.")


class NetworkSubnetPoolAffinityError(BadRequest):
    message_format = ("Subnets hosted on the same network must be allocated from the same "
                      "subnet pool.")


class AllowedAddressPairExhausted(BadRequest):
    message_format = "The number of allowed address pair exceeds the maximum %(quota)s."


class DuplicateAddressPairInRequest(BadRequest):
    message_format = ("Request contains duplicate address pair: mac_address %(mac_address)s "
                      "ip_address %(ip_address)s.")


class PortSecurityAndIPRequiredForSecurityGroups(BadRequest):
    message_format = ("Port security must be enabled and port must have an IP address in "
                      "order to use security groups.")


class SubnetMismatchForPort(BadRequest):
    message_format = "Subnet on port %(port_id)s does not match the requested subnet " \
                     "%(subnet_id)s."


class ExternalIpAddressExhausted(BadRequest):
    message_format = "Unable to find any IP address on external network %(net_id)s."


class InvalidRoutes(InvalidInput):
    message_format = "Invalid format for routes: %(routes)s, %(reason)s"


class RoutesExhausted(BadRequest):
    message_format = ("Unable to complete operation for %(router_id)s. The number of routes "
                      "exceeds the maximum %(quota)s.")


# Security groups (400)

class SecurityGroupInvalidPortRange(InvalidInput):
    message_format = "For TCP/UDP protocols, port_range_min must be <= port_range_max"


class SecurityGroupInvalidProtocolForPort(InvalidInput):
    message_format = ("Ports cannot be specified for protocol %(protocol)s. Ports are only "
                      "supported for %(valid_port_protocols)s.")


class SecurityGroupInvalidPortValue(InvalidInput):
    message_format = "Invalid value for port %(port)s"


class SecurityGroupInvalidIcmpValue(InvalidInput):
    message_format = ("Invalid value for ICMP %(field)s (%(attr)s) %(value)s. It must be 0 "
                      "to 255.")


class SecurityGroupEthertypeConflictWithProtocol(InvalidInput):
    message_format = "Invalid ethertype %(ethertype)s for protocol %(protocol)s."


class SecurityGroupMissingIcmpType(InvalidInput):
    message_format = ("ICMP code (port-range-max) %(value)s is provided but ICMP type "
                      "(port-range-min) is missing.")


class SecurityGroupRuleInvalidProtocol(InvalidInput):
    message_format = ("Security group rule protocol %(protocol)s not supported. Only protocol "
                      "values %(values)s and integer representations [0 to 255] are "
                      "supported.")


class SecurityGroupRulesNotSingleProject(InvalidInput):
    message_format = "Multiple project_ids in bulk security group rule create not allowed"


class SecurityGroupMultipleRemoteEntites(InvalidInput):
    message_format = ("Only one of remote_ip_prefix or remote_group_id or "
                      "remote_address_group_id may be provided.")


class SecurityGroupProtocolRequiredWithPorts(InvalidInput):
    message_format = "Must also specify protocol if port range is given."


class SecurityGroupNotSingleGroupRules(InvalidInput):
    message_format = "Only allowed to update rules for one security profile at a time"


class SecurityGroupRuleParameterConflict(InvalidInput):
    message_format = "Conflicting value ethertype %(ethertype)s for CIDR %(cidr)s"


class SecurityGroupRuleInvalidEtherType(InvalidInput):
    message_format = ("Security group rule for ethertype '%(ethertype)s' not supported. "
                      "Allowed values are %(values)s.")


class InvalidCIDR(BadRequest):
    message_format = "Invalid CIDR %(input)s given as IP prefix."


# -- 403, 404 --------------------------------------------------------------

class PolicyNotAuthorized(NeutronError, exception.Forbidden):
    message_format = "(rule:%(action)s) is disallowed by policy"


class NotFound(NeutronError, exception.NotFound):
    message_format = "%(msg)s"


class NetworkNotFound(NotFound):
    message_format = "Network %(net_id)s could not be found."


class SubnetNotFound(NotFound):
    message_format = "Subnet %(subnet_id)s could not be found."


class PortNotFound(NotFound):
    message_format = "Port %(port_id)s could not be found."


class SubnetPoolNotFound(NotFound):
    message_format = "Subnet pool %(subnetpool_id)s could not be found."


class TagNotFound(NotFound):
    message_format = "Tag %(tag)s could not be found."


class ExtensionNotFound(NotFound):
    message_format = "Extension with alias %(alias)s does not exist"


class AvailabilityZoneNotFound(NotFound):
    message_format = "AvailabilityZone %(availability_zone)s could not be found."


class AgentNotFound(NotFound):
    message_format = "Agent %(id)s could not be found."


class RouterNotFound(NotFound):
    message_format = "Router %(router_id)s could not be found"


class RouterInterfaceNotFound(NotFound):
    message_format = "Router %(router_id)s does not have an interface with id %(port_id)s"


class RouterInterfaceNotFoundForSubnet(NotFound):
    message_format = "Router %(router_id)s has no interface on subnet %(subnet_id)s"


class FloatingIPNotFound(NotFound):
    message_format = "Floating IP %(floatingip_id)s could not be found"


class ExternalGatewayForFloatingIPNotFound(NotFound):
    message_format = ("External network %(external_network_id)s is not reachable from subnet "
                      "%(subnet_id)s.  Therefore, cannot associate Port %(port_id)s with a "
                      "Floating IP.")


class SecurityGroupNotFound(NotFound):
    message_format = "Security group %(id)s does not exist"


class SecurityGroupRuleNotFound(NotFound):
    message_format = "Security group rule %(id)s does not exist"


class AddressGroupNotFound(NotFound):
    message_format = "Address group %(address_group_id)s could not be found."


# -- 409 -------------------------------------------------------------------

class Conflict(NeutronError, exception.Conflict):
    message_format = "%(msg)s"


class InUse(Conflict):
    message_format = "The resource is in use."


class NetworkInUse(InUse):
    message_format = "Unable to complete operation on network %(net_id)s. %(reason)s."


class SubnetInUse(InUse):
    message_format = "Unable to complete operation on subnet %(subnet_id)s: %(reason)s."


class SubnetPoolInUse(InUse):
    message_format = "Unable to complete operation on subnet pool %(subnet_pool_id)s. " \
                     "%(reason)s."


class MacAddressInUse(InUse):
    message_format = ("Unable to complete operation for network %(net_id)s. The mac address "
                      "%(mac)s is in use.")


class IpAddressAlreadyAllocated(Conflict):
    message_format = "IP address %(ip)s already allocated in subnet %(subnet_id)s"


class IpAddressGenerationFailure(Conflict):
    message_format = "No more IP addresses available on network %(net_id)s."


class OverQuota(Conflict):
    message_format = "Quota exceeded for resources: %(overs)s."


class SubnetPoolQuotaExceeded(OverQuota):
    message_format = "Per-project subnet pool prefix quota exceeded."


class OverlappingAllocationPools(Conflict):
    message_format = ("Found overlapping allocation pools: %(pool_1)s %(pool_2)s for subnet "
                      "%(subnet_cidr)s.")


class GatewayConflictWithAllocationPools(InUse):
    message_format = "Gateway ip %(ip_address)s conflicts with allocation pool %(pool)s."


class GatewayIpInUse(InUse):
    message_format = ("Current gateway ip %(ip_address)s already in use by port %(port_id)s. "
                      "Unable to update.")


class FlatNetworkInUse(InUse):
    message_format = ("Unable to create the flat network. Physical network "
                      "%(physical_network)s is in use.")


class TunnelIdInUse(InUse):
    message_format = "Unable to create the network. The tunnel ID %(tunnel_id)s is in use."


class InvalidSharedSetting(Conflict):
    message_format = ("Unable to reconfigure sharing settings for network %(network)s. "
                      "Multiple projects are using it.")


class AddressPairAndPortSecurityRequired(Conflict):
    message_format = ("Port Security must be enabled in order to have allowed address pairs "
                      "on a port.")


class SubnetAllocationError(Conflict):
    message_format = "Failed to allocate subnet: %(reason)s."


class PortInUse(InUse):
    message_format = ("Unable to complete operation on port %(port_id)s for network "
                      "%(net_id)s. Port already has an attached device %(device_id)s.")


class ServicePortInUse(InUse):
    message_format = "Port %(port_id)s cannot be deleted directly via the port API: " \
                     "%(reason)s."


class ExternalNetworkInUse(InUse):
    message_format = ("External network %(net_id)s cannot be updated to be made "
                      "non-external, since it has existing gateway ports.")


class RouterInUse(InUse):
    message_format = "Router %(router_id)s %(reason)s"


class RouterInterfaceInUseByFloatingIP(InUse):
    message_format = ("Router interface for subnet %(subnet_id)s on router %(router_id)s "
                      "cannot be deleted, as it is required by one or more floating IPs.")


class RouterInterfaceInUseByRoute(InUse):
    message_format = ("Router interface for subnet %(subnet_id)s on router %(router_id)s "
                      "cannot be deleted, as it is required by one or more routes.")


class RouterExternalGatewayInUseByFloatingIp(InUse):
    message_format = ("Gateway cannot be updated for router %(router_id)s, since a gateway to "
                      "external network %(net_id)s is required by one or more floating IPs.")


class FloatingIPPortAlreadyAssociated(InUse):
    message_format = ("Cannot associate floating IP %(floating_ip_address)s (%(fip_id)s) with "
                      "port %(port_id)s using fixed IP %(fixed_ip)s, as that fixed IP already "
                      "has a floating IP on external network %(net_id)s.")


class FipAssociated(InUse):
    message_format = ("Unable to complete the operation on port %(port_id)s because the port "
                      "still has an associated floating IP.")


class SecurityGroupInUse(InUse):
    message_format = "Security Group %(id)s %(reason)s."

    def __init__(self, **kwargs):
        kwargs.setdefault("reason", "in use")
        super().__init__(**kwargs)


class SecurityGroupCannotRemoveDefault(InUse):
    message_format = "Insufficient rights for removing default security group."


class SecurityGroupCannotUpdateDefault(InUse):
    message_format = "Updating default security group not allowed."


class SecurityGroupDefaultAlreadyExists(InUse):
    message_format = "Default security group already exists."


class DuplicateSecurityGroupRuleInPost(InUse):
    message_format = "Duplicate Security Group Rule in POST."


class SecurityGroupRuleExists(InUse):
    message_format = "Security group rule already exists. Rule id is %(rule_id)s."


class SecurityGroupConflict(Conflict):
    message_format = "Error %(reason)s while attempting the operation."


# -- 412, 503 --------------------------------------------------------------

class RevisionNumberConstraintFailed(NeutronError):
    code = 412
    title = "Precondition Failed"
    message_format = "Constrained to %(expected)s, but current revision is %(current)s"


class NoNetworkAvailable(NeutronError):
    code = 503
    title = "Service Unavailable"
    message_format = ("Unable to create the network. No tenant network is available for "
                      "allocation.")


_HTTP_TYPES = {
    400: "HTTPBadRequest", 401: "HTTPUnauthorized", 403: "HTTPForbidden",
    404: "HTTPNotFound", 405: "HTTPMethodNotAllowed", 409: "HTTPConflict",
    412: "HTTPPreconditionFailed", 413: "HTTPRequestEntityTooLarge",
    415: "HTTPUnsupportedMediaType", 501: "HTTPNotImplemented",
    503: "HTTPServiceUnavailable",
}


def fault_type(error: StratusError) -> str:
    """The ``type`` a client sees for ``error``."""
    if isinstance(error, NeutronError):
        return type(error).__name__
    if isinstance(error, exception.Forbidden) and "action" in error.kwargs:
        return "PolicyNotAuthorized"
    return _HTTP_TYPES.get(error.code, "HTTPInternalServerError")


def render_fault(error: StratusError) -> dict:
    message = error.message
    if error.code >= 500 and not isinstance(error, NeutronError):
        message = "Request Failed: internal server error while processing your request."
    return {"NeutronError": {"type": fault_type(error), "message": message, "detail": ""}}
