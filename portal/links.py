"""Addresses as they are read outside the site: in e-mail, in search engines' and social
networks' copies of a page."""

from django.conf import settings
from django.urls import reverse, translate_url
from django.utils.translation import get_language_from_path, override


def absolute_url(address: str) -> str:
    """``address`` on the public site (``SITE_URL`` before a path), or the address itself
    when it names its own host already: media in S3-compatible storage or behind a CDN
    (``S3_CUSTOM_DOMAIN``) come with theirs."""
    if "://" in address:
        return address
    if address.startswith("//"):  # the site's own scheme, another host
        return f"{settings.SITE_URL.split('://', 1)[0]}:{address}"
    return f"{settings.SITE_URL}{address}"


def translated_path(path: str, language: str, *, found: bool = False) -> str:
    """The address of the page at ``path`` (the current language's) in ``language``:
    the same page under the other language's prefix, with its query; the other
    language's home page for an address that names no page (a 404).

    ``found``: a view was found for ``path`` (the request's ``resolver_match``). The
    site's URL patterns are the same in every language (portal/urls.py), so such an
    address differs only by its prefix; translate_url's resolve and reverse were 6 %
    of the CPU of a page the cache does not hold."""
    if found:
        current = get_language_from_path(path) or settings.LANGUAGE_CODE
        if current != settings.LANGUAGE_CODE:
            path = path[len(current) + 1 :]
        return path if language == settings.LANGUAGE_CODE else f"/{language}{path}"
    translated = translate_url(path, language)
    if translated == path and get_language_from_path(path) != language:
        with override(language):
            return reverse("news:home")
    return translated
