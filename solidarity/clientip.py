"""The client's address for rate limits and sign-in lockouts.

Forwarded headers are trusted only from configured proxies: with neither ``NUM_PROXIES`` nor
``TRUSTED_PROXIES`` set (the default), the address is the connection's own (``REMOTE_ADDR``)
and an ``X-Forwarded-For`` sent by the client changes nothing.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _is_trusted(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def client_address(request) -> str | None:
    """The address of the client: ``REMOTE_ADDR``, or the forwarded one our proxies vouch for.

    ``TRUSTED_PROXIES`` (addresses or networks): only a connection from one of them may name
    the client, and the client is the nearest ``X-Forwarded-For`` hop that is not one of them.
    ``NUM_PROXIES`` (a count, as in DRF): the client is that many hops from the right.
    """
    meta = request.META
    remote = meta.get("REMOTE_ADDR") or None
    if remote is not None and not _valid(remote):
        # e.g. a Unix socket without a proxy header: no address (axes stores NULL).
        remote = None
    count = settings.NUM_PROXIES
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    if not count and not networks:
        return remote
    if networks and not _is_trusted(remote, networks):
        return remote
    chain = [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    chain = [hop for hop in chain if hop]
    if not chain:
        return remote
    if count:
        address = chain[-min(count, len(chain))]
    else:
        address = next((hop for hop in reversed(chain) if not _is_trusted(hop, networks)), chain[0])
    return address if _valid(address) else remote
