"""The visitor's address, for rate limits.

Behind the reverse proxy every request comes from the proxy's address; the
visitor's own is the last address the proxy appended to X-Forwarded-For (or,
without one, its X-Real-IP). Only a request from a trusted proxy may speak for
another address. Over a unix socket REMOTE_ADDR is empty: only a process on
this host can connect, and the entry ``unix`` of ``TRUSTED_PROXIES`` (there by
default) trusts it as the proxy.

An address nobody knows is None, never "": a limit keyed on "" would put every
resident in one bucket. The limits skip such a request and log it (the proxy
does not send the visitor's address: a misconfiguration to fix). Limits count
an IPv6 visitor by the /64 (``limit_key``).
"""

import ipaddress
import logging

from django.conf import settings

logger = logging.getLogger(__name__)

UNIX_SOCKET = "unix"


def _valid(address: str) -> str | None:
    address = address.strip()
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return None
    return address


def _trusted(remote: str) -> bool:
    if not remote:
        return UNIX_SOCKET in settings.TRUSTED_PROXIES
    return remote in settings.TRUSTED_PROXIES


def client_ip(request) -> str | None:
    remote = (request.META.get("REMOTE_ADDR") or "").strip()
    if not _trusted(remote):
        return _valid(remote)
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    for address in reversed(forwarded):
        if address not in settings.TRUSTED_PROXIES:
            return _valid(address)
    real = _valid(request.META.get("HTTP_X_REAL_IP", ""))
    if real is not None:
        return real
    return _valid(remote)


def limit_key(address: str | None) -> str | None:
    """The address a rate limit counts by: an IPv6 address stands for its /64 (one host
    or one home usually has a whole /64 and could hop through it), written as the
    prefix's first address so it is still a valid address (axes stores it as one); an
    IPv4-mapped IPv6 address is its IPv4 address."""
    if address is None:
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return str(ip)


def client_limit_key(request) -> str | None:
    """The visitor's address as the rate limits count it (``limit_key``); also what
    django-axes locks out."""
    return limit_key(client_ip(request))


def limit_unknown(what: str) -> None:
    """Say in the log that a limit was skipped: the request has no address."""
    logger.warning(
        "%s: no client address (REMOTE_ADDR empty and no trusted X-Forwarded-For or "
        "X-Real-IP); the per-address limit is skipped",
        what,
    )
