"""Slugs by the official Ukrainian transliteration (Cabinet of Ministers
resolution No. 55 of 27 January 2010), which ``translitua.UkrainianKMU``
implements."""

from django.utils.text import slugify
from translitua import UkrainianKMU, translit


def transliterate(text: str) -> str:
    return slugify(translit(text, UkrainianKMU))


def unique_slug(text: str, siblings, max_length: int) -> str:
    """The transliterated slug of ``text``, made unique among ``siblings``
    (a queryset of the rows that share the slug's scope) with -2, -3, …, and no
    longer than ``max_length`` (the field's: transliteration lengthens a Ukrainian
    text, щ → shch, ж → zh)."""
    base = transliterate(text)[:max_length].strip("-") or "material"
    taken = set(
        siblings.filter(slug__startswith=base[: max_length - 8]).values_list("slug", flat=True)
    )
    if base not in taken:
        return base
    number = 2
    while True:
        suffix = f"-{number}"
        slug = f"{base[: max_length - len(suffix)].rstrip('-')}{suffix}"
        if slug not in taken:
            return slug
        number += 1
