import sys

from django.http import HttpResponse, HttpResponseForbidden, HttpResponseServerError
from django.template import loader
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from django.views.defaults import page_not_found as django_page_not_found

from portal.middleware import database_unavailable_response, is_database_unavailable


@require_safe
@cache_control(max_age=86400, public=True)
def robots_txt(request):
    # The admin is not named here: robots.txt is public, and DJANGO_ADMIN_URL is kept
    # out of sight (its pages tell robots to stay away themselves: NONE,NOARCHIVE).
    lines = [
        "User-agent: *",
        "Disallow: /newsletter/",
        "Disallow: /en/newsletter/",
        "Disallow: /search/",
        "Disallow: /en/search/",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def page_not_found(request, exception):
    return django_page_not_found(request, exception, template_name="404.html")


def server_error(request):
    """The 500 page is rendered without a request context, so that a failing
    database or context processor cannot fail it in turn.

    Django calls this handler inside its ``except`` block, so the exception is
    still at hand: a database that is down or locked in a middleware (where
    ``DatabaseUnavailableMiddleware.process_exception`` cannot see it) gets
    the same 503 page as in a view (issue #7)."""
    if is_database_unavailable(sys.exc_info()[1]):
        return database_unavailable_response()
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({"LANGUAGE_CODE": "uk"}))


def csrf_failure(request, reason=""):
    """A form sent without a valid CSRF token (a stale page, cookies off, or a
    forged request from another site): a Ukrainian page instead of Django's
    technical one (issue #7). Django logs the reason; the page does not show it."""
    template = loader.get_template("403_csrf.html")
    return HttpResponseForbidden(template.render({}))
