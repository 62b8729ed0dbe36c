"""Whole-page cache for anonymous readers (issue #6).

Readers arrive in bursts (an air-raid alert, a water outage): the home page,
the news list, a section, an article, the searches and the document registry
are then served from the cache — Redis when ``REDIS_URL`` is set, local memory
otherwise — by the view decorator ``page_cache`` (class-based views take it
from ``PageCacheMixin``), inside every middleware.

What is cached, and when
    Only GET and HEAD requests of visitors who are not logged in and have no
    pending message, with no query parameter but the ones the view declares
    (``page`` by default) and the tracking ones (served the clean address's
    page, never stored); only 200 responses that set no cookie except the view
    counter's, and not a page rendered for a visitor who voted (its sidebar holds
    their results) nor one its view served under an address not its own
    (``page_not_stored``: "?page=abc" shows the first page). Everything else goes
    to the view as usual.

Two ways to a hit
    ``page_cache`` marks a storable miss; ``PageCacheMiddleware`` (first in
    ``MIDDLEWARE``) stores it with the final headers of every middleware. A
    hit for a plain anonymous reader — no session, message or voter cookie —
    is then served by ``PageCacheHandler`` in ``portal/wsgi.py``, in front of
    Django, from the WSGI environ: the entry compiled once per process
    (``CompiledPage``, kept while its generation is current), the per-visitor
    parts filled in, no request or response object, middleware, URL resolving
    or view. Everyone else's hits (a voter, say) are served by the decorator
    inside Django.

Invalidation: a content generation
    Every entry holds the generation it was built in and is served only while
    that is the current one. With Redis the generation is a key there that
    every process reads from its own memory, kept current by a subscription
    (``RedisCache.pushed_counter``: a hit asks Redis nothing); with local memory,
    which is per process, it is a small file under ``var/`` that every worker
    process of the machine reads. Saving or
    deleting an Article, Category, Document, Poll or Choice bumps it — the
    ``post_save``/``post_delete`` handlers are registered in one place,
    ``register_signal_handlers()``, called from ``PortalConfig.ready()`` — and
    every page built before is unreachable from then on. It is bumped again
    when the transaction commits: a page rendered between the save and the
    commit (from the old rows) is never served under the new generation. So an
    unpublished article disappears with the save that unpublished it. Votes do not bump it
    (a busy poll would empty the cache on every vote): the percentages of a
    cached page may be up to ``PAGE_CACHE_TIMEOUT`` old.

Scheduled articles
    An article published with a future time appears by itself (the time is
    part of the query), with no save to bump the generation. Entries therefore
    live ``PAGE_CACHE_TIMEOUT`` seconds (60): a scheduled article is on every
    page at most 60 seconds after its time; a poll closes on the sidebar at
    most 60 seconds after its moment (the vote itself is refused on time). A
    page whose time ran out is rendered again by the first request to find it
    so; the other readers of the process get the old page meanwhile (at most
    ``STALE_SECONDS``), not a render each.

Per-visitor parts of a cached page
    The stored HTML has placeholders where one visitor's data was, and each
    request fills in its own:
    - the CSRF token of every form (language switch, sidebar vote and signup)
      is the visitor's secret under a fresh mask, as ``get_token()`` gives it;
      a visitor without the cookie gets a new secret and the cookie, so the
      forms work;
    - the CSP nonce of the page's scripts is the current request's nonce;
    - the sidebar poll (between ``<!--pagecache:poll-->`` markers in
      ``includes/sidebar.html``) is rendered again for a visitor who carries
      the voter cookie, so who voted sees "voted" and the results; visitors
      without it (nearly everyone) get the stored block, which is the same for
      all of them;
    - on an article, the view is counted before the cached page is served (the
      entry knows the article's id), and the count shown is the flushed
      ``Article.views`` stored with the page plus the views pending in the
      buffer, read at most once a second per process, with the views this
      process counted since added (a reader always finds their own view). A
      flush that adds views bumps the generation, so a stored flushed count is
      never older than the last flush. On a miss with Redis, the view is counted
      in the round trip that stores the page (``views_counted_with_the_page``).

Look-ups that could only miss
    With Redis, every page stored is recorded in a stream that each process reads
    (``portal.stored_pages``): a page no process recorded in the current generation is
    not looked up, and the first reader of an article costs one round trip to Redis,
    not two.
"""

import base64
import contextlib
import functools
import hashlib
import itertools
import os
import re
import threading
import time
from types import SimpleNamespace
from typing import NamedTuple
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.core.signals import setting_changed
from django.db import DatabaseError, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpResponse
from django.http.cookie import parse_cookie
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, CsrfViewMiddleware
from django.template import RequestContext, Template
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language_from_path

from news.services import (
    VIEWED_COOKIE,
    CountedView,
    article_id_view_register,
    view_buffer_add,
    view_buffer_command,
    view_pending,
    view_register,
    viewed_cookie_set,
)
from polls.services import VOTER_COOKIE
from portal.links import translated_path
from portal.middleware import REDIS_OUTAGES
from portal.redis_cache import RedisCache, close_pushed_counters
from portal.stored_pages import forget as forget_stored_pages

GENERATION_KEY = "pagecache:generation"
# Part of every page's key: a new format of the entries (_entry) takes a new number, so
# that a process of the new code never reads a page an older one stored.
PAGE_FORMAT = 2
CSRF_PLACEHOLDER = "<!--pagecache:csrf-->"
NONCE_PLACEHOLDER = "<!--pagecache:nonce-->"
VIEWS_PLACEHOLDER = "<!--pagecache:views-->"
POLL_START, POLL_END = "<!--pagecache:poll-->", "<!--/pagecache:poll-->"
CSRF_INPUT = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
# A page is stored as the bytes it was sent as: its text decoded, searched and encoded
# again cost a first view more than storing it.
CSRF_INPUT_BYTES = re.compile(CSRF_INPUT.pattern.encode())
# The views figure in news/article_detail.html: <span class="views">…</span>N</span>
VIEWS_FIGURE = re.compile(rb'(<span class="views">.*?</span>)(\d+)(</span>)')
POLL_BLOCK = re.compile(re.escape(POLL_START) + ".*?" + re.escape(POLL_END), re.DOTALL)
MESSAGES_COOKIE = CookieStorage.cookie_name
# The environ key of a miss the front handler hands to Django: (key, generation,
# the address it is remembered by in this process).
MISS = "portal.pagecache.miss"
# Set per response, never replayed from the cache.
HEADERS_NOT_STORED = {"set-cookie", "content-length", "x-page-cache"}


def timeout() -> int:
    return getattr(settings, "PAGE_CACHE_TIMEOUT", 60)


# --- The content generation ---------------------------------------------------


class _GenerationFile:
    """The generation file as this process last read it, kept open.

    The file is only ever replaced, never written in place, and an inode that a
    process holds open is never given to another file: while the path still
    names the inode held here, the value read from it is the current one. One
    ``stat`` per request instead of reading the file."""

    def __init__(self):
        self.state = (None, None, 0)  # (path, (st_dev, st_ino), value)
        self.fd = None

    def value(self, path: str) -> int:
        try:
            found = os.stat(path)
        except FileNotFoundError:
            return 0
        held_path, held, value = self.state  # read after the stat: see below
        if held_path == path and held == (found.st_dev, found.st_ino):
            return value
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            return 0
        info = os.fstat(fd)
        try:
            value = int(os.read(fd, 64) or 0)
        except ValueError:
            value = 0
        # Swap, then close the old file: a thread that read the old state after its
        # stat compares against an inode still held open, so never a reused one.
        previous, self.fd = self.fd, fd
        self.state = (path, (info.st_dev, info.st_ino), value)
        if previous is not None:
            os.close(previous)
        return value


_generation_file_read = _GenerationFile()


def generation() -> int:
    """The current content generation, where the cache in use keeps it: a file every
    worker of the machine reads (local memory is per process), a counter Redis pushes
    to every process, or a key in another shared cache."""
    backend = caches["default"]
    if isinstance(backend, LocMemCache):
        return _generation_file_read.value(os.fspath(settings.PAGE_CACHE_GENERATION_FILE))
    if isinstance(backend, RedisCache):
        return backend.pushed_counter(GENERATION_KEY).value()
    value = backend.get(GENERATION_KEY)  # one read per request
    if value is None:
        # A fresh value larger than any before: a generation evicted from the
        # cache never comes back to an older one.
        backend.add(GENERATION_KEY, time.time_ns(), timeout=None)
        value = backend.get(GENERATION_KEY, 0)
    return value


def _bump() -> None:
    backend = caches["default"]
    if isinstance(backend, LocMemCache):
        # A new file put in place at once: a reader sees the old or the new value.
        path = os.fspath(settings.PAGE_CACHE_GENERATION_FILE)
        value = max(time.time_ns(), generation() + 1)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        temporary = f"{path}.{os.getpid()}.{time.monotonic_ns()}"
        with open(temporary, "wb") as file:
            file.write(str(value).encode())
        os.replace(temporary, path)
    elif isinstance(backend, RedisCache):
        backend.pushed_counter(GENERATION_KEY).bump()
    else:
        try:
            backend.incr(GENERATION_KEY)
        except ValueError:
            backend.add(GENERATION_KEY, time.time_ns(), timeout=None)


def generation_bump(**kwargs) -> None:
    """Make every cached page stale, now and when the transaction commits (a
    signal receiver, also callable)."""
    _bump()
    transaction.on_commit(_bump)


def register_signal_handlers() -> None:
    """Content whose change must reach readers at once."""
    from django.apps import apps

    for label in (
        "news.Article",
        "news.Category",
        "documents.Document",
        "documents.DocumentKind",
        "documents.IssuingBody",
        "polls.Poll",
        "polls.Choice",
    ):
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        post_save.connect(generation_bump, sender=model, dispatch_uid=f"pagecache:{label}:s")
        post_delete.connect(generation_bump, sender=model, dispatch_uid=f"pagecache:{label}:d")


def _remember(memory: dict, key, value, limit: int) -> None:
    """``memory[key] = value``, the oldest entry dropped first when ``limit`` is reached
    (a per-process memory that threads share: a lost race only forgets one more)."""
    if len(memory) >= limit:
        with contextlib.suppress(StopIteration, KeyError, RuntimeError):
            del memory[next(iter(memory))]
    memory[key] = value


# --- Storing ------------------------------------------------------------------


def _has_messages(request) -> bool:
    if request.COOKIES.get(MESSAGES_COOKIE):
        return True
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return bool(request.session.get("_messages"))
    return False


def _cacheable_request(request) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and not request.user.is_authenticated
        and not _has_messages(request)
    )


# Parameters that tell where a reader came from (a share's ?fbclid=…, ?utm_…), not
# which page they asked for: such a request is served the page of the clean address,
# and never stored under its own (each click of a share would add a page to the
# cache, and one reader's click id to the links that others are served).
TRACKING_PARAMETERS = frozenset(
    {"fbclid", "gclid", "yclid", "msclkid", "igshid", "mc_cid", "mc_eid", "_ga"}
)


def _is_tracking(name: str) -> bool:
    return name in TRACKING_PARAMETERS or name.startswith("utm_")


def _key(request, language: str) -> str:
    address = f"{request.scheme}://{request.get_host()}{request.path}"
    query = [
        (name, value)
        for name in sorted(request.GET)
        if not _is_tracking(name)
        for value in request.GET.getlist(name)
    ]
    if query:
        address += "?" + urlencode(query)
    path = hashlib.blake2b(address.encode(), digest_size=16).hexdigest()
    return f"pagecache:page:{PAGE_FORMAT}:{language}:{path}"


def _lookup(key: str, current: int | None = None) -> tuple[dict | None, int]:
    """The entry under key if it was built in the current generation, and the
    generation (pass it if this request has read it already)."""
    if current is None:
        current = generation()
    backend = caches["default"]
    if isinstance(backend, RedisCache) and not backend.may_hold_page(key, current, timeout()):
        return None, current
    entry = cache.get(key)
    if entry is not None and entry["generation"] != current:
        entry = None
    return entry, current


def _storable(request, response) -> bool:
    if response.status_code != 200 or response.streaming or request.method != "GET":
        return False
    if any(_is_tracking(name) for name in request.GET):
        return False
    if VOTER_COOKIE in request.COOKIES:
        # Their sidebar holds their own results; a hit re-renders it for them anyway.
        return False
    # A cookie other than these means the page was made for this visitor.
    allowed = {VIEWED_COOKIE, settings.CSRF_COOKIE_NAME}
    if any(name not in allowed for name in response.cookies):
        return False
    if "no-store" in response.get("Cache-Control", "") or "private" in response.get(
        "Cache-Control", ""
    ):
        return False
    storage = getattr(request, "_messages", None)
    return not (storage is not None and storage._queued_messages)


def _without_csrf_tokens(html: str) -> str:
    """The stored form of html: each form's CSRF token is a placeholder."""
    return CSRF_INPUT.sub(r"\g<1>" + CSRF_PLACEHOLDER + r"\g<2>", html)


def _entry(request, response) -> dict:
    body = CSRF_INPUT_BYTES.sub(rb"\g<1>" + CSRF_PLACEHOLDER.encode() + rb"\g<2>", response.content)
    nonce = getattr(request, "_csp_nonce", None)
    headers = [
        (name, value) for name, value in response.items() if name.lower() not in HEADERS_NOT_STORED
    ]
    if nonce:
        body = body.replace(f'nonce="{nonce}"'.encode(), f'nonce="{NONCE_PLACEHOLDER}"'.encode())
        headers = [(name, value.replace(str(nonce), NONCE_PLACEHOLDER)) for name, value in headers]
    article_id, views = getattr(response, "pagecache_article", (None, None))
    if article_id is not None and VIEWS_PLACEHOLDER.encode() not in body:
        # Rendered with its count (views_counted_with_the_page was not used).
        match = VIEWS_FIGURE.search(body)
        if match:
            body = b"".join(
                (body[: match.start(2)], VIEWS_PLACEHOLDER.encode(), body[match.end(2) :])
            )
        else:
            article_id = None
    return {
        "body": body,  # in the response's charset, UTF-8
        "headers": headers,
        "expires": time.time() + timeout(),
        "article_id": article_id,
        "views": views,
    }


def views_counted_with_the_page(request):
    """For the article view of a page-cache miss, where Redis holds both the pages and
    the view buffer: ``article_view_register``'s ``count_later``. The view is then
    counted by ``PageCacheMiddleware`` in the round trip that stores the page (a
    HINCRBY before the SET), and the page is rendered with a placeholder for the count,
    which the stored page has anyway; None elsewhere (the view counts it at once)."""
    if getattr(request, "_pagecache_storing", False) is not True:
        return None
    backend = caches["default"]
    if not isinstance(backend, RedisCache) or backend._servers[0] != settings.REDIS_URL:
        return None

    def count_later(article_id: int, flushed_views: int):
        request._pagecache_view = (article_id, flushed_views)
        return mark_safe(VIEWS_PLACEHOLDER)  # noqa: S308 - a constant comment

    return count_later


def _store(key: str, entry: dict, *, before=()) -> list:
    """Put a page in the cache; with Redis, after the commands ``before`` (returning
    their answers) and recorded in ``portal.stored_pages``, in one round trip."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        return backend.store_page(key, entry, timeout(), entry["generation"], before=before)
    if before:  # pragma: no cover - only views_counted_with_the_page sends any, with Redis
        raise ValueError("commands to send with a page need Redis")
    backend.set(key, entry, timeout())
    return []


def _count_view(request, response, key, entry) -> None:
    """Count the view ``views_counted_with_the_page`` left for later — with the store
    when there is an entry to store — and fill its count into the page."""
    article_id, flushed_views = request._pagecache_view
    if response.status_code != 200:
        return  # an error page instead of the article (never stored): not viewed
    if entry is not None:
        pending = _store(key, entry, before=[view_buffer_command(article_id)])[0]
    else:
        pending = view_buffer_add(article_id)
    placeholder = VIEWS_PLACEHOLDER.encode()
    if placeholder in response.content:
        count = str(flushed_views + pending).encode()
        response.content = response.content.replace(placeholder, count)
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))


class PageCacheMiddleware:
    """Stores the pages ``page_cache`` marked, with every middleware's headers.

    First in ``MIDDLEWARE``, so that the response it sees is the one sent."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request._pagecache_middleware = True
        response = self.get_response(request)
        key, built_in = getattr(response, "pagecache_key", (None, None))
        entry = None
        if key is not None and _storable(request, response):
            entry = {**_entry(request, response), "generation": built_in}
        if hasattr(request, "_pagecache_view"):
            _count_view(request, response, key, entry)  # and stores the entry
        elif entry is not None:
            _store(key, entry)
        if entry is not None:
            missed_key, _, address, _ = request.META.get(MISS, (None,) * 4)
            if missed_key == key and address in _compiled:
                # A page rendered again: the readers served the old one meanwhile get it now.
                _compiled[address] = CompiledPage(entry)
        return response


# --- Serving ------------------------------------------------------------------


# The CSRF alphabet's 62 characters as the numbers 0–61 and back, so that a token is
# made with a few bytes operations instead of a Python step per character.
_CHARS = CSRF_ALLOWED_CHARS.encode()
_TO_NUMBER = bytes.maketrans(_CHARS, bytes(range(62)))
_TO_CHAR = bytes.maketrans(bytes(range(124)), _CHARS + _CHARS)  # a number, or a sum, mod 62
_MOD_62 = bytes.maketrans(bytes(range(248)), bytes(value % 62 for value in range(248)))
_UNEVEN = bytes(range(248, 256))  # 248 = 4 × 62: bytes from here up would favour 0–7
CSRF_SECRET = re.compile(rf"[{re.escape(CSRF_ALLOWED_CHARS)}]{{{CSRF_SECRET_LENGTH}}}")


class _RandomBytes:
    """``os.urandom`` read 4 kB at a time, per thread: on this kind of server one
    system call cost more than all the rest of a hit's own work (a CSRF mask and a
    CSP nonce on every page). Each byte is handed out once; a forked worker drops
    what it inherited from its parent, so no two processes hand out the same bytes."""

    def __init__(self, size: int = 4096):
        self.size = size
        self.local = threading.local()
        os.register_at_fork(after_in_child=self._forget)

    def _forget(self) -> None:
        self.local = threading.local()

    def take(self, count: int) -> bytes:
        local = self.local
        buffer, offset = getattr(local, "buffer", b""), getattr(local, "offset", 0)
        if offset + count > len(buffer):
            buffer, offset = os.urandom(max(self.size, count)), 0
            local.buffer = buffer
        local.offset = offset + count
        return buffer[offset : offset + count]


_random_bytes = _RandomBytes()


def _nonce() -> str:
    """``django.utils.csp.generate_nonce()``: ``secrets.token_urlsafe(16)``."""
    return base64.urlsafe_b64encode(_random_bytes.take(16)).rstrip(b"=").decode()


def _random_numbers() -> bytes:
    """CSRF_SECRET_LENGTH random numbers 0–61, unbiased: bytes from 248 up are
    dropped (Django's ``get_random_string`` draws one ``urandom`` per character)."""
    numbers = b""
    while len(numbers) < CSRF_SECRET_LENGTH:
        numbers += _random_bytes.take(48).translate(_MOD_62, _UNEVEN)
    return numbers[:CSRF_SECRET_LENGTH]


def _random_csrf_string() -> str:
    """What Django's ``get_random_string(32, CSRF_ALLOWED_CHARS)`` gives."""
    return _random_numbers().translate(_TO_CHAR).decode()


def _masked(secret: str) -> str:
    """``django.middleware.csrf._mask_cipher_secret``: the secret under a fresh mask,
    each character the sum of the secret's and the mask's, mod 62. The sums are
    added as two 32-byte numbers: no byte carries (61 + 61 < 256)."""
    mask = _random_numbers()
    sums = int.from_bytes(secret.encode().translate(_TO_NUMBER)) + int.from_bytes(mask)
    return (mask + sums.to_bytes(CSRF_SECRET_LENGTH)).translate(_TO_CHAR).decode()


def _csrf_token(request) -> str:
    """``django.middleware.csrf.get_token``: the visitor's secret (a new one if
    they have none) masked afresh for this response. Unlike get_token, a cookie
    the visitor has is not sent again (its year is not renewed on every page)."""
    secret = request.META.get("CSRF_COOKIE")
    if not secret:
        secret = _random_csrf_string()
        request.META.update({"CSRF_COOKIE": secret, "CSRF_COOKIE_NEEDS_UPDATE": True})
    return _masked(secret)


SLOT = re.compile(
    b"("
    + b"|".join(
        re.escape(placeholder.encode())
        for placeholder in (CSRF_PLACEHOLDER, NONCE_PLACEHOLDER, VIEWS_PLACEHOLDER)
    )
    + b")"
)


class CompiledPage:
    """A cache entry ready to serve: its HTML encoded once and cut where the
    per-visitor parts go, its headers cut where the nonce goes."""

    __slots__ = (
        "generation",
        "expires",
        "article_id",
        "views",
        "pieces",
        "headers",
        "has_csrf",
        "_claims",
    )

    def __init__(self, entry: dict):
        self._claims = itertools.count()
        self.generation = entry["generation"]
        self.expires = entry.get("expires", float("inf"))
        self.article_id, self.views = entry["article_id"], entry["views"]
        # Even places: the page's own bytes; odd places: a placeholder, filled per request.
        self.pieces = [
            piece.decode() if place % 2 else piece
            for place, piece in enumerate(SLOT.split(entry["body"]))
        ]
        self.has_csrf = CSRF_PLACEHOLDER in self.pieces
        self.headers = [(name, value.split(NONCE_PLACEHOLDER)) for name, value in entry["headers"]]

    def body(self, *, csrf_token: str, nonce: str, views: int | None) -> bytes:
        fill = {
            CSRF_PLACEHOLDER: csrf_token.encode(),
            NONCE_PLACEHOLDER: nonce.encode(),
            VIEWS_PLACEHOLDER: str(views).encode(),
        }
        return b"".join(fill[piece] if type(piece) is str else piece for piece in self.pieces)

    def header_items(self, nonce: str) -> list[tuple[str, str]]:
        return [(name, nonce.join(parts)) for name, parts in self.headers]

    def claim_refresh(self) -> bool:
        """True for the first caller only (``next`` on a count is atomic)."""
        return next(self._claims) == 0


def _poll_block(request) -> str:
    template = Template("{% load polls_tags %}{% sidebar_poll %}")
    return POLL_START + template.render(RequestContext(request)) + POLL_END


# The pending views of an article as this process last read them, by generation
# (a flush bumps it) and article: {(generation, article id): (monotonic time, views)}.
_pending_read: dict[tuple[int, int], tuple[float, int]] = {}
PENDING_READ_SECONDS = 1.0


def _pending_views(article_id: int, generation: int, counted: CountedView | None) -> int:
    """The views waiting in the buffer, read from it at most once a second per
    article (counting them costs more than the rest of a hit, and the more so in a
    burst), or as the buffer told them when it counted this view. A reader may miss
    the last second of other processes' views, never their own: a view counted here
    is added to what this process last read."""
    key, now = (generation, article_id), time.monotonic()
    seen = _pending_read.get(key)
    if counted is not None and counted.pending is not None:
        read_at, views = now, counted.pending
    elif seen is not None and now - seen[0] < PENDING_READ_SECONDS:
        read_at, views = seen[0], seen[1] + (counted is not None)
    else:
        try:
            views = view_pending(article_id)  # this view, if counted, included
        except (DatabaseError, *REDIS_OUTAGES):  # the view is counted; show what was flushed
            return 0
        read_at = now
    _remember(_pending_read, key, (read_at, views), 10_000)
    return views


def _views_shown(page: CompiledPage, counted: CountedView | None) -> int:
    """The count an article's page shows: flushed with the page, plus the pending views."""
    return page.views + _pending_views(page.article_id, page.generation, counted)


def _response(request, page: CompiledPage) -> HttpResponse:
    """A hit served inside Django (a reader who voted, or has a session): the
    middleware around it adds the headers and cookies."""
    views, counted = None, None
    if page.article_id is not None:
        counted = article_id_view_register(request=request, article_id=page.article_id)
        views = _views_shown(page, counted)
    body = page.body(
        csrf_token=_csrf_token(request) if page.has_csrf else "",
        nonce=str(request._csp_nonce),
        views=views,
    )
    if VOTER_COOKIE in request.COOKIES and POLL_START.encode() in body:
        poll = _poll_block(request)
        body = POLL_BLOCK.sub(lambda _: poll, body.decode(), count=1).encode()
    response = HttpResponse(body)
    for name, value in page.header_items(str(request._csp_nonce)):
        if name in ("Content-Type", "Content-Language"):
            response[name] = value
    response["X-Page-Cache"] = "hit"
    if counted is not None:
        viewed_cookie_set(response, counted.cookie, secure=request.is_secure())
    return response


def page_cache(view=None, *, parameters=("page",)):
    """Serve ``view`` from the page cache to anonymous readers (see above):
    ``@page_cache``, or ``@page_cache(parameters=…)`` for a view that reads more
    of the query string than the page number. A request with any other parameter
    (but the tracking ones) is not cached.

    A view that counts article views marks its response with
    ``response.pagecache_article = (id, flushed views)`` so that hits count too; a
    view keeps a response out of the cache with ``page_not_stored(response)``."""
    if view is None:
        return functools.partial(page_cache, parameters=parameters)
    known = frozenset(parameters)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if timeout() <= 0 or not _cacheable_request(request):
            return view(request, *args, **kwargs)
        if any(name not in known and not _is_tracking(name) for name in request.GET):
            return view(request, *args, **kwargs)
        missed_key, missed_in, _, missed_language = request.META.get(MISS, (None,) * 4)
        if missed_key is not None and missed_language == request.LANGUAGE_CODE:
            # The front handler looked this address up and missed, a moment ago.
            key, entry, current = missed_key, None, missed_in
        else:
            key = _key(request, request.LANGUAGE_CODE)
            entry, current = _lookup(key)
        request._pagecache_generation = current  # the shared parts use the same one
        if entry is not None:
            return _response(request, CompiledPage(entry))
        # PageCacheMiddleware (when in MIDDLEWARE) may store what the view renders.
        request._pagecache_storing = getattr(request, "_pagecache_middleware", False)
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if getattr(response, "pagecache_store", True):
            response.pagecache_key = (key, current)  # PageCacheMiddleware decides
        return response

    return wrapper


class PageCacheMixin:
    """``page_cache`` for a class-based view, wrapped once around its view function
    (``method_decorator`` on ``dispatch`` wraps anew on every request); its
    ``parameters`` are ``page_cache_parameters``."""

    page_cache_parameters = ("page",)

    @classmethod
    def as_view(cls, **initkwargs):
        return page_cache(super().as_view(**initkwargs), parameters=cls.page_cache_parameters)


def page_not_stored(response):
    """Keep a page the view served under an address not its own out of the cache
    ("?page=abc" shows the first page): stored, every other junk value typed into the
    address would keep one more copy of the same page. The view still answers it."""
    response.pagecache_store = False
    return response


# --- Serving before Django ------------------------------------------------------
#
# Most requests in a burst are plain anonymous GETs of a page in the cache. They are
# answered from the environ alone: no request or response object, no middleware, and
# the entry compiled once per process (kept while its generation is the current one
# and its time has not run out).


class Hit(NamedTuple):
    status: str
    headers: list[tuple[str, str]]
    body: bytes


_compiled: dict[tuple, CompiledPage] = {}  # by the request's address, as the environ has it
COMPILED_PAGES = 1000  # per process; a page is some 15–40 kB
STALE_SECONDS = 10


@functools.cache
def _front_settings() -> dict:
    proxy_header = settings.SECURE_PROXY_SSL_HEADER
    return {
        "enabled": timeout() > 0 and not settings.CSRF_USE_SESSIONS,
        "private_cookies": {settings.SESSION_COOKIE_NAME, MESSAGES_COOKIE, VOTER_COOKIE},
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        # Environ keys that change what address a request is for (its scheme, host).
        "address_keys": (
            "wsgi.url_scheme",
            *([proxy_header[0]] if proxy_header else []),
            "HTTP_HOST",
            "HTTP_X_FORWARDED_HOST",
            "HTTP_X_FORWARDED_PORT",
            "SERVER_NAME",
            "SERVER_PORT",
            "SCRIPT_NAME",
            "PATH_INFO",
            "QUERY_STRING",
        ),
    }


@receiver(setting_changed)
def _settings_changed(**kwargs) -> None:
    _front_settings.cache_clear()
    _compiled.clear()
    _shared_read.clear()
    if kwargs["setting"] == "CACHES":
        close_pushed_counters()
        forget_stored_pages()


def _compiled_page(environ, address: tuple) -> CompiledPage | None:
    """The current entry for the request's address, compiled: from this process's
    memory while still current, else read from the cache (which also checks the host).
    A miss is noted in the environ, so that ``page_cache`` does not look again.

    A page whose time ran out (not one whose content changed) is rendered again by
    the first request to find it so; this process's other readers get the old page
    until the new one is stored, for ``STALE_SECONDS`` at most: in a burst every busy
    page runs out each minute, and without this every worker thread rendered it at once."""
    current = generation()
    page = _compiled.get(address)
    if page is not None and page.generation == current:
        now = time.time()
        if page.expires > now:
            return page
        if now < page.expires + STALE_SECONDS and not page.claim_refresh():
            return page
    request = WSGIRequest(environ)
    language = get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
    key = _key(request, language)  # get_host() refuses a host not allowed
    entry, current = _lookup(key, current)
    if entry is None:
        environ[MISS] = (key, current, address, language)
        return None
    page = CompiledPage(entry)
    _remember(_compiled, address, page, COMPILED_PAGES)
    return page


def _set_cookie_headers(environ, *, csrf_secret: str | None, viewed: str | None) -> list:
    """Set-Cookie headers exactly as the CSRF middleware and the view counter set them."""
    response = HttpResponse()
    if csrf_secret:
        _csrf.process_response(
            SimpleNamespace(META={"CSRF_COOKIE": csrf_secret, "CSRF_COOKIE_NEEDS_UPDATE": True}),
            response,
        )
    if viewed:
        viewed_cookie_set(response, viewed, secure=WSGIRequest(environ).is_secure())
    return [("Set-Cookie", cookie.output(header="")) for cookie in response.cookies.values()]


def _no_view(request):  # pragma: no cover - the CSRF middleware is only asked for its hooks
    raise AssertionError


_csrf = CsrfViewMiddleware(_no_view)


def hit_response(environ) -> Hit | None:
    """The cached page for a plain anonymous GET, or None to let Django answer.

    Does what the middleware would for such a reader: the language from the
    path, the visitor's CSRF cookie (a new one if missing), a fresh CSP nonce,
    the article's view counted."""
    front = _front_settings()
    if environ.get("REQUEST_METHOD") != "GET" or not front["enabled"]:
        return None
    raw_cookies = environ.get("HTTP_COOKIE")
    cookies = parse_cookie(raw_cookies) if raw_cookies else {}
    if not front["private_cookies"].isdisjoint(cookies):
        return None
    csrf_secret, new_secret = cookies.get(front["csrf_cookie"]), None
    if csrf_secret is None or not CSRF_SECRET.fullmatch(csrf_secret):
        if csrf_secret is not None and len(csrf_secret) != CSRF_SECRET_LENGTH:
            return None  # a masked token of an older Django: Django unmasks it
        csrf_secret = new_secret = _random_csrf_string()
    try:
        page = _compiled_page(environ, tuple(map(environ.get, front["address_keys"])))
    except (DisallowedHost, OSError, *REDIS_OUTAGES):
        # A bad host, or the cache is away: Django answers, with its error pages.
        return None
    if page is None:
        return None
    views, counted = None, None
    if page.article_id is not None:
        try:
            counted = view_register(
                page.article_id,
                cookies.get(VIEWED_COOKIE),
                user_agent=environ.get("HTTP_USER_AGENT", ""),
            )
        except (DatabaseError, *REDIS_OUTAGES):
            # Not counted (counting is the only write): Django answers, and counts it.
            return None
        views = _views_shown(page, counted)
    nonce = _nonce()
    body = page.body(
        csrf_token=_masked(csrf_secret) if page.has_csrf else "", nonce=nonce, views=views
    )
    headers = page.header_items(nonce)
    headers += [("X-Page-Cache", "hit"), ("Content-Length", str(len(body)))]
    viewed = counted.cookie if counted is not None else None
    if new_secret or viewed:
        headers += _set_cookie_headers(environ, csrf_secret=new_secret, viewed=viewed)
    return Hit("200 OK", headers, body)


class PageCacheHandler:
    """A WSGI application in front of Django's that answers the cache hits
    ``hit_response`` can, and hands every other request to Django."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        hit = hit_response(environ)
        if hit is None:
            return self.application(environ, start_response)
        start_response(hit.status, hit.headers)
        return [hit.body]


# --- Parts shared by many pages ------------------------------------------------
#
# The header, footer and sidebar are the same on thousands of pages, and so are a
# section's latest articles and the ranked results of a popular search: on a page the
# cache has not seen (the first reader of an article) they are most of the work.
# shared_value() keeps such a part under the same generation as the pages.

NEXT_PLACEHOLDER = "<!--pagecache:next-->"
NEXT_INPUT = re.compile(r'(name="next" value=")[^"]*(")')
# The language switch's links (templates/includes/language_switch.html): this page's
# address in each other language.
TRANSLATED_LINK = re.compile(r'(<a hreflang="([a-z-]+)" href=")[^"]*(")')
TRANSLATED_PLACEHOLDER = re.compile(r"<!--pagecache:translated:([a-z-]+)-->")


def request_generation(request) -> int:
    """The content generation, read once per request however many parts use it."""
    if not hasattr(request, "_pagecache_generation"):
        request._pagecache_generation = generation()
    return request._pagecache_generation


# The shared values this process has read, by key (which holds the generation):
# {key: (time.time() it expires, value)}. A value of the current generation never
# changes, so a first view reads it from memory, not from Redis or a pickle.
_shared_read: dict[str, tuple[float, object]] = {}
SHARED_READ_VALUES = 2000


def shared_value(request, name: str, vary_on, compute):
    """``compute()``, or what it gave for the same name and values since content last
    changed (at most ``PAGE_CACHE_TIMEOUT`` ago; computed every time when that is 0).
    The value is shared by the requests of this process: never change it. Values
    that are equal (``==``) share it."""
    if timeout() <= 0:
        return compute()
    language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    vary_on = tuple(tuple(value) if isinstance(value, list) else value for value in vary_on)
    # This process's memory is asked by the values themselves; the shared cache by a
    # digest of them, worked out only when the memory does not have it.
    local = (request_generation(request), language, name, vary_on)
    now = time.time()
    stored = _shared_read.get(local)
    if stored is None or stored[0] <= now:
        digest = hashlib.blake2b(repr(vary_on).encode(), digest_size=12).hexdigest()
        key = f"pagecache:shared:{local[0]}:{language}:{name}:{digest}"
        stored = cache.get(key)  # (expires, value), or None
        if stored is None or stored[0] <= now:
            stored = (now + timeout(), compute())
            cache.set(key, stored, timeout())
        _remember(_shared_read, local, stored, SHARED_READ_VALUES)  # no longer than in the cache
    return stored[1]


# What differs from request to request in a shared fragment: the CSRF token, the page
# a form returns to, this page's address in another language.
FRAGMENT_SLOT = re.compile(
    f"({re.escape(CSRF_PLACEHOLDER)}|{re.escape(NEXT_PLACEHOLDER)}|<!--pagecache:translated:[a-z-]+-->)"
)
# A stored fragment cut where those go (FRAGMENT_SLOT.split), by its text.
_fragment_pieces: dict[str, list[str]] = {}


def _fragment_filling(request, placeholder: str) -> str:
    """What a fragment's placeholder stands for on this request, worked out once per
    request for all its fragments (one CSRF mask for every form of the page)."""
    filled = request.__dict__.setdefault("_pagecache_filled", {})
    value = filled.get(placeholder)
    if value is None:
        if placeholder == CSRF_PLACEHOLDER:
            value = _csrf_token(request)
        elif placeholder == NEXT_PLACEHOLDER:
            value = escape(request.get_full_path())
        else:
            language = TRANSLATED_PLACEHOLDER.fullmatch(placeholder)[1]
            found = request.resolver_match is not None
            value = escape(translated_path(request.get_full_path(), language, found=found))
        filled[placeholder] = value
    return value


def shared_fragment(request, name: str, vary_on, render) -> str:
    """A block of HTML through shared_value: stored with placeholders for the CSRF
    token, the page a form returns to ("next") and the language switch's links,
    filled in for this request."""

    def stored():
        html = NEXT_INPUT.sub(
            r"\g<1>" + NEXT_PLACEHOLDER + r"\g<2>", _without_csrf_tokens(render())
        )
        return TRANSLATED_LINK.sub(r"\g<1><!--pagecache:translated:\g<2>-->\g<3>", html)

    html = shared_value(request, f"fragment:{name}", vary_on, stored)
    pieces = _fragment_pieces.get(html)
    if pieces is None:
        pieces = FRAGMENT_SLOT.split(html)  # even places: its text; odd: a placeholder
        _remember(_fragment_pieces, html, pieces, SHARED_READ_VALUES)
    if len(pieces) == 1:
        return html
    return "".join(
        _fragment_filling(request, piece) if place % 2 else piece
        for place, piece in enumerate(pieces)
    )
