"""A task worker's life in a subprocess (test_worker_killed.py): ``setup N``
migrates a fresh database and queues a mailing to N subscribers; ``send``
runs the mailing's sending task body, as the worker would."""

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from news.models import Article, Category  # noqa: E402
from newsletter import services  # noqa: E402
from newsletter.models import Delivery, Mailing, Subscriber  # noqa: E402

if sys.argv[1] == "setup":
    call_command("migrate", verbosity=0, interactive=False)
    category = Category.objects.create(name="Новини", slug="novyny", position=1)
    article = Article.objects.create(
        category=category,
        title="Відкрито сквер",
        lead="Коротко.",
        body="<p>Текст.</p>",
        status=Article.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    Subscriber.objects.bulk_create(
        Subscriber(email=f"reader{n}@example.org", status=Subscriber.Status.CONFIRMED)
        for n in range(int(sys.argv[2]))
    )
    mailing = Mailing.objects.create(subject="Новини тижня")
    mailing.articles.set([article])
    print(json.dumps({"queued": services.mailing_queue(mailing=mailing)}))
else:
    mailing = Mailing.objects.get()
    result = services.mailing_send(mailing_id=mailing.pk)
    mailing.refresh_from_db()
    pending = Delivery.objects.filter(status=Delivery.Status.PENDING).count()
    print(json.dumps({**result, "status": mailing.status, "pending": pending}))
