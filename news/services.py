"""What happens to articles: views counted, pictures rendered."""

import datetime
import io
import re

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import F
from django.utils import timezone
from PIL import Image, ImageOps

from news.models import Article

VIEWED_COOKIE = "hv"
VIEWED_COOKIE_SALT = "news.viewed"
VIEWED_COOKIE_MAX_IDS = 300
BOT_PATTERN = re.compile(
    r"bot|crawl|spider|slurp|preview|fetch|monitor|curl|wget|python-requests|httpclient|headless",
    re.IGNORECASE,
)


def is_bot(request) -> bool:
    user_agent = request.META.get("HTTP_USER_AGENT", "")
    return not user_agent or bool(BOT_PATTERN.search(user_agent))


def _viewed_today(request, today: str) -> set[int]:
    try:
        value = request.get_signed_cookie(VIEWED_COOKIE, salt=VIEWED_COOKIE_SALT, default=None)
    except signing.BadSignature:
        return set()
    if not value:
        return set()
    day, _, ids = value.partition(":")
    if day != today:
        return set()
    return {int(i) for i in ids.split(",") if i.isdigit()}


def article_view_register(*, request, article: Article) -> str | None:
    """Count one view per visitor per article per Kyiv day.

    The visitor is known by a signed cookie listing today's articles, so no
    login or session row is needed. Bots, HEAD requests and staff previews are
    not counted. The increment is one ``UPDATE … SET views = views + 1``; the
    article in hand shows the new count. Returns the cookie value to set when
    the view was counted, else None.
    """
    if request.method != "GET" or is_bot(request) or not article.is_public:
        return None
    if request.user.is_authenticated and request.user.is_staff:
        return None
    today = timezone.localdate().isoformat()
    seen = _viewed_today(request, today)
    if article.pk in seen:
        return None
    Article.objects.filter(pk=article.pk).update(views=F("views") + 1)
    article.views += 1
    seen.add(article.pk)
    return f"{today}:{','.join(str(i) for i in sorted(seen)[-VIEWED_COOKIE_MAX_IDS:])}"


def viewed_cookie_set(response, value: str, *, secure: bool) -> None:
    """Remember today's viewed articles until the Kyiv midnight."""
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    response.set_signed_cookie(
        VIEWED_COOKIE,
        value,
        salt=VIEWED_COOKIE_SALT,
        expires=midnight + datetime.timedelta(days=1),
        httponly=True,
        samesite="Lax",
        secure=secure,
    )


def rendition_name(name: str, width: int) -> str:
    stem = name.rsplit(".", 1)[0]
    return f"renditions/{stem}-{width}.webp"


def article_picture_renditions(article: Article) -> list[tuple[str, int]]:
    """Make the WebP renditions of the article's picture that are missing.

    Called explicitly where pictures are saved (admin, demo loader, the
    ``make_renditions`` command), never from ``Model.save()``.
    Returns ``(url, width)`` pairs, narrowest first.
    """
    if not article.picture:
        return []
    made = []
    image = None
    try:
        for width in settings.NEWS_RENDITION_WIDTHS:
            name = rendition_name(article.picture.name, width)
            if not default_storage.exists(name):
                if image is None:
                    with article.picture.open("rb") as source:
                        image = ImageOps.exif_transpose(Image.open(source))
                        image.load()
                    if image.mode not in ("RGB", "RGBA"):
                        image = image.convert("RGB")
                copy = image.copy()
                copy.thumbnail((width, width * 10))
                buffer = io.BytesIO()
                copy.save(buffer, "WEBP", quality=78, method=4)
                default_storage.save(name, ContentFile(buffer.getvalue()))
            made.append((default_storage.url(name), width))
    except (OSError, ValueError):
        return made
    return made
