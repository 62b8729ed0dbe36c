"""Mailings reach every confirmed subscriber exactly once."""

import datetime

import pytest
import time_machine
from django.core.management import call_command

from newsletter import services
from newsletter.models import Delivery, Mailing, Subscriber
from tests.conftest import make_article, make_category, make_image_upload

pytestmark = pytest.mark.django_db


def confirmed(count, prefix="reader"):
    return Subscriber.objects.bulk_create(
        Subscriber(email=f"{prefix}{i}@example.org", status=Subscriber.Status.CONFIRMED)
        for i in range(count)
    )


def mailing_with(*articles, subject="Новини тижня"):
    mailing = Mailing.objects.create(subject=subject, intro="Коротко про головне.")
    mailing.articles.set(articles)
    return mailing


def queue(mailing, capture):
    with capture(execute=True):
        return services.mailing_queue(mailing=mailing)


def test_a_mailing_arrives_once_to_each_of_500_confirmed(smtp, django_capture_on_commit_callbacks):
    confirmed(500)
    Subscriber.objects.create(email="pending@example.org")
    Subscriber.objects.create(email="gone@example.org", status=Subscriber.Status.UNSUBSCRIBED)
    mailing = mailing_with(make_article(title="Ремонт мосту"))
    assert queue(mailing, django_capture_on_commit_callbacks) == 500
    recipients = smtp.recipients()
    assert len(recipients) == 500 == len(set(recipients))
    assert "pending@example.org" not in recipients and "gone@example.org" not in recipients
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT
    assert mailing.progress() == {"sent": 500, "failed": 0, "pending": 0}


def test_sending_killed_after_200_resumes_and_nobody_gets_it_twice(smtp, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    confirmed(500)
    mailing = mailing_with(make_article())
    services.mailing_queue(mailing=mailing)
    first = services.mailing_send(mailing_id=mailing.pk, limit=200)  # the worker dies here
    assert first["sent"] == 200 and len(smtp.messages) == 200
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENDING
    services.mailing_send(mailing_id=mailing.pk)  # the worker is restarted
    recipients = smtp.recipients()
    assert len(recipients) == 500 == len(set(recipients))
    services.mailing_send(mailing_id=mailing.pk)  # and a stray third run sends nothing
    assert len(smtp.messages) == 500


def test_smtp_server_failing_mid_mailing_loses_nothing(smtp, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    confirmed(300)
    mailing = mailing_with(make_article())
    services.mailing_queue(mailing=mailing)
    smtp.accept_limit = 120  # then "421 try again later"
    result = services.mailing_send(mailing_id=mailing.pk)
    assert result["transient"] == 1 and result["sent"] == 120
    assert mailing.progress()["pending"] == 180
    smtp.accept_limit = None
    services.mailing_send(mailing_id=mailing.pk)
    recipients = smtp.recipients()
    assert len(recipients) == 300 == len(set(recipients))
    assert Mailing.objects.get().status == Mailing.Status.SENT


def test_the_smtp_server_down_pauses_the_mailing(smtp, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    confirmed(5)
    mailing = mailing_with(make_article())
    services.mailing_queue(mailing=mailing)
    smtp.controller.stop()
    assert services.mailing_send(mailing_id=mailing.pk)["transient"] == 1
    assert mailing.progress() == {"sent": 0, "failed": 0, "pending": 5}
    smtp.start_again()
    services.mailing_send(mailing_id=mailing.pk)
    assert len(smtp.messages) == 5


def test_a_permanently_refused_address_is_recorded_and_skipped(
    smtp, django_capture_on_commit_callbacks
):
    confirmed(3)
    smtp.refused.add("reader1@example.org")
    mailing = mailing_with(make_article())
    queue(mailing, django_capture_on_commit_callbacks)
    assert sorted(smtp.recipients()) == ["reader0@example.org", "reader2@example.org"]
    failed = Delivery.objects.get(status=Delivery.Status.FAILED)
    assert failed.subscriber.email == "reader1@example.org"
    assert "550" in failed.last_error
    assert Mailing.objects.get().status == Mailing.Status.SENT


def test_the_message_is_multipart_with_rfc8058_headers_and_absolute_links(
    smtp, client, django_capture_on_commit_callbacks
):
    confirmed(1)
    article = make_article(title="Відкрито <новий> сквер", lead="Лавки й ліхтарі.")
    article.picture = make_image_upload()
    article.picture_alt = "Сквер"
    article.save()
    queue(mailing_with(article), django_capture_on_commit_callbacks)
    (message,) = smtp.messages
    assert message["Subject"] == "Новини тижня"
    unsubscribe = message["List-Unsubscribe"]
    assert unsubscribe.startswith("<http://testserver/newsletter/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = message.get_body(preferencelist=("html",)).get_content()
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert f"http://testserver{article.get_absolute_url()}" in html
    assert f"http://testserver{article.picture.url}" in html
    assert "Відкрито &lt;новий&gt; сквер" in html and "<script" not in html
    assert "Відкрито <новий> сквер" in text and "/newsletter/preferences/" in text
    # The one-click POST a mail client makes:
    path = unsubscribe.strip("<>").removeprefix("http://testserver")
    client.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert Subscriber.objects.get().status == Subscriber.Status.UNSUBSCRIBED


def test_a_picture_on_a_cdn_keeps_its_own_address_in_the_letter(
    smtp, media_on_a_cdn, django_capture_on_commit_callbacks
):
    """Media in S3-compatible storage or behind a CDN come with their own host: the
    letter links the picture there, not under SITE_URL."""
    confirmed(1)
    article = make_article(picture=make_image_upload(), picture_alt="Сквер")
    queue(mailing_with(article), django_capture_on_commit_callbacks)
    (message,) = smtp.messages
    html = message.get_body(preferencelist=("html",)).get_content()
    assert f'src="{media_on_a_cdn}{article.picture.name}"' in html
    assert "testserverhttps" not in html


def test_subscribers_receive_only_the_sections_they_chose(smtp, django_capture_on_commit_callbacks):
    sport = make_category(name="Спорт")
    culture = make_category(name="Культура")
    everything, sport_fan, culture_fan = confirmed(3)
    sport_fan.categories.set([sport])
    culture_fan.categories.set([culture])
    queue(mailing_with(make_article(category=sport)), django_capture_on_commit_callbacks)
    assert sorted(smtp.recipients()) == [everything.email, sport_fan.email]


def test_a_mailing_is_queued_once(smtp, django_capture_on_commit_callbacks):
    confirmed(2)
    mailing = mailing_with(make_article())
    queue(mailing, django_capture_on_commit_callbacks)
    with pytest.raises(services.MailingNotDraft):
        queue(mailing, django_capture_on_commit_callbacks)
    assert len(smtp.messages) == 2


def test_send_digest_builds_a_mailing_from_new_articles_and_does_nothing_without(
    smtp, capsys, django_capture_on_commit_callbacks
):
    confirmed(2)
    make_article(title="Свіжа новина")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_digest")
    digest = Mailing.objects.get(is_digest=True)
    assert [a.title for a in digest.articles.all()] == ["Свіжа новина"]
    assert len(smtp.messages) == 2
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_digest")
    assert "nothing to send" in capsys.readouterr().out
    assert Mailing.objects.count() == 1


def test_an_article_published_with_an_earlier_time_still_reaches_the_next_digest(smtp):
    """Scheduled, or published late with the time of the draft: the next digest carries
    it, and no digest carries an article twice."""
    from news.models import Article

    with time_machine.travel(datetime.datetime(2026, 11, 23, 8, 0, tzinfo=datetime.UTC)):
        draft = make_article(title="Новий графік вивозу сміття", status=Article.Status.DRAFT)
        make_article(title="Ярмарок у неділю")
        assert [a.title for a in services.digest_create().articles.all()] == ["Ярмарок у неділю"]
    with time_machine.travel(datetime.datetime(2026, 11, 25, 8, 0, tzinfo=datetime.UTC)):
        Article.objects.filter(pk=draft.pk).update(status=Article.Status.PUBLISHED)
        second = services.digest_create()
        assert [a.title for a in second.articles.all()] == ["Новий графік вивозу сміття"]
    with time_machine.travel(datetime.datetime(2026, 11, 27, 8, 0, tzinfo=datetime.UTC)):
        assert services.digest_create() is None


def test_the_digest_is_named_by_the_kyiv_day(smtp):
    # 00:30 in Kyiv on 15 June is still 14 June in UTC.
    night = datetime.datetime(2026, 6, 14, 21, 30, tzinfo=datetime.UTC)
    make_article(title="Нічна новина", published_at=night - datetime.timedelta(hours=1))
    assert services.digest_create(now=night).subject.endswith("15.06.2026")


def test_admin_shows_progress_preview_and_sends_a_test(admin_client, admin_user, smtp):
    confirmed(2)
    mailing = mailing_with(make_article(title="Для перегляду"))
    services.mailing_queue(mailing=mailing)
    change = admin_client.get(f"/admin/newsletter/mailing/{mailing.pk}/change/").content.decode()
    assert "надіслано 0 · помилок 0 · в черзі 2" in change
    preview = admin_client.get(f"/admin/newsletter/mailing/{mailing.pk}/preview/").content.decode()
    assert "Для перегляду" in preview
    admin_client.post(
        "/admin/newsletter/mailing/",
        {"action": "send_test_to_me", "_selected_action": [mailing.pk]},
    )
    assert smtp.recipients() == [admin_user.email]
    assert smtp.messages[0]["Subject"].startswith("[TEST]")


def test_admin_exports_subscribers_as_csv(admin_client):
    confirmed(2)
    response = admin_client.post(
        "/admin/newsletter/subscriber/",
        {
            "action": "export_csv",
            "_selected_action": list(Subscriber.objects.values_list("pk", flat=True)),
        },
    )
    body = response.content.decode("utf-8-sig")
    assert body.splitlines()[0] == "email,status,signed_up,confirmed"
    assert "reader0@example.org,confirmed" in body


def _titles(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def test_each_letter_carries_only_the_articles_of_the_sections_the_subscriber_chose(
    smtp, django_capture_on_commit_callbacks
):
    """A subscriber who chose sport reads the sport news only; one who chose nothing reads
    all; one whose sections have nothing in this mailing gets no letter."""
    sport = make_category(name="Спорт")
    culture = make_category(name="Культура")
    roads = make_category(name="Дороги")
    everything, sport_fan, roads_fan = confirmed(3)
    sport_fan.categories.set([sport])
    roads_fan.categories.set([roads])
    mailing = mailing_with(
        make_article(title="Турнір з волейболу", category=sport),
        make_article(title="Вечір поезії", category=culture),
    )
    assert queue(mailing, django_capture_on_commit_callbacks) == 2
    letters = {message["To"]: _titles(message) for message in smtp.messages}
    assert sorted(letters) == [everything.email, sport_fan.email]
    assert "Турнір з волейболу" in letters[everything.email]
    assert "Вечір поезії" in letters[everything.email]
    assert "Турнір з волейболу" in letters[sport_fan.email]
    assert "Вечір поезії" not in letters[sport_fan.email]


def test_a_draft_in_the_mailing_brings_no_subscriber_of_its_section(
    smtp, django_capture_on_commit_callbacks
):
    from news.models import Article

    sport = make_category(name="Спорт")
    culture = make_category(name="Культура")
    (culture_fan,) = confirmed(1)
    culture_fan.categories.set([culture])
    mailing = mailing_with(
        make_article(category=sport),
        make_article(category=culture, status=Article.Status.DRAFT),
    )
    with pytest.raises(services.MailingHasNoRecipients):
        queue(mailing, django_capture_on_commit_callbacks)
    assert smtp.messages == []


def test_a_subscriber_who_changed_sections_after_queuing_gets_no_empty_letter(smtp, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    sport = make_category(name="Спорт")
    culture = make_category(name="Культура")
    (fan,) = confirmed(1)
    mailing = mailing_with(make_article(category=sport))
    services.mailing_queue(mailing=mailing)
    fan.categories.set([culture])
    services.mailing_send(mailing_id=mailing.pk)
    assert smtp.messages == []
    assert Delivery.objects.get().status == Delivery.Status.SKIPPED
    assert Mailing.objects.get().status == Mailing.Status.SENT


@pytest.mark.parametrize(
    "reply", ["451 4.7.1 Greylisted, try again later", "421 4.7.0 Too many messages, try later"]
)
def test_a_temporary_refusal_defers_only_that_recipient(smtp, settings, reply):
    """A 4xx for one address (greylisting, a per-domain limit; 421 also drops the
    connection) holds back that address alone: the others are delivered and marked sent,
    and the deferred one is retried after its backoff and mailed once."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    confirmed(5)
    smtp.temporary["reader1@example.org"] = reply
    mailing = mailing_with(make_article())
    services.mailing_queue(mailing=mailing)
    result = services.mailing_send(mailing_id=mailing.pk)
    assert result["sent"] == 4 and result["transient"] == 0
    assert sorted(smtp.recipients()) == [f"reader{i}@example.org" for i in (0, 2, 3, 4)]
    deferred = Delivery.objects.get(status=Delivery.Status.PENDING)
    assert deferred.subscriber.email == "reader1@example.org"
    assert deferred.attempts == 1 and reply[:3] in deferred.last_error
    assert deferred.next_attempt_at > services.timezone.now()
    assert Mailing.objects.get().status == Mailing.Status.SENDING

    del smtp.temporary["reader1@example.org"]
    assert services.mailing_send(mailing_id=mailing.pk)["sent"] == 0  # not yet due
    with time_machine.travel(deferred.next_attempt_at + datetime.timedelta(seconds=1)):
        assert services.mailing_send(mailing_id=mailing.pk)["sent"] == 1
    recipients = smtp.recipients()
    assert len(recipients) == 5 == len(set(recipients))
    assert Mailing.objects.get().status == Mailing.Status.SENT


def test_a_recipient_deferred_again_waits_longer_and_fails_after_the_last_attempt(smtp, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    confirmed(1)
    smtp.temporary["reader0@example.org"] = "451 4.3.0 Try again later"
    mailing = mailing_with(make_article())
    services.mailing_queue(mailing=mailing)
    waits = []
    for _ in range(services.MAX_ATTEMPTS):
        delivery = Delivery.objects.get()
        moment = delivery.next_attempt_at or services.timezone.now()
        with time_machine.travel(moment + datetime.timedelta(seconds=1)):
            services.mailing_send(mailing_id=mailing.pk)
            delivery.refresh_from_db()
            if delivery.next_attempt_at:
                waits.append(
                    round((delivery.next_attempt_at - services.timezone.now()).total_seconds())
                )
    assert waits == [60, 300, 900, 3600]
    assert delivery.status == Delivery.Status.FAILED and delivery.attempts == services.MAX_ATTEMPTS
    assert Mailing.objects.get().status == Mailing.Status.SENT


def test_the_retry_backoff_starts_again_after_a_run_that_delivered(smtp, settings):
    """The mailing-level backoff (1, 5, 15, 60 minutes) grows while nothing gets through
    and starts again from one minute once a run delivered something."""
    from django.tasks import default_task_backend

    from newsletter.tasks import send_mailing

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    confirmed(10)
    mailing = mailing_with(make_article())
    services.mailing_queue(mailing=mailing)
    default_task_backend.clear()
    smtp.controller.stop()
    send_mailing.call(mailing.pk, 3)  # the server is still down: wait the longest
    (later,) = default_task_backend.results
    assert later.args == [mailing.pk, 4]
    assert (later.task.run_after - services.timezone.now()).total_seconds() > 3500
    default_task_backend.clear()
    smtp.start_again()
    smtp.accept_limit = 4  # four get through, then "421"
    send_mailing.call(mailing.pk, 3)
    (later,) = default_task_backend.results
    assert later.args == [mailing.pk, 1]
    assert 0 < (later.task.run_after - services.timezone.now()).total_seconds() <= 60


def test_a_permanently_refused_address_is_marked_bounced_and_left_out_of_later_mailings(
    smtp, client, django_capture_on_commit_callbacks
):
    confirmed(2)
    smtp.refused.add("reader1@example.org")
    queue(mailing_with(make_article()), django_capture_on_commit_callbacks)
    bounced = Subscriber.objects.get(email="reader1@example.org")
    assert bounced.status == Subscriber.Status.BOUNCED
    assert queue(mailing_with(make_article()), django_capture_on_commit_callbacks) == 1
    assert smtp.recipients() == ["reader0@example.org", "reader0@example.org"]


def _admin_queue(admin_client, mailing):
    response = admin_client.post(
        "/admin/newsletter/mailing/",
        {"action": "queue_for_sending", "_selected_action": [mailing.pk]},
        follow=True,
    )
    assert response.status_code == 200
    return [(m.level_tag, str(m)) for m in response.context["messages"]]


def test_queuing_a_mailing_nobody_would_receive_tells_the_editor_and_keeps_the_draft(
    admin_client, smtp
):
    """No confirmed subscriber, or none for the mailing's sections: a clear warning, the
    mailing stays a draft (it had turned "sent" to nobody)."""
    Subscriber.objects.create(email="pending@example.org")
    mailing = mailing_with(make_article(), subject="Порожня")
    shown = _admin_queue(admin_client, mailing)
    assert shown == [
        (
            "warning",
            "«Порожня» не поставлено в чергу: немає підтверджених підписників, "
            "яким вона призначена. Розсилка лишається чернеткою.",
        )
    ]
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.DRAFT and not mailing.deliveries.exists()

    sport, culture = make_category(name="Спорт"), make_category(name="Культура")
    (fan,) = confirmed(1)
    fan.categories.set([culture])
    for_sport = mailing_with(make_article(category=sport), subject="Спортивна")
    assert "немає підтверджених підписників" in _admin_queue(admin_client, for_sport)[0][1]
    assert Mailing.objects.get(pk=for_sport.pk).status == Mailing.Status.DRAFT
    assert smtp.messages == []


def test_queuing_a_mailing_already_sent_says_so(admin_client, smtp):
    confirmed(1)
    mailing = mailing_with(make_article(), subject="Вже була")
    _admin_queue(admin_client, mailing)
    assert _admin_queue(admin_client, mailing) == [
        ("warning", "«Вже була» не поставлено в чергу: це вже не чернетка.")
    ]


def test_a_digest_nobody_would_receive_is_not_kept(smtp, capsys):
    make_article(title="Новина без читачів")
    call_command("send_digest")
    assert "No confirmed subscriber" in capsys.readouterr().out
    assert not Mailing.objects.exists()
    confirmed(1)
    call_command("send_digest")  # the next digest carries the article
    assert [a.title for a in Mailing.objects.get().articles.all()] == ["Новина без читачів"]


@pytest.mark.parametrize(
    ("count", "words"),
    [(1, "1 лист"), (2, "2 листи"), (5, "5 листів"), (11, "11 листів"), (21, "21 лист")],
)
def test_the_queued_message_counts_letters_in_ukrainian(admin_client, smtp, count, words):
    confirmed(count)
    shown = _admin_queue(admin_client, mailing_with(make_article(), subject="Новини"))
    assert shown == [("success", f"«Новини» поставлено в чергу: {words}.")]


@pytest.mark.parametrize("fault", ["down", "refused"])
def test_a_test_letter_that_cannot_be_sent_gives_the_editor_an_error_not_a_500(
    admin_client, admin_user, smtp, fault
):
    mailing = mailing_with(make_article(), subject="Перевірка")
    if fault == "down":
        smtp.controller.stop()  # connection refused
    else:
        smtp.refused.add(admin_user.email)
    response = admin_client.post(
        "/admin/newsletter/mailing/",
        {"action": "send_test_to_me", "_selected_action": [mailing.pk]},
        follow=True,
    )
    assert response.status_code == 200
    ((level, text),) = [(m.level_tag, str(m)) for m in response.context["messages"]]
    assert level == "error"
    assert text.startswith(f"Тестовий лист «Перевірка» на {admin_user.email} не надіслано:")
    if fault == "down":
        smtp.start_again()
