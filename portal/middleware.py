import logging

from django import db
from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.http import HttpResponse
from django.middleware import csp, locale
from django.template import loader
from django.utils import translation
from django.utils.csp import CSP, build_policy

logger = logging.getLogger("portal.database")

try:  # Redis holds the cache, the sessions and the task queue when REDIS_URL is set.
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    REDIS_OUTAGES = (RedisConnectionError, RedisTimeoutError)
except ImportError:  # pragma: no cover - redis is a dependency of django-tasks-rq
    REDIS_OUTAGES = ()


class LocaleMiddleware(locale.LocaleMiddleware):
    """Django's, without the negotiation our addresses make moot.

    Under ``i18n_patterns(prefix_default_language=False)`` Django settles on the path's
    language, or ``LANGUAGE_CODE`` for an address without a prefix, after working out
    the browser's preference from the language cookie and ``Accept-Language`` and then
    setting it aside: a tenth of the middleware's time on a page no cache holds."""

    def process_request(self, request):
        urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
        if is_language_prefix_patterns_used(urlconf) != (True, False):
            return super().process_request(request)
        language = translation.get_language_from_path(request.path_info)
        translation.activate(language or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
        return None


class ContentSecurityPolicyMiddleware(csp.ContentSecurityPolicyMiddleware):
    """Django's, with each policy's header built once and the request's nonce put in.

    Django builds the header from the policy's dictionary on every response (some 15 µs,
    a percent of a page no cache holds). A policy is one of a few dictionaries that
    do not change while the process runs (``SECURE_CSP``, ``SECURE_CSP_REPORT_ONLY``,
    the admin's): its header is kept by the dictionary's identity, with a marker where
    the nonce goes."""

    NONCE_MARKER = "\0nonce\0"
    POLICIES = 16  # kept at most (settings overridden in tests make new ones)

    def __init__(self, get_response):
        super().__init__(get_response)
        self.headers = {}  # {(id(policy), with a nonce): (policy, header)}

    def header(self, policy, nonce) -> str:
        key = (id(policy), bool(nonce))
        kept = self.headers.get(key)
        if kept is None or kept[0] is not policy:
            if len(self.headers) >= self.POLICIES:
                self.headers.clear()
            kept = self.headers[key] = (
                policy,
                build_policy(policy, self.NONCE_MARKER if nonce else None),
            )
        return kept[1].replace(self.NONCE_MARKER, str(nonce)) if nonce else kept[1]

    def process_response(self, request, response):
        nonce = csp.get_nonce(request)
        sentinel = object()
        if (policy := getattr(response, "_csp_config", sentinel)) is sentinel:
            policy = settings.SECURE_CSP
        if (report_only := getattr(response, "_csp_ro_config", sentinel)) is sentinel:
            report_only = settings.SECURE_CSP_REPORT_ONLY
        for header, config in ((CSP.HEADER_ENFORCE, policy), (CSP.HEADER_REPORT_ONLY, report_only)):
            # As Django: a header the view set stays; an empty policy sends none.
            if config and header not in response:
                response.headers[str(header)] = self.header(config, nonce)
        return response


class AdminContentSecurityPolicyMiddleware:
    """Relax the policy for the admin only: CKEditor 5 injects its own
    ``<style>`` elements at run time, which a nonce cannot cover. Scripts stay
    limited to the site's own files everywhere."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = "/" + settings.ADMIN_URL
        self.policy = {
            **settings.SECURE_CSP,
            "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
        }

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(self.prefix) and not hasattr(response, "_csp_config"):
            response._csp_config = self.policy
        return response


class PermissionsPolicyMiddleware:
    """Send ``Permissions-Policy`` from ``settings.SECURE_PERMISSIONS_POLICY``
    (a feature name → list of allowed origins; an empty list switches the
    feature off), issue #7. Django has no setting of its own for it."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(origins)})"
            for feature, origins in getattr(settings, "SECURE_PERMISSIONS_POLICY", {}).items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


def is_database_unavailable(exception: BaseException | None) -> bool:
    """True for the errors of a database (or of Redis) that is down,
    unreachable or locked — faults that pass by themselves — but not for a
    bug such as a bad query."""
    if isinstance(exception, (db.OperationalError, db.InterfaceError, *REDIS_OUTAGES)):
        return True
    return isinstance(exception, db.DatabaseError) and "locked" in str(exception).lower()


def database_unavailable_response() -> HttpResponse:
    """The short Ukrainian 503 page. Rendered without a request context, so
    that no context processor touches the database that has just failed."""
    response = HttpResponse(
        loader.get_template("503.html").render({}),
        status=503,
        content_type="text/html; charset=utf-8",
    )
    response["Retry-After"] = str(settings.DATABASE_UNAVAILABLE_RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Turn a database outage into a 503 with ``Retry-After`` (issue #7).

    Django closes a connection that raised such an error at the end of the
    request, so the next request connects afresh: the site recovers by itself
    when the database returns. Errors raised outside views (in another
    middleware) reach ``portal.views.server_error``, which answers the same."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_unavailable(exception):
            logger.error("Database unavailable: %s", exception, exc_info=exception)
            return database_unavailable_response()
        return None
