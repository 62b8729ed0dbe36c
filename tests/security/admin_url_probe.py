"""Print where the admin lives under DJANGO_ADMIN_URL (test_admin.py)."""

import json
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
django.setup()

from django.test import Client  # noqa: E402
from django.urls import resolve, reverse  # noqa: E402
from django.urls.exceptions import Resolver404  # noqa: E402

index = reverse("admin:index")
try:
    resolve("/admin/")
    old = 200
except Resolver404:
    old = 404
client = Client(HTTP_HOST="hromada.example.org")
robots = client.get("/robots.txt", secure=True).content.decode()
print(json.dumps({"index": index, "old": old, "robots_disallows": f"Disallow: {index}" in robots}))
