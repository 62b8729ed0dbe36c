from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from search.lemmatizer import TEXT_WORD as WORD
from search.lemmatizer import matched_words, normalise

register = template.Library()


@register.simple_tag
def snippet(text, groups, width=240):
    """A passage of the original text around the first match, every matched word form in
    <mark>; all other text HTML-escaped."""
    text = text or ""
    words = matched_words(text[:20000], groups) if groups else set()
    start = 0
    for match in WORD.finditer(text[:20000]):
        if normalise(match.group()) in words:
            start = max(0, match.start() - width // 3)
            break
    chunk = text[start : start + width]
    parts, last = [], 0
    for match in WORD.finditer(chunk):
        if normalise(match.group()) in words:
            parts.append(escape(chunk[last : match.start()]))
            parts.append(f"<mark>{escape(match.group())}</mark>")
            last = match.end()
    parts.append(escape(chunk[last:]))
    prefix = "…" if start else ""
    suffix = "…" if start + width < len(text) else ""
    # Every piece of text is escaped above; only our <mark> tags are raw.
    return mark_safe(prefix + "".join(parts) + suffix)  # noqa: S308
