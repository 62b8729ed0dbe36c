"""A resident subscribes from the sidebar, confirms from the mail, unsubscribes."""

import pytest
from playwright.sync_api import expect

from newsletter import services
from newsletter.models import Mailing, Subscriber
from tests.conftest import make_article
from tests.newsletter.conftest import smtp  # noqa: F401 — the real SMTP server fixture

pytestmark = pytest.mark.django_db(transaction=True)


def test_subscribe_confirm_and_unsubscribe(page, smtp, live_server):  # noqa: F811
    article = make_article(title="Новий графік автобусів")
    page.goto("/")
    sidebar = page.get_by_role("complementary")
    sidebar.get_by_label("Ваш e-mail").fill("Mariia@Example.org")
    sidebar.get_by_role("button", name="Підписатися").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Перевірте пошту")

    (letter,) = smtp.messages
    assert letter["To"] == "mariia@example.org"
    (confirm_path,) = smtp.links(letter, r"http://testserver(/newsletter/confirm/\S+/)")
    page.goto(confirm_path)
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING  # the link alone
    page.get_by_role("button", name="Підтвердити підписку").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Підписку підтверджено")
    assert Subscriber.objects.get().status == Subscriber.Status.CONFIRMED

    mailing = Mailing.objects.create(subject="Новини тижня")
    mailing.articles.set([article])
    services.mailing_queue(mailing=mailing)
    newsletter = smtp.messages[-1]
    assert newsletter["Subject"] == "Новини тижня"
    (unsubscribe_path,) = smtp.links(newsletter, r"http://testserver(/newsletter/unsubscribe/\S+/)")
    page.goto(unsubscribe_path)
    page.get_by_role("button", name="Так, відписатися").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ви відписалися")
    assert Subscriber.objects.get().status == Subscriber.Status.UNSUBSCRIBED


def test_an_invalid_address_gets_an_error_tied_to_the_field(new_page):
    page = new_page(java_script_enabled=False)
    page.goto("/")
    sidebar = page.get_by_role("complementary")
    sidebar.get_by_label("Ваш e-mail").fill(
        "mariia@kyiv"
    )  # the browser accepts it, the server does not
    sidebar.get_by_role("button", name="Підписатися").click()
    field = page.get_by_role("main").get_by_label("Ваш e-mail")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(
        "Введіть правильну адресу, наприклад name@example.com."
    )


def test_the_confirmation_button_works_without_javascript(new_page):
    subscriber = Subscriber.objects.create(email="olha@example.org")
    token = services.token_make(subscriber, services.CONFIRM)
    page = new_page(java_script_enabled=False)
    page.goto(f"/newsletter/confirm/{token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Підтвердьте підписку")
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.PENDING
    page.get_by_role("button", name="Підтвердити підписку").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Підписку підтверджено")
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED
