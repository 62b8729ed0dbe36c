"""From the sidebar box to a confirmed subscriber, and back out."""

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from newsletter import services
from newsletter.models import Subscriber
from tests.conftest import make_category

pytestmark = pytest.mark.django_db

CONFIRM_LINK = r"http://testserver(/newsletter/confirm/[^/\s]+/)"


def signup(client, address, **extra):
    return client.post("/newsletter/", {"email": address, "website": ""}, **extra)


def test_the_sidebar_has_the_signup_box(client):
    html = client.get("/").content.decode()
    assert "Як бути в курсі останніх новин?" in html
    assert 'type="email"' in html and "Підписатися" in html
    assert 'name="website"' in html  # the honeypot
    assert "csrfmiddlewaretoken" in html


def test_signup_sends_a_confirmation_link_that_works(
    client, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = signup(client, "Olena@Example.org")
    assert response.status_code == 302
    assert response["Location"] == "/newsletter/signed-up/"
    assert "Перевірте пошту" in client.get(response["Location"]).content.decode()
    assert smtp.recipients() == ["olena@example.org"]
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING

    message = smtp.messages[0]
    assert message.get_content_type() == "multipart/alternative"
    (path,) = smtp.links(message, CONFIRM_LINK)
    page = client.get(path)
    assert page.status_code == 200
    assert "Підтвердити підписку" in page.content.decode()
    done = client.post(path)
    assert done.status_code == 200
    assert "Підписку підтверджено" in done.content.decode()
    assert Subscriber.objects.get().status == Subscriber.Status.CONFIRMED


def test_following_the_confirmation_link_confirms_nothing_until_the_button_is_pressed():
    """Mail scanners and link previewers fetch the link: GET shows a button, only its
    POST (with the form's CSRF token) confirms."""
    subscriber = Subscriber.objects.create(email="scanned@example.org")
    token = services.token_make(subscriber, services.CONFIRM)
    client = Client(enforce_csrf_checks=True)
    page = client.get(f"/newsletter/confirm/{token}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert '<form method="post"' in html and "csrfmiddlewaretoken" in html
    assert "Підтвердити підписку" in html
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.PENDING
    assert client.post(f"/newsletter/confirm/{token}/").status_code == 403  # no CSRF token
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.PENDING
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    done = client.post(f"/newsletter/confirm/{token}/", {"csrfmiddlewaretoken": csrf})
    assert "Підписку підтверджено" in done.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


def test_the_confirmation_link_of_a_confirmed_subscriber_says_so_at_once(client):
    subscriber = Subscriber.objects.create(
        email="member@example.org", status=Subscriber.Status.CONFIRMED
    )
    token = services.token_make(subscriber, services.CONFIRM)
    page = client.get(f"/newsletter/confirm/{token}/").content.decode()
    assert "Підписку підтверджено" in page and "Підтвердити підписку" not in page


def test_the_answer_is_the_same_for_new_pending_and_confirmed(
    client, smtp, django_capture_on_commit_callbacks
):
    Subscriber.objects.create(email="pending@example.org")
    Subscriber.objects.create(email="member@example.org", status=Subscriber.Status.CONFIRMED)
    answers = []
    with django_capture_on_commit_callbacks(execute=True):
        for address in ("new@example.org", "pending@example.org", "member@example.org"):
            response = signup(Client(), address)
            answers.append((response.status_code, response["Location"]))
    assert len(set(answers)) == 1
    confirmed_notice = [m for m in smtp.messages if m["To"] == "member@example.org"][0]
    assert not smtp.links(confirmed_notice, CONFIRM_LINK)
    assert Subscriber.objects.get(email="member@example.org").status == Subscriber.Status.CONFIRMED


def test_emails_are_stored_once_whatever_their_case(
    client, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signup(client, "Taras@Example.org")
        signup(Client(), "TARAS@example.ORG")
    assert Subscriber.objects.count() == 1
    assert Subscriber.objects.get().email == "taras@example.org"


def test_resending_is_rate_limited_per_address(client, smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(4):
            signup(Client(), "iryna@example.org")
    assert len(smtp.messages) == 1
    later = timezone.now() + datetime.timedelta(hours=2)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        signup(Client(), "iryna@example.org")
    assert len(smtp.messages) == 2


def test_signups_are_rate_limited_per_address_of_the_visitor(
    settings, smtp, django_capture_on_commit_callbacks
):
    settings.NEWSLETTER_SIGNUPS_PER_IP_PER_HOUR = 3
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [signup(Client(), f"person{i}@example.org").status_code for i in range(5)]
    assert statuses == [302, 302, 302, 429, 429]
    assert Subscriber.objects.count() == 3
    refused = signup(Client(), "late@example.org")
    assert "Забагато підписок" in refused.content.decode()


@pytest.mark.parametrize(
    "address", ["", "not-an-email", "a@b", "x" * 300 + "@example.org", "@example.org"]
)
def test_invalid_addresses_get_a_clear_error(client, address):
    response = signup(client, address)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-invalid="true"' in html and 'aria-describedby="id_email-error"' in html
    assert re.search(r"(Введіть|адресу)", html)
    assert Subscriber.objects.count() == 0


def test_a_filled_honeypot_is_silently_dropped(client, smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/newsletter/", {"email": "bot@example.org", "website": "http://spam"}
        )
    assert response.status_code == 302
    assert response["Location"] == "/newsletter/signed-up/"
    assert Subscriber.objects.count() == 0
    assert smtp.messages == []


def test_the_confirmation_link_expires_after_seven_days(client):
    subscriber = Subscriber.objects.create(email="late@example.org")
    token = services.token_make(subscriber, services.CONFIRM)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=8)):
        response = client.get(f"/newsletter/confirm/{token}/")
        assert client.post(f"/newsletter/confirm/{token}/").status_code == 400
    assert response.status_code == 400
    assert "Посилання не працює" in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.PENDING


@pytest.mark.parametrize("token", ["forged", "eyJhIjoxfQ:1abc:def", "a" * 500, "%00"])
def test_forged_tokens_get_a_clear_page(client, token):
    Subscriber.objects.create(email="victim@example.org", status=Subscriber.Status.CONFIRMED)
    for url in ("confirm", "preferences", "unsubscribe"):
        assert client.get(f"/newsletter/{url}/{token}/").status_code in (400, 404)
    assert client.post(f"/newsletter/unsubscribe/{token}/").status_code in (400, 404)
    assert client.post(f"/newsletter/confirm/{token}/").status_code in (400, 404)
    assert Subscriber.objects.get().status == Subscriber.Status.CONFIRMED


def test_a_token_for_one_purpose_does_not_serve_another(client):
    subscriber = Subscriber.objects.create(
        email="x@example.org", status=Subscriber.Status.CONFIRMED
    )
    confirm_token = services.token_make(subscriber, services.CONFIRM)
    assert client.post(f"/newsletter/unsubscribe/{confirm_token}/").status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


def test_unsubscribe_link_asks_for_a_click_before_unsubscribing(client):
    subscriber = Subscriber.objects.create(
        email="x@example.org", status=Subscriber.Status.CONFIRMED
    )
    token = services.token_make(subscriber, services.MANAGE)
    page = client.get(f"/newsletter/unsubscribe/{token}/")
    assert "Так, відписатися" in page.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED  # a scanner's GET changes nothing
    done = client.post(f"/newsletter/unsubscribe/{token}/")
    assert "Ви відписалися" in done.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED


def test_one_click_unsubscribe_needs_no_login_or_csrf_token():
    subscriber = Subscriber.objects.create(
        email="x@example.org", status=Subscriber.Status.CONFIRMED
    )
    token = services.token_make(subscriber, services.MANAGE)
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        f"/newsletter/unsubscribe/{token}/",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED


def test_the_signup_form_itself_requires_csrf():
    response = Client(enforce_csrf_checks=True).post("/newsletter/", {"email": "a@example.org"})
    assert response.status_code == 403
    assert Subscriber.objects.count() == 0


def test_preferences_choose_sections(client):
    news = make_category(name="Новини громад")
    sport = make_category(name="Спорт")
    subscriber = Subscriber.objects.create(
        email="x@example.org", status=Subscriber.Status.CONFIRMED
    )
    token = services.token_make(subscriber, services.MANAGE)
    page = client.get(f"/newsletter/preferences/{token}/").content.decode()
    assert "Новини громад" in page and "Спорт" in page
    response = client.post(f"/newsletter/preferences/{token}/", {"categories": [sport.pk]})
    assert response.status_code == 302
    assert list(subscriber.categories.all()) == [sport]
    assert news not in subscriber.categories.all()


def test_signup_page_renders_in_bounded_queries(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        assert client.get("/newsletter/").status_code == 200


@pytest.mark.parametrize("stored", ["Ivan@Example.com", "IVAN@EXAMPLE.COM"])
@pytest.mark.parametrize("status", [Subscriber.Status.PENDING, Subscriber.Status.CONFIRMED])
def test_an_address_stored_in_another_case_is_the_same_subscriber(
    smtp, django_capture_on_commit_callbacks, stored, status
):
    """An address kept with capitals (typed in the admin, imported) and signed up again in
    small letters: the same subscriber, the same neutral answer — no 500, no duplicate."""
    existing = Subscriber.objects.create(email=stored, status=status)
    with django_capture_on_commit_callbacks(execute=True):
        response = signup(Client(), "ivan@example.com")
        new = signup(Client(), "nobody@example.com")
    assert response.status_code == 302 and response["Location"] == new["Location"]
    assert Subscriber.objects.filter(email__iexact="ivan@example.com").get() == existing
    existing.refresh_from_db()
    assert existing.status == status
    assert [m["To"] for m in smtp.messages if "ivan" in m["To"].lower()] == [stored]


@pytest.mark.parametrize(("days", "words"), [(1, "1 день"), (3, "3 дні"), (7, "7 днів")])
def test_the_days_a_link_is_valid_are_counted_in_ukrainian(
    client, smtp, settings, django_capture_on_commit_callbacks, days, words
):
    settings.NEWSLETTER_CONFIRM_MAX_AGE = days * 86400
    with django_capture_on_commit_callbacks(execute=True):
        response = signup(client, "counted@example.org")
    (message,) = smtp.messages
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert f"посилання дійсне {words}" in text and f"Посилання дійсне {words}" in html
    assert words in client.get(response["Location"]).content.decode()
    assert words in client.get("/newsletter/confirm/forged/").content.decode()
