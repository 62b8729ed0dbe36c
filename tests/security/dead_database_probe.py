"""Request pages while DATABASE_URL points at a port where nothing listens
(test_faults.py); print status, headers and body of each."""

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
django.setup()

from django.conf import settings  # noqa: E402

settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

from django.test import Client  # noqa: E402

client = Client(HTTP_HOST="hromada.example.org", raise_request_exception=False)
pages = {}
for path in json.loads(sys.argv[1]):
    if path.endswith("login/"):
        response = client.post(path, {"username": "a", "password": "b"}, secure=True)
    else:
        response = client.get(path, secure=True)
    pages[path] = {
        "status": response.status_code,
        "retry_after": response.headers.get("Retry-After"),
        "body": response.content.decode(),
    }
print(json.dumps(pages))
