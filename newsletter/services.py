"""The newsletter's rules: double opt-in, signed links, and sending each
mailing exactly once to every confirmed subscriber who wants it."""

import datetime
import hashlib
import logging
import smtplib
import socket
from contextlib import contextmanager

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from news.models import Article
from newsletter.models import Delivery, Mailing, Subscriber
from portal.client_ip import limit_key, limit_unknown
from portal.links import absolute_url

logger = logging.getLogger(__name__)

CONFIRM, MANAGE = "confirm", "manage"
MANAGE_MAX_AGE = 2 * 365 * 24 * 3600
BATCH_SIZE = 100
MAX_ATTEMPTS = 5
# Seconds a recipient refused for now (4xx) waits before its n-th retry, and a paused
# mailing before its n-th rerun.
RETRY_BACKOFF = [60, 300, 900, 3600]
# Recipients refused for now in a row, nothing accepted between, that mean the server
# itself is in trouble: the mailing pauses.
PAUSE_AFTER_TRANSIENT = 3
# The first key of the advisory locks of mailings (any constant of our own).
LOCK_NAMESPACE = 8058


class SignupRefused(Exception):
    """Too many signups from one address: the visitor is asked to wait."""


class InvalidToken(Exception):
    """A link that is forged, damaged or expired."""


class MailNotSent(Exception):
    """The mail server could not be reached or refused the letter; ``str()`` says why."""


class MailingNotDraft(Exception):
    """The mailing was queued already: it is queued once."""


class MailingHasNoRecipients(Exception):
    """No confirmed subscriber wants the mailing (none at all, or none of its
    sections): it stays a draft instead of turning "sent" to nobody."""


# --- Signed links -----------------------------------------------------------------


def token_make(subscriber: Subscriber, purpose: str) -> str:
    # The e-mail is part of the token, so a link stops working for a row that
    # was deleted and reused by another address.
    email_hash = hashlib.sha256(subscriber.email.encode()).hexdigest()[:16]
    return signing.dumps([subscriber.pk, email_hash], salt=f"newsletter.{purpose}", compress=True)


def token_subscriber(token: str, purpose: str) -> Subscriber:
    max_age = settings.NEWSLETTER_CONFIRM_MAX_AGE if purpose == CONFIRM else MANAGE_MAX_AGE
    try:
        pk, email_hash = signing.loads(token, salt=f"newsletter.{purpose}", max_age=max_age)
        subscriber = Subscriber.objects.get(pk=pk)
    except (signing.BadSignature, ValueError, TypeError, Subscriber.DoesNotExist):
        raise InvalidToken from None
    if hashlib.sha256(subscriber.email.encode()).hexdigest()[:16] != email_hash:
        raise InvalidToken
    return subscriber


def manage_links(subscriber: Subscriber) -> dict[str, str]:
    token = token_make(subscriber, MANAGE)
    return {
        "unsubscribe_url": absolute_url(reverse("newsletter:unsubscribe", args=[token])),
        "preferences_url": absolute_url(reverse("newsletter:preferences", args=[token])),
    }


# --- Subscribing --------------------------------------------------------------------


def _hour_counter(key: str) -> int:
    cache.add(key, 0, timeout=3600)
    return cache.incr(key)


def subscription_request(*, email: str, ip: str | None) -> None:
    """Sign up ``email``. The outcome the visitor sees does not depend on
    whether the address was new, pending or confirmed, so nobody can probe
    who is subscribed. New and pending addresses get a confirmation link;
    a confirmed one a reminder with its preferences link — each at most once
    per ``NEWSLETTER_RESEND_INTERVAL``.
    """
    hour = timezone.now().strftime("%Y%m%d%H")
    ip = limit_key(ip)
    if ip is None:
        limit_unknown("newsletter signup")
    elif _hour_counter(f"newsletter:ip:{ip}:{hour}") > settings.NEWSLETTER_SIGNUPS_PER_IP_PER_HOUR:
        raise SignupRefused
    email = email.strip().lower()
    with transaction.atomic():
        subscriber = _subscriber_for_update(email)
        quiet_since = timezone.now() - datetime.timedelta(
            seconds=settings.NEWSLETTER_RESEND_INTERVAL
        )
        if subscriber.last_mail_at and subscriber.last_mail_at > quiet_since:
            return
        if subscriber.status in (Subscriber.Status.UNSUBSCRIBED, Subscriber.Status.BOUNCED):
            subscriber.status = Subscriber.Status.PENDING
        subscriber.last_mail_at = timezone.now()
        subscriber.save(update_fields=["status", "last_mail_at"])
        from newsletter.tasks import send_signup_mail

        transaction.on_commit(lambda: send_signup_mail.enqueue(subscriber.pk))


def _subscriber_for_update(email: str) -> Subscriber:
    """The subscriber of ``email`` whatever the case it was stored in (the admin or an
    import may have kept capitals), created if there is none. Two signups racing for a
    new address: the unique index on its lower case lets one create it, the other reads it.
    """
    existing = Subscriber.objects.select_for_update().with_email(email).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Subscriber.objects.create(email=email)
    except IntegrityError:
        return Subscriber.objects.select_for_update().with_email(email).get()


def confirm_valid_days() -> int:
    """How many days a confirmation link works (``NEWSLETTER_CONFIRM_MAX_AGE``)."""
    return settings.NEWSLETTER_CONFIRM_MAX_AGE // 86400


def signup_mail(subscriber: Subscriber) -> EmailMultiAlternatives:
    confirmed = subscriber.status == Subscriber.Status.CONFIRMED
    context = {
        "confirmed": confirmed,
        "confirm_url": absolute_url(
            reverse("newsletter:confirm", args=[token_make(subscriber, CONFIRM)])
        ),
        "valid_days": confirm_valid_days(),
        **manage_links(subscriber),
    }
    with translation.override("uk"):
        subject = _("You are subscribed") if confirmed else _("Confirm your subscription")
        text = render_to_string("newsletter/email/signup.txt", context)
        html = render_to_string("newsletter/email/signup.html", context)
    message = EmailMultiAlternatives(f"{subject} — Громада", text, to=[subscriber.email])
    message.attach_alternative(html, "text/html")
    return message


def subscription_confirm(*, token: str) -> Subscriber:
    subscriber = token_subscriber(token, CONFIRM)
    if subscriber.status != Subscriber.Status.CONFIRMED:
        subscriber.status = Subscriber.Status.CONFIRMED
        subscriber.confirmed_at = timezone.now()
        subscriber.unsubscribed_at = None
        subscriber.save(update_fields=["status", "confirmed_at", "unsubscribed_at"])
    return subscriber


def subscription_cancel(*, token: str) -> Subscriber:
    subscriber = token_subscriber(token, MANAGE)
    if subscriber.status != Subscriber.Status.UNSUBSCRIBED:
        subscriber.status = Subscriber.Status.UNSUBSCRIBED
        subscriber.unsubscribed_at = timezone.now()
        subscriber.save(update_fields=["status", "unsubscribed_at"])
        Delivery.objects.filter(subscriber=subscriber, status=Delivery.Status.PENDING).update(
            status=Delivery.Status.FAILED, last_error="unsubscribed"
        )
    return subscriber


# --- Mailings -------------------------------------------------------------------------


def mailing_queue(*, mailing: Mailing) -> int:
    """Create one delivery per confirmed subscriber who wants the mailing's
    sections, then start sending once the transaction commits. Returns the
    number of deliveries. A mailing is queued once: queuing it again raises
    ``MailingNotDraft``; one that nobody would receive raises
    ``MailingHasNoRecipients`` and stays a draft."""
    with transaction.atomic():
        locked = Mailing.objects.select_for_update().get(pk=mailing.pk)
        if locked.status != Mailing.Status.DRAFT:
            raise MailingNotDraft
        categories = {article.category_id for article in mailing_articles(locked)}
        subscribers = Subscriber.objects.confirmed()
        if categories:
            subscribers = subscribers.wanting(categories)
        recipients = list(subscribers.values_list("pk", flat=True))
        if not recipients:
            raise MailingHasNoRecipients
        Delivery.objects.bulk_create(
            [Delivery(mailing=locked, subscriber_id=pk) for pk in recipients],
            batch_size=1000,
            ignore_conflicts=True,
        )
        locked.status = Mailing.Status.QUEUED
        locked.queued_at = timezone.now()
        locked.save(update_fields=["status", "queued_at"])
        from newsletter.tasks import send_mailing

        transaction.on_commit(lambda: send_mailing.enqueue(locked.pk))
        return locked.deliveries.count()


def mailing_message(
    mailing: Mailing, subscriber: Subscriber, articles=None
) -> EmailMultiAlternatives:
    articles = articles if articles is not None else list(mailing_articles(mailing))
    links = manage_links(subscriber)
    context = {
        "mailing": mailing,
        "articles": [
            {
                "title": article.title,
                "lead": article.lead,
                "url": absolute_url(article.get_absolute_url()),
                "picture_url": absolute_url(article.picture.url) if article.picture else "",
                "picture_alt": article.picture_alt,
                "published_at": article.published_at,
            }
            for article in articles
        ],
        "site_url": settings.SITE_URL,
        **links,
    }
    with translation.override("uk"):
        text = render_to_string("newsletter/email/mailing.txt", context)
        html = render_to_string("newsletter/email/mailing.html", context)
    message = EmailMultiAlternatives(
        mailing.subject,
        text,
        to=[subscriber.email],
        headers={
            # RFC 8058: mail clients offer a one-click unsubscribe button.
            "List-Unsubscribe": f"<{links['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def mailing_send_test(*, mailing: Mailing, email: str) -> None:
    """Mail the mailing as a subscriber who wants every section would get it, marked
    [TEST], to ``email``; raises ``MailNotSent`` when the server is down or refuses it."""
    message = mailing_message(mailing, Subscriber(pk=0, email=email))
    message.subject = f"[TEST] {message.subject}"
    try:
        message.send()
    except (OSError, smtplib.SMTPException) as error:
        logger.warning("Test of mailing %s to %s not sent: %s", mailing.pk, email, error)
        raise MailNotSent(str(error) or error.__class__.__name__) from error


def mailing_articles(mailing: Mailing):
    return mailing.articles.published().select_related("category").order_by("-published_at")


def subscriber_articles(subscriber: Subscriber, articles: list[Article]) -> list[Article]:
    """The articles of the sections ``subscriber`` chose (no choice: all of them).
    Reads ``subscriber.categories`` through a prefetch where there is one."""
    chosen = {category.pk for category in subscriber.categories.all()}
    if not chosen:
        return articles
    return [article for article in articles if article.category_id in chosen]


@contextmanager
def _sending_lock(mailing_id: int):
    """One sender per mailing. On PostgreSQL a session advisory lock, which the
    server drops with the connection of a killed worker, so a rerun can start
    at once; SQLite has a single writer and the database worker runs tasks one
    by one. Yields whether this process may send."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_NAMESPACE, mailing_id])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, mailing_id])


def _is_permanent(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False


def _is_bounce(error: Exception) -> bool:
    """The server says the address itself does not exist or takes no mail (a 5xx to
    RCPT), rather than refusing this one message."""
    return isinstance(error, smtplib.SMTPRecipientsRefused) and _is_permanent(error)


def delivery_retry_delay(attempts: int) -> datetime.timedelta:
    """How long a delivery refused for now waits after its ``attempts``-th try."""
    return datetime.timedelta(seconds=RETRY_BACKOFF[min(attempts, len(RETRY_BACKOFF)) - 1])


def mailing_send(*, mailing_id: int, limit: int | None = None) -> dict[str, int]:
    """Send the mailing's pending deliveries in batches over one SMTP
    connection per batch. Each delivery is marked sent in its own statement
    right after the server accepts the message — not at the end of a batch —
    so a worker killed at any point leaves every accepted message marked, and
    a rerun sends only what is still pending: every subscriber receives the
    mailing exactly once.

    A recipient the server refuses permanently (5xx) is recorded and skipped, and
    an address refused at RCPT is marked bounced. A recipient refused for now (4xx,
    greylisting, a per-domain limit) is deferred alone, with its own backoff
    (``RETRY_BACKOFF``), and the others go on. When the server itself is in
    trouble — it cannot be reached, or ``PAUSE_AFTER_TRANSIENT`` recipients in a row
    are refused for now — the run stops, the streak's deliveries not charged, for a
    retry of the whole mailing with backoff. ``limit`` stops after that many
    messages (used to prove resuming).
    """
    with _sending_lock(mailing_id) as acquired:
        if not acquired:
            return {"sent": 0, "failed": 0, "deferred": 0, "transient": 0}
        return _mailing_send(mailing_id, limit)


def _mailing_send(mailing_id: int, limit: int | None) -> dict[str, int]:
    mailing = Mailing.objects.get(pk=mailing_id)
    if mailing.status == Mailing.Status.SENT:
        return {"sent": 0, "failed": 0, "deferred": 0, "transient": 0}
    Mailing.objects.filter(pk=mailing.pk, status=Mailing.Status.QUEUED).update(
        status=Mailing.Status.SENDING
    )
    articles = list(mailing_articles(mailing))
    pending = Delivery.objects.filter(mailing=mailing, status=Delivery.Status.PENDING)
    due = pending.filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now()))
    sent = failed = deferred = 0
    transient = None
    streak: list[Delivery] = []  # deferred one after another, nothing accepted between
    while transient is None and (limit is None or sent < limit):
        size = BATCH_SIZE if limit is None else min(BATCH_SIZE, limit - sent)
        batch = list(
            due.select_related("subscriber")
            .prefetch_related("subscriber__categories")
            .order_by("pk")[:size]
        )
        if not batch:
            break
        backend = mailers.default
        transient = _open(backend)
        if transient is not None:
            break
        try:
            for delivery in batch:
                chosen = subscriber_articles(delivery.subscriber, articles)
                if articles and not chosen:
                    # The subscriber chose other sections after the mailing was queued.
                    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SKIPPED)
                    continue
                error = _deliver(backend, mailing_message(mailing, delivery.subscriber, chosen))
                if error is None:
                    Delivery.objects.filter(pk=delivery.pk).update(
                        status=Delivery.Status.SENT,
                        sent_at=timezone.now(),
                        attempts=delivery.attempts + 1,
                        next_attempt_at=None,
                    )
                    sent += 1
                    streak = []
                    continue
                delivery.attempts += 1
                delivery.last_error = str(error)[:500]
                if _is_permanent(error) or delivery.attempts >= MAX_ATTEMPTS:
                    delivery.status = Delivery.Status.FAILED
                    delivery.next_attempt_at = None
                    failed += 1
                    delivery.save(
                        update_fields=["status", "attempts", "last_error", "next_attempt_at"]
                    )
                    if _is_bounce(error):
                        Subscriber.objects.filter(pk=delivery.subscriber_id).update(
                            status=Subscriber.Status.BOUNCED
                        )
                    continue
                delivery.next_attempt_at = timezone.now() + delivery_retry_delay(delivery.attempts)
                delivery.save(update_fields=["attempts", "last_error", "next_attempt_at"])
                deferred += 1
                streak.append(delivery)
                if len(streak) >= PAUSE_AFTER_TRANSIENT:
                    transient = error
                    _uncharge(streak)
                    deferred -= len(streak)
                    break
                if not _connected(backend):
                    # A 421 or a dropped connection: go on over a new one.
                    backend.close()
                    transient = _open(backend)
                    if transient is not None:
                        break
        finally:
            backend.close()
    if transient is not None:
        logger.warning("Mailing %s paused after a transient SMTP error: %s", mailing.pk, transient)
    elif not pending.exists():
        Mailing.objects.filter(pk=mailing.pk).update(
            status=Mailing.Status.SENT, sent_at=timezone.now()
        )
    return {
        "sent": sent,
        "failed": failed,
        "deferred": deferred,
        "transient": int(transient is not None),
    }


def _open(backend) -> Exception | None:
    """Connect to the mail server; the error if it cannot be reached."""
    try:
        backend.open()
    except (OSError, smtplib.SMTPException) as error:
        return error
    _no_delay(backend)
    return None


def _uncharge(streak: list[Delivery]) -> None:
    """The server refused a run of recipients in a row: its trouble, not theirs. They
    wait for the mailing's retry like the rest, their attempts as they were."""
    for delivery in streak:
        Delivery.objects.filter(pk=delivery.pk).update(
            attempts=delivery.attempts - 1, next_attempt_at=None
        )


def _connected(backend) -> bool:
    connection = getattr(backend, "connection", None)
    return connection is not None and getattr(connection, "sock", None) is not None


def mailing_retry_at(*, mailing_id: int, result: dict[str, int], retry: int, now=None):
    """When to run the mailing again after ``result``, and the retry number of that
    run, or None when nothing is left. A paused mailing waits ``RETRY_BACKOFF[retry]``,
    counted again from the start once a run got messages through; deferred
    recipients alone: the moment the first of them is due."""
    now = now or timezone.now()
    if result["transient"]:
        retry = 0 if result["sent"] else retry
        delay = datetime.timedelta(seconds=RETRY_BACKOFF[min(retry, len(RETRY_BACKOFF) - 1)])
        return now + delay, retry + 1
    first_due = (
        Delivery.objects.filter(mailing_id=mailing_id, status=Delivery.Status.PENDING)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    if first_due is None:
        return None
    return max(first_due, now), 0


def _no_delay(backend) -> None:
    """Send each SMTP command at once. With Nagle's algorithm a short command
    waits for the server's delayed ACK (about 40 ms on Linux), which held the
    benchmark at about 50 messages a second."""
    sock = getattr(getattr(backend, "connection", None), "sock", None)
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _deliver(backend, message) -> Exception | None:
    try:
        backend.send_messages([message])
    except (OSError, smtplib.SMTPException) as error:
        return error
    return None


DIGEST_LOOK_BACK = datetime.timedelta(days=7)


def digest_create(*, now=None) -> Mailing | None:
    """A mailing of the public articles that no digest has carried yet, published since
    the last digest or in the last week (whichever is longer ago); None when there are
    none. "Not carried yet" rather than "published after the last digest": an article
    scheduled, or published late with an earlier time, is not skipped."""
    now = now or timezone.now()
    last = Mailing.objects.filter(is_digest=True).order_by("-created_at").first()
    since = now - DIGEST_LOOK_BACK
    if last is not None:
        since = min(since, last.created_at)
    articles = list(
        Article.objects.published(now)
        .filter(published_at__gt=since)
        .exclude(mailings__is_digest=True)
        .order_by("-published_at")
    )
    if not articles:
        return None
    with translation.override("uk"):
        day = timezone.localtime(now).strftime("%d.%m.%Y")  # the Kyiv day, not UTC's
        mailing = Mailing.objects.create(
            subject=_("Community news of %(date)s") % {"date": day},
            intro=_("The news of the community since our last letter."),
            is_digest=True,
        )
    mailing.articles.set(articles)
    return mailing
