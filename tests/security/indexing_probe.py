"""The search index in a subprocess (test_worker_killed.py): ``setup N``
migrates a fresh database and creates N published articles (indexed as they
are saved); ``rebuild`` runs ``manage.py rebuild_search_index``; ``count``
tells how the index stands."""

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402

from news.models import Article, Category  # noqa: E402
from search.models import IndexEntry  # noqa: E402

command = sys.argv[1]
if command == "setup":
    call_command("migrate", verbosity=0, interactive=False)
    category = Category.objects.create(name="Новини", slug="novyny", position=1)
    for number in range(int(sys.argv[2])):
        Article.objects.create(
            category=category,
            title=f"Громада відремонтувала дорогу номер {number}",
            lead="Ремонт завершено раніше строку.",
            body="<p>Мешканці вулиці подякували комунальникам за якісну роботу.</p>",
            status=Article.Status.PUBLISHED,
            published_at=timezone.now(),
        )
elif command == "rebuild":
    call_command("rebuild_search_index")
duplicates = (
    IndexEntry.objects.values("content_type", "object_id")
    .annotate(n=Count("pk"))
    .filter(n__gt=1)
    .count()
)
print(
    json.dumps(
        {
            "articles": Article.objects.count(),
            "entries": IndexEntry.objects.count(),
            "duplicates": duplicates,
        }
    )
)
