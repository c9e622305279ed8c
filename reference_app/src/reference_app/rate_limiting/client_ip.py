"""Who is calling: the client IP address that rate limits are counted against.

Behind a reverse proxy (Traefik, nginx, a cloud load balancer) every request arrives from the
proxy's address, and the real client is in the ``X-Forwarded-For`` header, which each proxy
extends with the address it received the request from::

    X-Forwarded-For: <what the client claimed>, ..., <what our proxy saw>

Anyone can send that header, so it is believed only when the socket peer is one of our own
proxies (``APP_TRUSTED_PROXIES``). Even then, only the right-hand end was written by a proxy we
trust: the left-hand entries came from the client and may be lies. So the client is the
right-most address that is not itself a trusted proxy.

A malformed header is ignored (the peer's address is used), never an error: a client must not be
able to turn a bad header into a 500, or into a fresh identity that escapes its limit.
"""

import ipaddress
from collections.abc import Iterable

from starlette.types import Scope

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

UNKNOWN_CLIENT = "unknown"
"""The identity of a request without a socket peer (some test clients, unix sockets)."""


def parse_trusted_proxies(values: Iterable[str]) -> tuple[IPNetwork, ...]:
    """Parse IPs and CIDRs (``10.0.0.5``, ``10.0.0.0/8``, ``fd00::/8``).

    A typo raises ``ValueError`` at start-up: silently trusting nobody (or everybody) would be
    worse than refusing to start.
    """
    return tuple(ipaddress.ip_network(value.strip(), strict=False) for value in values)


def _is_trusted(address: str, trusted: tuple[IPNetwork, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def _forwarded_for(scope: Scope) -> list[str] | None:
    """The addresses in every ``X-Forwarded-For`` header, or ``None`` if any is malformed."""
    addresses: list[str] = []
    for name, value in scope.get("headers", []):
        if name != b"x-forwarded-for":
            continue
        for item in value.decode("latin-1").split(","):
            try:
                addresses.append(str(ipaddress.ip_address(item.strip())))
            except ValueError:
                return None
    return addresses


def client_ip(scope: Scope, trusted: tuple[IPNetwork, ...]) -> str:
    """The address of the client that sent this request (see the module docstring)."""
    client = scope.get("client")
    peer: str = client[0] if client else UNKNOWN_CLIENT
    if not trusted or not _is_trusted(peer, trusted):
        return peer
    forwarded = _forwarded_for(scope)
    if not forwarded:
        return peer
    for address in reversed(forwarded):
        if not _is_trusted(address, trusted):
            return address
    # Every hop is one of our proxies: the left-most is the closest we have to a client.
    return forwarded[0]
