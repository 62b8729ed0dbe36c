"""The portal's URLs plus views that fail on purpose (test_faults.py)."""

from django.db import OperationalError
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns


def broken(request):
    raise ValueError("a bug in a view")


def locked(request):
    raise OperationalError("database is locked")


urlpatterns = [
    path("test-broken/", broken),
    path("test-locked/", locked),
    *portal_urlpatterns,
]

handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
