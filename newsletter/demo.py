"""Original demo subscribers and one sent digest."""

from django.utils import timezone

from news.models import Article
from newsletter.models import Delivery, Mailing, Subscriber

ADDRESSES = [
    ("olena.kovalenko@example.org", Subscriber.Status.CONFIRMED),
    ("taras.melnyk@example.org", Subscriber.Status.CONFIRMED),
    ("iryna.bondar@example.org", Subscriber.Status.CONFIRMED),
    ("andrii.shevchuk@example.org", Subscriber.Status.PENDING),
    ("oksana.tkachenko@example.org", Subscriber.Status.UNSUBSCRIBED),
]


def load(stdout) -> None:
    if Subscriber.objects.exists():
        stdout.write("  newsletter: already loaded")
        return
    now = timezone.now()
    subscribers = [
        Subscriber.objects.create(
            email=email,
            status=status,
            confirmed_at=now if status != Subscriber.Status.PENDING else None,
            unsubscribed_at=now if status == Subscriber.Status.UNSUBSCRIBED else None,
        )
        for email, status in ADDRESSES
    ]
    mailing = Mailing.objects.create(
        subject="Новини громади за тиждень",
        intro="Найважливіше за минулий тиждень — коротко.",
        status=Mailing.Status.SENT,
        is_digest=True,
        queued_at=now,
        sent_at=now,
    )
    mailing.articles.set(Article.objects.published()[:5])
    Delivery.objects.bulk_create(
        Delivery(
            mailing=mailing, subscriber=s, status=Delivery.Status.SENT, sent_at=now, attempts=1
        )
        for s in subscribers
        if s.status == Subscriber.Status.CONFIRMED
    )
    stdout.write(f"  newsletter: {len(ADDRESSES)} subscribers, one sent digest")
