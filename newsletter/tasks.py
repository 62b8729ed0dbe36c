"""Background work of the newsletter, through django.tasks."""

from django.tasks import default_task_backend, task

from newsletter import services
from newsletter.models import Subscriber


@task
def send_signup_mail(subscriber_id: int) -> None:
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is not None:
        services.signup_mail(subscriber).send()


@task
def send_mailing(mailing_id: int, retry: int = 0) -> dict:
    result = services.mailing_send(mailing_id=mailing_id)
    later = services.mailing_retry_at(mailing_id=mailing_id, result=result, retry=retry)
    if later is not None and default_task_backend.supports_defer:
        run_after, next_retry = later
        send_mailing.using(run_after=run_after).enqueue(mailing_id, next_retry)
    return result
