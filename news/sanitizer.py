"""The allow-list of the rich text editors may publish (what CKEditor 5 makes), and
that text read as plain words."""

import html
import re

import nh3
from django.utils.html import strip_tags

ALLOWED_TAGS = {
    "a",
    "b",
    "blockquote",
    "br",
    "caption",
    "code",
    "em",
    "figcaption",
    "figure",
    "h2",
    "h3",
    "h4",
    "hr",
    "i",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height", "loading"},
    "figure": {"class"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


def sanitize_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


# Where a block of the rich text begins or ends: the words on either side stay apart.
BLOCK_BOUNDARY = re.compile(
    r"<br\s*/?>|</?(?:p|li|h[2-4]|blockquote|figure|figcaption|caption|td|th|pre|hr)\b[^>]*>",
    re.IGNORECASE,
)


def plain_text(rich_text: str) -> str:
    """The words of a rich text as a reader sees them: the tags gone, a space where a
    block ends (``strip_tags`` alone glued "…дорогу</p><p>Школа…" into one word), the
    entities read (``&amp;`` is "&")."""
    return " ".join(html.unescape(strip_tags(BLOCK_BOUNDARY.sub(" ", rich_text))).split())
