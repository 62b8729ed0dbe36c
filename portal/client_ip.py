"""The visitor's address, for rate limits.

Behind the reverse proxy every request comes from the proxy's address; the
visitor's own is the last address the proxy appended to X-Forwarded-For. Only
a request from a trusted proxy may speak for another address.
"""

from django.conf import settings


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    if remote not in settings.TRUSTED_PROXIES:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    for address in reversed(forwarded):
        if address not in settings.TRUSTED_PROXIES:
            return address
    return remote
