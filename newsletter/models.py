from django.db import models
from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from news.models import Article, Category


class SubscriberQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(status=Subscriber.Status.CONFIRMED)

    def with_email(self, email: str):
        """The subscriber of ``email`` in any case, through the unique index on its
        lower case."""
        return self.alias(email_lower=Lower("email")).filter(email_lower=email.lower())

    def wanting(self, categories):
        """Subscribers who want news of any of ``categories`` (no choice = all)."""
        return self.filter(Q(categories__isnull=True) | Q(categories__in=categories)).distinct()


class Subscriber(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        # The mail server said the address does not exist: no more letters until the
        # resident signs up again.
        BOUNCED = "bounced", _("Bounced")

    email = models.EmailField(_("e-mail"), max_length=254)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    categories = models.ManyToManyField(
        Category,
        blank=True,
        related_name="subscribers",
        verbose_name=_("sections"),
        help_text=_("None chosen means all sections."),
    )
    created_at = models.DateTimeField(_("signed up"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)
    last_mail_at = models.DateTimeField(
        _("last confirmation or notice sent"), null=True, blank=True, editable=False
    )

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="newsletter_subscriber_email_ci"),
        ]

    def __str__(self):
        return self.email


class Mailing(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")

    subject = models.CharField(_("subject"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True)
    articles = models.ManyToManyField(
        Article, related_name="mailings", verbose_name=_("articles"), blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    is_digest = models.BooleanField(_("automatic digest"), default=False, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("mailing")
        verbose_name_plural = _("mailings")

    def __str__(self):
        return self.subject

    def progress(self) -> dict[str, int]:
        counts = self.deliveries.aggregate(
            sent=Count("pk", filter=Q(status=Delivery.Status.SENT)),
            failed=Count("pk", filter=Q(status=Delivery.Status.FAILED)),
            pending=Count("pk", filter=Q(status=Delivery.Status.PENDING)),
        )
        return counts


class Delivery(models.Model):
    """One mailing to one subscriber: created up front, marked as it goes, so a
    restarted sending resumes where it stopped."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        # Nothing of the subscriber's sections by the time of sending.
        SKIPPED = "skipped", _("Skipped")

    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["mailing", "subscriber"], name="newsletter_delivery_once"
            )
        ]
        indexes = [models.Index(fields=["mailing", "status"], name="newsletter_delivery_todo")]

    def __str__(self):
        return f"{self.mailing_id} → {self.subscriber_id}"
