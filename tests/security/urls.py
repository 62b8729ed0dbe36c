"""The portal's URLs plus views that fail on purpose (test_faults.py)."""

from django.conf import settings
from django.db import OperationalError
from django.urls import path
from django.views.static import serve

from portal.urls import urlpatterns as portal_urlpatterns


def broken(request):
    raise ValueError("a bug in a view")


def locked(request):
    raise OperationalError("database is locked")


def media(request, path):
    """MEDIA as the development server serves it (MEDIA_ROOT differs per test)."""
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [
    path("test-broken/", broken),
    path("test-locked/", locked),
    path("media/<path:path>", media),
    *portal_urlpatterns,
]

handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
