"""Slugs by the official Ukrainian transliteration (Cabinet of Ministers
resolution No. 55 of 27 January 2010), which ``translitua.UkrainianKMU``
implements."""

from django.utils.text import slugify
from translitua import UkrainianKMU, translit


def transliterate(text: str) -> str:
    return slugify(translit(text, UkrainianKMU))


def unique_slug(text: str, siblings, max_length: int = 200) -> str:
    """The transliterated slug of ``text``, made unique among ``siblings``
    (a queryset of the rows that share the slug's scope) with -2, -3, …"""
    base = transliterate(text)[:max_length].strip("-") or "material"
    taken = set(siblings.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"
