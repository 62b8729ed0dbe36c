import datetime

from django.utils import timezone

from polls.models import Choice, Poll


def make_poll(
    *,
    question="Що ремонтувати першим?",
    answers=("Дороги", "Школи", "Парки"),
    opens_in=-1,
    closes_in=7,
    published=True,
    votes=None,
):
    """A poll opened ``opens_in`` days from now and closing ``closes_in`` days
    from now, with its answers (and vote counters, if given)."""
    now = timezone.now()
    poll = Poll.objects.create(
        question=question,
        opens_at=now + datetime.timedelta(days=opens_in),
        closes_at=now + datetime.timedelta(days=closes_in),
        is_published=published,
    )
    for position, text in enumerate(answers):
        Choice.objects.create(
            poll=poll, text=text, position=position, votes=(votes or [0] * len(answers))[position]
        )
    return poll
