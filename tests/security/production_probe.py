"""Run inside a subprocess with production settings (DJANGO_DEBUG=0): migrate
a throw-away database, create one of each page type and print, as JSON, the
status, headers and cookies of every page. Used by test_headers.py."""

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
django.setup()

from django.conf import settings  # noqa: E402

# The manifest of collectstatic is a deployment artefact, not a security
# setting: plain static storage spares the probe a full collectstatic run.
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from news.models import Article, Category  # noqa: E402

call_command("migrate", verbosity=0, interactive=False)
category = Category.objects.create(name="Новини громад", slug="novyny", position=1)
article = Article.objects.create(
    category=category,
    title="Відкрито нову бібліотеку",
    lead="Коротко.",
    body="<p>Текст.</p>",
    status=Article.Status.PUBLISHED,
    published_at=timezone.now(),
)
get_user_model().objects.create_superuser("probe", "probe@example.org", "probe-password-123")

admin = "/" + settings.ADMIN_URL
paths = json.loads(sys.argv[1]) + [
    article.get_absolute_url(),
    category.get_absolute_url(),
    f"/feeds/news/{category.slug}/",
]
result = {"pages": {}, "cookies": {}}
client = Client(HTTP_HOST="hromada.example.org")
for path in paths:
    response = client.get(path, secure=True)
    result["pages"][path] = {"status": response.status_code, "headers": dict(response.headers)}
result["plain_http"] = {
    "status": (plain := client.get("/news/", secure=False)).status_code,
    "location": plain.headers.get("Location", ""),
}

login = client.get(admin + "login/", secure=True)
response = client.post(
    admin + "login/",
    {"username": "probe", "password": "probe-password-123", "next": admin},
    secure=True,
)
for name, morsel in client.cookies.items():
    result["cookies"][name] = {
        "secure": bool(morsel["secure"]),
        "httponly": bool(morsel["httponly"]),
        "samesite": morsel["samesite"],
    }
result["login_status"] = response.status_code
print(json.dumps(result))
