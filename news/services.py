"""What happens to articles: views counted, pictures rendered."""

import datetime
import functools
import io
import logging
import re
import threading
import time
import uuid
from collections import Counter
from typing import NamedTuple

import redis
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, connections, transaction
from django.db.models import F, Q, QuerySet
from django.db.models.sql import Query
from django.utils import timezone
from django.utils.http import http_date
from PIL import ExifTags, Image, ImageOps

from news.models import Article, ArticleViewBuffer, Category, ViewFlushBatch
from portal.redis_cache import round_trip, thread_client
from portal.storage import stored_files

logger = logging.getLogger(__name__)

VIEWED_COOKIE = "hv"
VIEWED_COOKIE_SALT = "news.viewed"
VIEWED_COOKIE_MAX_IDS = 300
BOT_PATTERN = re.compile(
    r"bot|crawl|spider|slurp|preview|fetch|monitor|curl|wget|python-requests|httpclient|headless",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=4096)  # a burst's visitors use a few hundred browsers
def is_bot_agent(user_agent: str) -> bool:
    return not user_agent or bool(BOT_PATTERN.search(user_agent))


@functools.cache
def _viewed_cookie_signer(secret_key: str, fallback_keys: tuple[str, ...]):
    """The signer of the view cookie, made once per set of keys (the cached pages
    read the cookie without a request object)."""
    return signing.get_cookie_signer(salt=VIEWED_COOKIE_SALT)


def _viewed_signer():
    return _viewed_cookie_signer(settings.SECRET_KEY, tuple(settings.SECRET_KEY_FALLBACKS))


@functools.lru_cache(maxsize=8192)
def _unsigned(signed_value: str, signer) -> str | None:
    """The value of a view cookie, or None if its signature is wrong. A reader sends
    the same cookie with every page until they read a new article: it is checked
    once per process (a third of the time of a cached article page)."""
    try:
        return signer.unsign(signed_value)
    except signing.BadSignature:
        return None


def _viewed_today(signed_value: str | None, today: str) -> set[int]:
    if not signed_value:
        return set()
    value = _unsigned(signed_value, _viewed_signer())
    if not value:
        return set()
    day, _, ids = value.partition(":")
    if day != today:
        return set()
    return {int(i) for i in ids.split(",") if i.isdigit()}


class CountedView(NamedTuple):
    """A view that was counted: the visitor's new view cookie, and the article's
    pending views with this one when the buffer told them in the same call (Redis's
    HINCRBY does; the database buffer does not: None)."""

    cookie: str
    pending: int | None


def article_view_register(*, request, article: Article, count_later=None) -> str | None:
    """Count one view per visitor per article per Kyiv day.

    The visitor is known by a signed cookie listing today's articles, so no
    login or session row is needed. Bots, HEAD requests and staff previews are
    not counted. The view goes to the buffer (``view_buffer_add``), never to
    the article's own row; the article in hand shows its flushed views plus
    the pending ones, this visit included. Returns the cookie value to set
    when the view was counted, else None.

    ``count_later``: a callable that takes a view to count, and the article's
    ``views`` it gives to show in its place (the page cache counts it when it
    stores the page, in the same round trip to Redis, and fills in the count).
    """
    counted = None
    if article.is_public:
        counted = article_id_view_register(
            request=request, article_id=article.pk, buffer=count_later is None
        )
    article.flushed_views = article.views
    if counted is not None and count_later is not None:
        article.views = count_later(article.pk, article.flushed_views)
    elif counted is not None and counted.pending is not None:
        article.views += counted.pending
    else:
        article.views += view_pending(article.pk)
    return counted.cookie if counted is not None else None


def article_id_view_register(*, request, article_id: int, buffer=True) -> CountedView | None:
    """``article_view_register`` for a public article known only by its id:
    the page cache counts a view this way before it serves a cached page.
    ``buffer=False``: decide only, the caller buffers the view."""
    if request.method != "GET":
        return None
    if request.user.is_authenticated and request.user.is_staff:
        return None
    return view_register(
        article_id,
        request.COOKIES.get(VIEWED_COOKIE),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        buffer=buffer,
    )


class _KyivDay(NamedTuple):
    start: float  # Unix times
    end: float
    date: str  # timezone.localdate().isoformat()
    expires: str  # the end as a cookie's Expires attribute


# Today in Kyiv. Asked on every article page.
_day = _KyivDay(0.0, 0.0, "", "")


def _kyiv_day() -> _KyivDay:
    """Today in Kyiv, worked out once a day."""
    global _day
    if not _day.start <= time.time() < _day.end:
        now = timezone.localtime()
        start = now.replace(hour=0, minute=0, second=0, microsecond=0)
        end = (start + datetime.timedelta(days=1, hours=2)).replace(hour=0)  # a DST day too
        _day = _KyivDay(
            start.timestamp(), end.timestamp(), now.date().isoformat(), http_date(end.timestamp())
        )
    return _day


def view_register(
    article_id: int, viewed_cookie: str | None, *, user_agent: str, buffer=True
) -> CountedView | None:
    """Count an anonymous visitor's view of an article unless their cookie (its
    signed value) shows it was counted today, or they are a bot; None when it was
    not counted. ``buffer=False``: decide only, the caller buffers the view."""
    if is_bot_agent(user_agent):
        return None
    today = _kyiv_day().date
    seen = _viewed_today(viewed_cookie, today)
    if article_id in seen:
        return None
    pending = view_buffer_add(article_id) if buffer else None
    seen.add(article_id)
    cookie = f"{today}:{','.join(str(i) for i in sorted(seen)[-VIEWED_COOKIE_MAX_IDS:])}"
    return CountedView(cookie, pending)


def published_article(category_slug: str, slug: str, *, request) -> Article | None:
    """The article a resident may see at this address (``Article.objects.published()``),
    with its section and author, or None.

    This is the one query of an article's first view, the page no cache can serve.
    Django built its SQL on every call — half a millisecond of a page of two, where
    running it took a twentieth — so the SQL is written once, and the section and the
    author come from parts shared by many pages (``portal.pagecache.shared_value``,
    stale at any save of content). On PostgreSQL it is a statement prepared once per
    connection (``portal.postgresql``), which PostgreSQL does not parse and plan again."""
    from portal.pagecache import shared_value

    categories = shared_value(
        request, "categories", [], lambda: {item.slug: item for item in Category.objects.all()}
    )
    category = categories.get(category_slug)
    if category is None:
        return None
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    sql, params = (
        _published_article_sql(connection.vendor),
        [category.pk, slug, Article.Status.PUBLISHED.value, now],
    )
    with connection.cursor() as cursor:
        execute_prepared = getattr(connection, "execute_prepared", None)  # portal.postgresql
        if execute_prepared is not None:
            execute_prepared(cursor, "hromada_published_article", sql, params)
        else:
            cursor.execute(sql, params)
        row = cursor.fetchone()  # (category, slug) is unique
    if row is None:
        return None
    article = _article_from_row(row)
    article.category = category
    if article.author_id is not None:
        article.author = shared_value(
            request,
            "author",
            [article.author_id],
            lambda: (
                get_user_model()
                .objects.only("username", "first_name", "last_name")
                .get(pk=article.author_id)
            ),
        )
    return article


def article_author_choices(*, keep_id: int | None = None) -> QuerySet:
    """Who may be named an article's author: the active staff, by name; and the
    article's own author (``keep_id``) when they have left, so that the article can
    still be edited as it is. Residents' accounts are never offered."""
    condition = Q(is_staff=True, is_active=True)
    if keep_id is not None:
        condition |= Q(pk=keep_id)
    return (
        get_user_model().objects.filter(condition).order_by("last_name", "first_name", "username")
    )


def author_label(user) -> str:
    """An author as editors and readers know them: the full name, else the login."""
    return user.get_full_name() or user.get_username()


# The parameters of published_article's query, in this order.
PUBLISHED_ARTICLE_CONDITIONS = (
    ("category", "="),
    ("slug", "="),
    ("status", "="),
    ("published_at", "<="),
)


@functools.cache
def _published_article_sql(vendor: str) -> str:
    """What ``Article.objects.published().filter(category=…, slug=…)`` runs, by the
    ``(category, slug)`` index."""
    quote, meta = connection.ops.quote_name, Article._meta
    columns = ", ".join(quote(field.column) for field in meta.concrete_fields)
    conditions = " AND ".join(
        f"{quote(meta.get_field(name).column)} {operator} %s"
        for name, operator in PUBLISHED_ARTICLE_CONDITIONS
    )
    return f"SELECT {columns} FROM {quote(meta.db_table)} WHERE {conditions}"  # noqa: S608


# Per thread, for its database connection: the SQL compiler that turns a row of
# Article's columns into Python values, its converters and the fields' names, worked
# out once (Django's raw() did it on every call, a tenth of a millisecond). Kept with
# the thread, so a connection is let go when its thread ends.
_article_row_reading = threading.local()


def _article_from_row(row) -> Article:
    """An Article from a row of its concrete fields' columns, in their order, as the
    ORM would make it (the database's values converted by the backend and the fields)."""
    database = connections[connection.alias]  # this thread's, not the proxy
    reading = getattr(_article_row_reading, "value", None)
    if reading is None or reading[0] is not database:
        meta = Article._meta
        compiler = database.ops.compiler("SQLCompiler")(Query(Article), database, database.alias)
        converters = compiler.get_converters(
            [field.get_col(meta.db_table) for field in meta.concrete_fields]
        )
        attnames = [field.attname for field in meta.concrete_fields]
        reading = _article_row_reading.value = (database, compiler, converters, attnames)
    _, compiler, converters, attnames = reading
    if converters:
        row = next(compiler.apply_converters([row], converters))
    return Article.from_db(database.alias, attnames, row)


def related_articles(article: Article, count: int = 5, *, request) -> list[Article]:
    """The latest articles of the article's section, the article left out.

    The section's list is the same for every article in it, so it is a part shared by
    their pages (portal.pagecache.shared_value: stale at any save of content, a
    scheduled article joins it within ``PAGE_CACHE_TIMEOUT``): the first view of an
    article does not query it."""
    from portal.pagecache import shared_value

    articles = shared_value(
        request,
        "section-latest",
        [article.category_id, count + 1],
        lambda: list(
            Article.objects.published()
            .for_listing()
            .filter(category_id=article.category_id)[: count + 1]
        ),
    )
    return [item for item in articles if item.pk != article.pk][:count]


# --- The view buffer (issue #6) ------------------------------------------------
#
# A counted view is one HINCRBY on a Redis hash when REDIS_URL is set, else one
# INSERT of an ArticleViewBuffer row: no page view ever updates the hot
# article row. view_counts_flush() moves the buffer into Article.views; it is
# run every minute by `manage.py flush_view_counts` (systemd timer in deploy/,
# or `flush_view_counts --every 60` as a long-running process).

REDIS_PENDING_KEY = "hromada:views:pending"
REDIS_FLUSHING_PREFIX = "hromada:views:flushing:"


def _redis():
    return thread_client(settings.REDIS_URL) if settings.REDIS_URL else None


def view_buffer_add(article_id: int) -> int | None:
    """Buffer one view of the article. With Redis, return its pending views, this
    one included (HINCRBY answers them: an article page need not ask again)."""
    client = _redis()
    if client is not None:
        return round_trip(client, view_buffer_command(article_id))[0]
    # On every counted view: plain SQL, a fifth of the ORM's time.
    table = connection.ops.quote_name(ArticleViewBuffer._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (article_id) VALUES (%s)", [article_id])  # noqa: S608
    return None


def view_buffer_command(article_id: int) -> tuple:
    """``view_buffer_add``'s command on Redis, for a caller that sends it together with
    one of its own (its answer: the pending views)."""
    return ("HINCRBY", REDIS_PENDING_KEY, str(article_id), 1)


def view_pending(article_id: int) -> int:
    """Views counted but not yet flushed into ``Article.views``."""
    client = _redis()
    if client is not None:
        return int(round_trip(client, ("HGET", REDIS_PENDING_KEY, str(article_id)))[0] or 0)
    # Asked on every cached article page: plain SQL, a tenth of the ORM's time.
    table = connection.ops.quote_name(ArticleViewBuffer._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE article_id = %s", [article_id])  # noqa: S608
        return cursor.fetchone()[0]


def view_counts_flush() -> int:
    """Add the buffered views to ``Article.views``; return how many were added.

    Nothing is lost or added twice when a process stops at any point:
    - database buffer: the rows are deleted with ``DELETE … RETURNING`` and
      the articles updated in the same transaction (all or nothing);
    - Redis: the pending hash is first RENAMEd to a batch key (atomic; new
      views start a fresh hash), then the batch is added to the articles in
      one transaction that also records the batch id (``ViewFlushBatch``);
      only then is the batch key deleted. A flush that stopped midway leaves
      the batch key behind, and the next flush finishes it — skipping the
      update if the batch id shows it was already committed.

    A flush that added views makes the cached pages stale (they hold the
    flushed count of their article).
    """
    added = _view_counts_flush()
    if added:
        from portal.pagecache import generation_bump

        # Cached article pages hold the flushed count: rebuild them.
        generation_bump()
    return added


def _view_counts_flush() -> int:
    client = _redis()
    if client is None:
        return _flush_database_buffer()
    added = 0
    for key in client.scan_iter(match=REDIS_FLUSHING_PREFIX + "*"):
        added += _flush_redis_batch(client, key.decode())
    key = REDIS_FLUSHING_PREFIX + uuid.uuid4().hex
    try:
        client.rename(REDIS_PENDING_KEY, key)
    except redis.exceptions.ResponseError:  # nothing pending
        return added
    return added + _flush_redis_batch(client, key)


def _articles_add_views(counts: Counter) -> None:
    for article_id, views in counts.items():
        Article.objects.filter(pk=article_id).update(views=F("views") + views)


def _flush_database_buffer() -> int:
    table = connection.ops.quote_name(ArticleViewBuffer._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} RETURNING article_id")  # noqa: S608
        counts = Counter(row[0] for row in cursor.fetchall())
        _articles_add_views(counts)
    return counts.total()


def _flush_redis_batch(client, key: str) -> int:
    batch = key.removeprefix(REDIS_FLUSHING_PREFIX)
    counts = Counter({int(k): int(v) for k, v in client.hgetall(key).items()})
    with transaction.atomic():
        _, created = ViewFlushBatch.objects.get_or_create(batch=batch)
        if created:
            _articles_add_views(counts)
        ViewFlushBatch.objects.filter(
            flushed_at__lt=timezone.now() - datetime.timedelta(days=7)
        ).delete()
    client.delete(key)
    return counts.total() if created else 0


def viewed_cookie_set(response, value: str, *, secure: bool) -> None:
    """Remember today's viewed articles until the Kyiv midnight."""
    day = _kyiv_day()
    response.set_cookie(
        VIEWED_COOKIE,
        _viewed_signer().sign(value),
        # Both, as Django sets them from a datetime (which it formats on every call).
        expires=day.expires,
        max_age=max(0, int(day.end - time.time()) + 1),
        httponly=True,
        samesite="Lax",
        secure=secure,
    )


def rendition_name(name: str, width: int) -> str:
    stem = name.rsplit(".", 1)[0]
    return f"renditions/{stem}-{width}.webp"


def picture_rendition_names(name: str) -> set[str]:
    """The stored renditions of a picture: those of today's widths, and any other width
    found beside them (``NEWS_RENDITION_WIDTHS`` may have changed since they were made)."""
    names = {rendition_name(name, width) for width in settings.NEWS_RENDITION_WIDTHS}
    folder, _, stem = rendition_name(name, 0).rpartition("/")
    stem = stem.removesuffix("0.webp")
    try:
        _, files = default_storage.listdir(folder)
    except (OSError, NotImplementedError):
        return names
    width = re.compile(rf"{re.escape(stem)}\d+\.webp")
    return names | {f"{folder}/{file}" for file in files if width.fullmatch(file)}


@transaction.atomic
def article_save(*, article: Article, picture_changed: bool) -> None:
    """Save an article an editor changed. A new picture gets its renditions; a picture
    replaced or removed is deleted with its renditions once this is committed
    (``article_picture_discard``): its address stays in pages, feeds, letters and
    search engines, and the file was public under /media/ for as long as it was kept."""
    previous = ""
    if picture_changed and article.pk is not None:
        previous = (
            Article.objects.filter(pk=article.pk).values_list("picture", flat=True).first() or ""
        )
    article.save()
    if picture_changed:
        article_picture_renditions(article)
        if previous and previous != article.picture.name:
            article_picture_discard(previous)


@transaction.atomic
def articles_delete(*, articles: QuerySet) -> None:
    """Delete articles, and their pictures with the renditions once this is committed."""
    pictures = set(articles.exclude(picture="").values_list("picture", flat=True))
    articles.delete()
    for name in pictures:
        article_picture_discard(name)


def article_picture_discard(name: str) -> None:
    """Delete a picture no longer shown, with its renditions, after the transaction
    commits: a rollback leaves the article with its picture, so nothing may go before.
    A file another article still refers to (then, after the commit) is kept."""
    if name:
        transaction.on_commit(functools.partial(_article_picture_delete, name), robust=True)


def _article_picture_delete(name: str) -> None:
    if Article.objects.filter(picture=name).exists():
        return
    for file in sorted(picture_rendition_names(name)) + [name]:
        try:
            default_storage.delete(file)
        except Exception:  # one storage error must not keep the other files public
            logger.exception("Could not delete the picture file %s", file)


# What a re-encoded picture keeps of its file's information: how it is drawn, never
# where or with what it was taken.
PICTURE_INFO_KEPT = ("transparency", "duration", "loop", "background", "disposal")


def picture_without_metadata(upload, image_format: str) -> ContentFile:
    """The uploaded picture (checked by news.validators.validate_image) written again
    without its metadata: a phone's photo carries EXIF with the GPS position where it was
    taken (a shelter, a resident's home), the camera and its owner's name, and the file
    is published as it is stored. The EXIF rotation is applied to the pixels, so the
    picture shows as before; JPEGs keep their quantisation tables where no turn was
    needed (no visible loss), animations keep their frames."""
    upload.seek(0)
    with Image.open(upload) as image:
        icc_profile = image.info.get("icc_profile")
        options = {"icc_profile": icc_profile} if icc_profile else {}
        picture = image
        if image_format in ("GIF", "WEBP") and getattr(image, "n_frames", 1) > 1:
            options["save_all"] = True  # an animation; a phone's MPO JPEG keeps its first
        elif image.getexif().get(ExifTags.Base.Orientation, 1) != 1:
            picture = ImageOps.exif_transpose(image)
        if image_format == "JPEG":
            # "keep" reuses the file's own quantisation: needs the file's pixels as read.
            options["quality"] = "keep" if picture is image and image.format == "JPEG" else 92
        elif image_format == "WEBP":
            options["quality"] = 90
        picture.info = {key: picture.info[key] for key in PICTURE_INFO_KEPT if key in picture.info}
        buffer = io.BytesIO()
        picture.save(buffer, image_format, **options)
    upload.seek(0)
    return ContentFile(buffer.getvalue(), name=getattr(upload, "name", None))


def article_picture_renditions(article: Article) -> list[tuple[str, int]]:
    """Make the WebP renditions of the article's picture that are missing, and keep the
    picture's size as shown in the article's row (``picture_width``, ``picture_height``).

    Called explicitly where pictures are saved (the admin, the demo loader), never
    from ``Model.save()``.
    Returns ``(url, width)`` pairs, narrowest first.
    """
    if not article.picture:
        return []
    made = []
    image = None
    try:
        article_picture_measure(article)
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


# EXIF orientations that turn a picture by a quarter: its width is the stored height.
QUARTER_TURNS = {5, 6, 7, 8}


def article_picture_measure(article: Article) -> None:
    """Store the size of the article's picture as a browser shows it (its EXIF rotation
    applied), reading only the file's header."""
    with article.picture.open("rb") as source, Image.open(source) as image:
        width, height = image.size
        if image.getexif().get(ExifTags.Base.Orientation) in QUARTER_TURNS:
            width, height = height, width
    article.picture_width, article.picture_height = width, height
    Article.objects.filter(pk=article.pk).update(picture_width=width, picture_height=height)


# Pictures are named by news.models.picture_name, and found by that name wherever an
# address points (/media/…, a CDN, S3): an article's own under news/, those an editor put
# into its text (news.views.editor_image_upload) under editor/.
PICTURE_NAME = r"\d{4}/\d{2}/[0-9a-f]{32}\.[a-z]+"
ARTICLE_PICTURE_NAME = re.compile(rf"news/{PICTURE_NAME}")
EDITOR_PICTURE_NAME = re.compile(rf"editor/{PICTURE_NAME}")
# A picture is kept this long even if no saved article shows it: the editor who uploaded
# it may not have saved the article yet.
UNUSED_PICTURE_GRACE = datetime.timedelta(days=1)


def unused_pictures_prune(
    *, older_than: datetime.timedelta = UNUSED_PICTURE_GRACE, dry_run: bool = False
) -> list[str]:
    """Delete the pictures no article shows and that are older than ``older_than``;
    returns their names (renditions not listed).

    A picture put into an article's text goes when no article's text shows it any more
    (taken out of the text, or its article deleted): nothing else deletes it. An
    article's own picture is deleted when it is replaced or its article deleted
    (``article_picture_discard``); one no article has is left by a save that failed
    after the upload was stored (its transaction rolled back), and goes with its
    renditions. Such files stay public under /media/ for as long as they are kept,
    whoever is in them. Drafts and unpublished articles count as showing theirs. Letters
    already sent that showed a pruned picture show it no more."""
    in_text = set()
    bodies = Article.objects.filter(body__contains="editor/").values_list("body", flat=True)
    for body in bodies.iterator(chunk_size=1000):
        in_text.update(EDITOR_PICTURE_NAME.findall(body))
    own = set(Article.objects.exclude(picture="").values_list("picture", flat=True))
    cutoff = timezone.now() - older_than
    pruned = []
    folders = [("news", ARTICLE_PICTURE_NAME, own), ("editor", EDITOR_PICTURE_NAME, in_text)]
    for folder, pattern, shown in folders:
        for name in stored_files(default_storage, folder):
            if name in shown or not pattern.fullmatch(name):
                continue
            try:
                if default_storage.get_modified_time(name) > cutoff:
                    continue
                if not dry_run:
                    renditions = picture_rendition_names(name) if folder == "news" else set()
                    for file in [*sorted(renditions), name]:
                        default_storage.delete(file)
            except (OSError, NotImplementedError):
                logger.exception("Could not prune the picture %s", name)
                continue
            pruned.append(name)
    return pruned
