"""Whole-page cache for anonymous readers (issue #6).

Readers arrive in bursts (an air-raid alert, a water outage): the home page,
the news list, a section and an article are then served from the cache —
Redis when ``REDIS_URL`` is set, local memory otherwise — by the view
decorator ``page_cache`` (applied to the news views with ``method_decorator``
on ``dispatch``, so every middleware still runs around it).

What is cached, and when
    Only GET and HEAD requests of visitors who are not logged in and have no
    pending message; only 200 responses that set no cookie except the view
    counter's. Everything else goes to the view as usual.

Invalidation: a content generation
    Every key holds a generation number kept in the cache itself. Saving or
    deleting an Article, Category, Document, Poll or Choice bumps it — the
    ``post_save``/``post_delete`` handlers are registered in one place,
    ``register_signal_handlers()``, called from ``PortalConfig.ready()`` — and
    every page built before is unreachable from then on. So an unpublished
    article disappears with the save that unpublished it. Votes do not bump it
    (a busy poll would empty the cache on every vote): the percentages of a
    cached page may be up to ``PAGE_CACHE_TIMEOUT`` old.

Scheduled articles
    An article published with a future time appears by itself (the time is
    part of the query), with no save to bump the generation. Entries therefore
    live ``PAGE_CACHE_TIMEOUT`` seconds (60): a scheduled article is on every
    page at most 60 seconds after its time; a poll closes on the sidebar at
    most 60 seconds after its moment (the vote itself is refused on time).

Per-visitor parts of a cached page
    The stored HTML has placeholders where one visitor's data was, and each
    request fills in its own:
    - the CSRF token of every form (language switch, sidebar vote and signup)
      is replaced by the current request's ``get_token(request)``, which also
      makes the CSRF middleware set the visitor's cookie, so the forms work;
    - the CSP nonce of the page's scripts is the current request's nonce;
    - the sidebar poll (between ``<!--pagecache:poll-->`` markers in
      ``includes/sidebar.html``) is rendered again for a visitor who carries
      the voter cookie, so who voted sees "voted" and the results; visitors
      without it (nearly everyone) get the stored block, which is the same for
      all of them;
    - on an article, the view is counted before the cached page is served (the
      entry knows the article's id), and the count shown is the same as on an
      uncached page: the flushed ``Article.views`` stored with the page plus
      the views pending in the buffer now, this one included. A flush that
      adds views bumps the generation, so a stored flushed count is never
      older than the last flush.
"""

import functools
import hashlib
import re
import time

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template import RequestContext, Template

from news.services import (
    VIEWED_COOKIE,
    article_id_view_register,
    view_pending,
    viewed_cookie_set,
)

GENERATION_KEY = "pagecache:generation"
CSRF_PLACEHOLDER = "<!--pagecache:csrf-->"
NONCE_PLACEHOLDER = "<!--pagecache:nonce-->"
VIEWS_PLACEHOLDER = "<!--pagecache:views-->"
POLL_START, POLL_END = "<!--pagecache:poll-->", "<!--/pagecache:poll-->"
CSRF_INPUT = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
# The views figure in news/article_detail.html: <span class="views">…</span>N</span>
VIEWS_FIGURE = re.compile(r'(<span class="views">.*?</span>)(\d+)(</span>)')
POLL_BLOCK = re.compile(re.escape(POLL_START) + ".*?" + re.escape(POLL_END), re.DOTALL)
VOTER_COOKIE = "voter"  # polls.services.VOTER_COOKIE
HEADERS_KEPT = ("Content-Type", "Content-Language")


def timeout() -> int:
    return getattr(settings, "PAGE_CACHE_TIMEOUT", 60)


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        # A fresh value larger than any before: a generation evicted from the
        # cache never comes back to an older one.
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        value = cache.get(GENERATION_KEY, 0)
    return value


def generation_bump(**kwargs) -> None:
    """Make every cached page stale (a signal receiver, also callable)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)


def register_signal_handlers() -> None:
    """Content whose change must reach readers at once."""
    from django.apps import apps

    for label in (
        "news.Article",
        "news.Category",
        "documents.Document",
        "polls.Poll",
        "polls.Choice",
    ):
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        post_save.connect(generation_bump, sender=model, dispatch_uid=f"pagecache:{label}:s")
        post_delete.connect(generation_bump, sender=model, dispatch_uid=f"pagecache:{label}:d")


def _has_messages(request) -> bool:
    if request.COOKIES.get("messages"):
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


def _key(request) -> str:
    path = hashlib.blake2b(
        f"{request.scheme}://{request.get_host()}{request.get_full_path()}".encode(),
        digest_size=16,
    ).hexdigest()
    return f"pagecache:{generation()}:{request.LANGUAGE_CODE}:{path}"


def _storable(request, response) -> bool:
    if response.status_code != 200 or response.streaming or request.method != "GET":
        return False
    if any(name != VIEWED_COOKIE for name in response.cookies):
        return False
    if "no-store" in response.get("Cache-Control", "") or "private" in response.get(
        "Cache-Control", ""
    ):
        return False
    storage = getattr(request, "_messages", None)
    return not (storage is not None and storage._queued_messages)


def _entry(request, response) -> dict:
    html = response.content.decode(response.charset)
    html = CSRF_INPUT.sub(r"\g<1>" + CSRF_PLACEHOLDER + r"\g<2>", html)
    nonce = getattr(request, "_csp_nonce", None)
    if nonce:
        html = html.replace(f'nonce="{nonce}"', f'nonce="{NONCE_PLACEHOLDER}"')
    article_id, views = getattr(response, "pagecache_article", (None, None))
    match = VIEWS_FIGURE.search(html) if article_id is not None else None
    if match:
        html = f"{html[: match.start(2)]}{VIEWS_PLACEHOLDER}{html[match.end(2) :]}"
    return {
        "html": html,
        "headers": {name: response[name] for name in HEADERS_KEPT if name in response},
        "article_id": article_id if match else None,
        "views": views,
    }


def _poll_block(request) -> str:
    template = Template("{% load polls_tags %}{% sidebar_poll %}")
    return POLL_START + template.render(RequestContext(request)) + POLL_END


def _response(request, entry) -> HttpResponse:
    html = entry["html"]
    viewed = None
    if entry["article_id"] is not None:
        viewed = article_id_view_register(request=request, article_id=entry["article_id"])
        shown = entry["views"] + view_pending(entry["article_id"])
        html = html.replace(VIEWS_PLACEHOLDER, str(shown), 1)
    if VOTER_COOKIE in request.COOKIES and POLL_START in html:
        html = POLL_BLOCK.sub(lambda _: _poll_block(request), html, count=1)
    if CSRF_PLACEHOLDER in html:
        html = html.replace(CSRF_PLACEHOLDER, get_token(request))
    if NONCE_PLACEHOLDER in html:
        html = html.replace(NONCE_PLACEHOLDER, str(request._csp_nonce))
    response = HttpResponse(html)
    for name, value in entry["headers"].items():
        response[name] = value
    response["X-Page-Cache"] = "hit"
    if viewed:
        viewed_cookie_set(response, viewed, secure=request.is_secure())
    return response


def page_cache(view):
    """Serve ``view`` from the page cache to anonymous readers (see above).

    A view that counts article views marks its response with
    ``response.pagecache_article_id`` so that hits count too."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if timeout() <= 0 or not _cacheable_request(request):
            return view(request, *args, **kwargs)
        key = _key(request)
        entry = cache.get(key)
        if entry is not None:
            return _response(request, entry)
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if _storable(request, response):
            cache.set(key, _entry(request, response), timeout())
        return response

    return wrapper
