import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

django_application = get_wsgi_application()

from portal.pagecache import PageCacheHandler  # noqa: E402 - needs the apps loaded

# Cache hits of plain anonymous readers are answered before Django (portal/pagecache.py).
application = PageCacheHandler(django_application)
