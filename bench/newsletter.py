"""Newsletter sending benchmark (issue #5).

    uv run python bench/newsletter.py                    # temporary SQLite database
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hromada_newsletter_bench \
        uv run python bench/newsletter.py --subscribers 10000

Creates the given number of confirmed subscribers (10 000 by default) and a
mailing of five articles, starts an aiosmtpd sink on a loopback port, queues
the mailing and runs the sending task in this process (the django.tasks
ImmediateBackend), then reports messages per second and checks that every
subscriber received the mailing exactly once.
"""

import argparse
import os
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class Sink:
    def __init__(self):
        self.recipients = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.recipients.extend(envelope.rcpt_tos)
        return "250 Message accepted"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    args = parser.parse_args()

    temporary = None
    if not os.environ.get("DATABASE_URL"):
        temporary = tempfile.mkdtemp(prefix="newsletter-bench-")
        os.environ["PORTAL_VAR_DIR"] = temporary
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

    import django

    django.setup()

    from aiosmtpd.controller import Controller
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from news.models import Article, Category
    from newsletter import services
    from newsletter.models import Delivery, Mailing, Subscriber

    port = free_port()
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 30},
        }
    }
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}")

    run = int(time.time())
    category = Category.objects.create(name=f"Бенчмарк {run}", position=999)
    articles = [
        Article.objects.create(
            title=f"Новина для розсилки {run}-{n}",
            category=category,
            lead="Короткий опис події в громаді для листа.",
            body="<p>Текст новини.</p>",
            status=Article.Status.PUBLISHED,
        )
        for n in range(5)
    ]
    started = time.perf_counter()
    Subscriber.objects.bulk_create(
        [
            Subscriber(email=f"bench-{run}-{n}@example.org", status=Subscriber.Status.CONFIRMED)
            for n in range(args.subscribers)
        ],
        batch_size=1000,
    )
    print(f"{args.subscribers} subscribers created in {time.perf_counter() - started:.1f} s")
    mailing = Mailing.objects.create(subject=f"Бенчмарк {run}", intro="Новини тижня.")
    mailing.articles.set(articles)

    started = time.perf_counter()
    # mailing_queue enqueues the sending task on commit; the ImmediateBackend
    # runs it right there, over the SMTP connection to the sink.
    deliveries = services.mailing_queue(mailing=mailing)
    elapsed = time.perf_counter() - started
    controller.stop()

    ours = [r for r in sink.recipients if r.startswith(f"bench-{run}-")]
    sent = Delivery.objects.filter(mailing=mailing, status=Delivery.Status.SENT).count()
    mailing.refresh_from_db()
    print(f"deliveries: {deliveries}, marked sent: {sent}, mailing status: {mailing.status}")
    print(f"received by the sink: {len(ours)} messages, {len(set(ours))} distinct recipients")
    print(f"sent in {elapsed:.1f} s: {len(ours) / elapsed:.0f} messages per second")
    ok = len(ours) == len(set(ours)) == args.subscribers == sent
    print("exactly once: " + ("yes" if ok else "NO"))
    if temporary:
        import shutil

        shutil.rmtree(temporary, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
