import datetime
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Shares are computed in hundredths of a per cent, so that two decimals add up
# to exactly 100,00 %.
BASIS_POINTS = 10_000
# Polls open and close by the community's clock, whatever zone a request runs in.
KYIV = zoneinfo.ZoneInfo("Europe/Kyiv")


class PollQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def opened(self, now=None):
        return self.published().filter(opens_at__lte=now or timezone.now())

    def closed(self, now=None):
        return self.published().filter(closes_at__lte=now or timezone.now())

    def current(self, now=None):
        """The poll of the sidebar: the newest published poll that has opened
        (closed or not — after closing it shows its final results until a newer
        poll opens). Admin validation keeps published polls from overlapping,
        so "newest" is never a tie between two open polls."""
        return self.opened(now).order_by("-opens_at", "-pk").first()


class Poll(models.Model):
    question = models.CharField(_("question"), max_length=255)
    opens_at = models.DateTimeField(_("opens at"), default=timezone.now)
    closes_at = models.DateTimeField(
        _("closes at"), help_text=_("Voting stops at this moment (Kyiv time).")
    )
    is_published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = PollQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at", "-pk"]
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="polls_poll_closes_after_opens",
            )
        ]

    def __str__(self):
        return self.question

    def get_absolute_url(self):
        return reverse("polls:detail", kwargs={"pk": self.pk})

    def clean(self):
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("The poll must close after it opens.")})
        if self.is_published and self.opens_at and self.closes_at:
            overlapping = (
                Poll.objects.published()
                .exclude(pk=self.pk)
                .filter(opens_at__lt=self.closes_at, closes_at__gt=self.opens_at)
                .first()
            )
            if overlapping:
                raise ValidationError(
                    _("Another published poll runs at the same time: “%(question)s”.")
                    % {"question": overlapping.question}
                )

    @property
    def last_day(self) -> datetime.date:
        """The last Kyiv day on which residents can vote: a poll closing at midnight
        (00:00 on the 10th) was open until the end of the day before (the 9th)."""
        return timezone.localtime(self.closes_at - datetime.timedelta(microseconds=1), KYIV).date()

    @property
    def first_day(self) -> datetime.date:
        return timezone.localtime(self.opens_at, KYIV).date()

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.is_published and self.opens_at <= now < self.closes_at

    def results(self) -> "PollResults":
        return PollResults.of(list(self.choices.all()))


class Choice(models.Model):
    poll = models.ForeignKey(
        Poll, on_delete=models.CASCADE, related_name="choices", verbose_name=_("poll")
    )
    text = models.CharField(_("answer"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    votes = models.PositiveIntegerField(_("votes"), default=0, editable=False)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self):
        return self.text


class Vote(models.Model):
    """One resident's vote. The unique constraint is what makes a second vote
    impossible, whatever races the requests run."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="votes")
    choice = models.ForeignKey(Choice, on_delete=models.CASCADE, related_name="vote_rows")
    voter = models.CharField(max_length=64)
    ip_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "voter"], name="polls_vote_one_per_voter")
        ]
        verbose_name = _("vote")
        verbose_name_plural = _("votes")

    def __str__(self):
        return f"{self.poll_id}:{self.voter}"


@dataclass(frozen=True)
class ChoiceResult:
    choice: Choice
    votes: int
    share: Decimal  # per cent with two decimals

    @property
    def share_value(self) -> str:
        """The share for machine-read attributes (always a decimal point)."""
        return f"{self.share:.2f}"


@dataclass(frozen=True)
class PollResults:
    choices: list[ChoiceResult]
    total: int

    @classmethod
    def of(cls, choices: list[Choice]) -> "PollResults":
        """Shares by the largest-remainder method: each share is the exact one
        rounded down to 0,01 %, and the hundredths left over go to the choices
        with the largest remainders, so the shares always add up to 100,00 %."""
        total = sum(choice.votes for choice in choices)
        if not total:
            return cls([ChoiceResult(choice, 0, Decimal("0.00")) for choice in choices], 0)
        floors = [divmod(choice.votes * BASIS_POINTS, total) for choice in choices]
        left = BASIS_POINTS - sum(quotient for quotient, _ in floors)
        by_remainder = sorted(range(len(choices)), key=lambda i: floors[i][1], reverse=True)
        bonus = set(by_remainder[:left])
        return cls(
            [
                ChoiceResult(
                    choice,
                    choice.votes,
                    Decimal(floors[i][0] + (1 if i in bonus else 0)) / 100,
                )
                for i, choice in enumerate(choices)
            ],
            total,
        )
