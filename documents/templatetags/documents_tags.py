from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from search.lemmatizer import TEXT_WORD as WORD
from search.lemmatizer import normalise

register = template.Library()


@register.simple_tag
def matching_passages(text, query, limit=5, width=120):
    """Passages of text around words that share a stem with the query's words,
    those words highlighted with <mark>; everything else HTML-escaped."""
    # Words compared as the search compares them (stress marks, apostrophes, look-alikes).
    words = [normalise(w) for w in WORD.findall(query or "")[:20]]
    stems = {w[: max(3, len(w) - 2)] for w in words}
    stems = {s for s in stems if len(s) >= 3}
    if not stems or not text:
        return []
    passages = []
    for match in WORD.finditer(text):
        if normalise(match.group()).startswith(tuple(stems)):
            start = max(0, match.start() - width)
            end = min(len(text), match.end() + width)
            if passages and start <= passages[-1][1]:
                passages[-1] = (passages[-1][0], end)
            else:
                passages.append((start, end))
            if len(passages) > limit:
                break
    result = []
    for start, end in passages[:limit]:
        chunk = text[start:end]
        parts, last = [], 0
        for match in WORD.finditer(chunk):
            if normalise(match.group()).startswith(tuple(stems)):
                parts.append(escape(chunk[last : match.start()]))
                parts.append(f"<mark>{escape(match.group())}</mark>")
                last = match.end()
        parts.append(escape(chunk[last:]))
        # Every piece of text was escaped above; only our <mark> tags are raw.
        result.append(mark_safe(("…" if start else "") + "".join(parts) + "…"))  # noqa: S308
    return result
