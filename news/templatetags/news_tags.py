from django import template
from django.conf import settings
from django.core.files.storage import default_storage
from django.utils.translation import ngettext

from news.services import rendition_name

register = template.Library()


@register.inclusion_tag("news/includes/picture.html")
def article_picture(article, sizes="(min-width: 60em) 44rem, 100vw", eager=False):
    """The article's picture with its WebP renditions in ``srcset``."""
    if not article.picture:
        return {"picture": None}
    srcset = ", ".join(
        f"{default_storage.url(rendition_name(article.picture.name, width))} {width}w"
        for width in settings.NEWS_RENDITION_WIDTHS
    )
    return {
        "picture": article.picture,
        "width": article.picture_width,
        "height": article.picture_height,
        "alt": article.picture_alt,
        "srcset": srcset,
        "sizes": sizes,
        "eager": eager,
    }


@register.simple_tag
def news_count(number):
    """ "1 новина", "2 новини", "5 новин" by the language's plural rules."""
    return ngettext("%(count)s article", "%(count)s articles", number) % {"count": number}
