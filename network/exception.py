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
