"""Original demo polls: one open, two finished in the archive."""

import uuid

from django.utils import timezone

from polls.models import Choice, Poll, Vote

POLLS = [
    {
        "question": "Що ви найчастіше шукаєте на порталі громади?",
        "opens": -5,
        "closes": 40,
        "choices": [
            ("Новини та оголошення про відключення", 14),
            ("Рішення та розпорядження", 6),
            ("Графіки роботи установ", 5),
            ("Контакти служб і старост", 3),
            ("Інше", 1),
        ],
    },
    {
        "question": "Де облаштувати новий дитячий майданчик?",
        "opens": -90,
        "closes": -60,
        "choices": [
            ("У сквері біля школи № 2", 41),
            ("На набережній", 27),
            ("У мікрорайоні Південний", 33),
        ],
    },
    {
        "question": "Чи підтримуєте ви продовження роботи ЦНАП у суботу?",
        "opens": -200,
        "closes": -170,
        "choices": [("Так", 88), ("Ні", 9), ("Мені байдуже", 14)],
    },
]


def load(stdout) -> None:
    if Poll.objects.exists():
        stdout.write("  polls: already loaded")
        return
    now = timezone.now()
    for spec in POLLS:
        poll = Poll.objects.create(
            question=spec["question"],
            opens_at=now + timezone.timedelta(days=spec["opens"]),
            closes_at=now + timezone.timedelta(days=spec["closes"]),
            is_published=True,
        )
        votes = []
        for position, (text, count) in enumerate(spec["choices"]):
            choice = Choice.objects.create(poll=poll, text=text, position=position, votes=count)
            votes += [Vote(poll=poll, choice=choice, voter=uuid.uuid4().hex) for _ in range(count)]
        Vote.objects.bulk_create(votes)
    stdout.write(f"  polls: {len(POLLS)} polls (one open)")
