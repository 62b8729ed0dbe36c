"""Background work of the newsletter, through django.tasks."""

import datetime

from django.tasks import default_task_backend, task
from django.utils import timezone

from newsletter import services
from newsletter.models import Subscriber

# Seconds to wait before the n-th retry after a transient SMTP error.
RETRY_BACKOFF = [60, 300, 900, 3600]


@task
def send_signup_mail(subscriber_id: int) -> None:
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is not None:
        services.signup_mail(subscriber).send()


@task
def send_mailing(mailing_id: int, retry: int = 0) -> dict:
    result = services.mailing_send(mailing_id=mailing_id)
    if result["transient"] and default_task_backend.supports_defer:
        delay = RETRY_BACKOFF[min(retry, len(RETRY_BACKOFF) - 1)]
        send_mailing.using(run_after=timezone.now() + datetime.timedelta(seconds=delay)).enqueue(
            mailing_id, retry + 1
        )
    return result
