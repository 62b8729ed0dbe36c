"""Addresses as they are read outside the site: in e-mail, in search engines' and social
networks' copies of a page."""

from django.conf import settings


def absolute_url(address: str) -> str:
    """``address`` on the public site (``SITE_URL`` before a path), or the address itself
    when it names its own host already: media in S3-compatible storage or behind a CDN
    (``S3_CUSTOM_DOMAIN``) come with theirs."""
    if "://" in address:
        return address
    if address.startswith("//"):  # the site's own scheme, another host
        return f"{settings.SITE_URL.split('://', 1)[0]}:{address}"
    return f"{settings.SITE_URL}{address}"
