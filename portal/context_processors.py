from django.conf import settings
from django.utils.functional import SimpleLazyObject

from polls.services import VOTER_COOKIE


def site(request):
    """What every page's header and footer need: the sections for the navigation
    (read lazily, once per request, only if a template uses it), and the values the
    layout's shared parts vary on, given on every page because a name a template
    looks up and does not find costs three caught exceptions (3–25 µs; four such
    lookups on every page no cache holds)."""
    from news.models import Category

    return {
        "nav_categories": SimpleLazyObject(lambda: list(Category.objects.all())),
        "SITE_URL": settings.SITE_URL,
        "search_scope": None,  # the searches set it: their header shows the query
        "hide_sidebar_signup": False,  # the newsletter's own pages set it
        "hide_sidebar": False,  # the signup page sets it: it is the signup form
        "is_voter": VOTER_COOKIE in request.COOKIES,  # their sidebar shows their poll
    }
