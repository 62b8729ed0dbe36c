from django.conf import settings
from django.utils.functional import SimpleLazyObject


def site(request):
    """What every page's header and footer need: the sections for the
    navigation (read lazily, once per request, only if a template uses it)."""
    from news.models import Category

    return {
        "nav_categories": SimpleLazyObject(lambda: list(Category.objects.all())),
        "SITE_URL": settings.SITE_URL,
    }
