"""Issue #7: stored XSS. Markup typed into titles, leads, category names, poll
questions and answers is shown as text everywhere it appears: pages, feeds,
e-mails, JSON-LD and the admin."""

import json
import re

import pytest
from django.urls import reverse

from newsletter import services as newsletter_services
from newsletter.models import Mailing, Subscriber
from tests.conftest import make_article, make_category
from tests.polls.factories import make_poll

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
RAW = [SCRIPT, "<img src=x", "<script>alert"]


def assert_inert(content: str, where: str):
    for raw in RAW:
        assert raw not in content, f"{raw!r} reached {where} unescaped"


@pytest.fixture
def hostile(db):
    category = make_category(name=f"Розділ {SCRIPT}", description=f"Опис {IMG}")
    article = make_article(
        category=category,
        title=f"Заголовок {SCRIPT}{IMG}",
        lead=f"Анонс {IMG}{SCRIPT}",
        body=f"<p>Текст</p>{SCRIPT}<p><img src=x onerror=alert(1)></p>",
        picture_alt=IMG,
    )
    poll = make_poll(question=f"Питання {SCRIPT}", answers=(f"Так {IMG}", "Ні"))
    closed = make_poll(question=f"Старе {IMG}", answers=(SCRIPT, "Ні"), opens_in=-9, closes_in=-1)
    return {"category": category, "article": article, "poll": poll, "closed": closed}


def test_public_pages_escape_stored_markup(client, hostile):
    article = hostile["article"]
    pages = [
        "/",
        reverse("news:article_list"),
        hostile["category"].get_absolute_url(),
        article.get_absolute_url(),
        "/en" + article.get_absolute_url(),
        reverse("polls:detail", kwargs={"pk": hostile["poll"].pk}),
        reverse("polls:archive"),
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        content = response.content.decode()
        assert_inert(content, path)
    detail = client.get(article.get_absolute_url()).content.decode()
    assert "Заголовок &lt;script&gt;alert(1)&lt;/script&gt;" in detail, "shown, as text"
    sidebar = client.get("/").content.decode()
    assert "Питання &lt;script&gt;" in sidebar


def test_json_ld_carries_the_text_without_closing_its_script_element(client, hostile):
    article = hostile["article"]
    content = client.get(article.get_absolute_url()).content.decode()
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', content, re.S)
    assert len(blocks) == 1
    assert "<" not in blocks[0] and ">" not in blocks[0]
    data = json.loads(blocks[0])
    assert data["headline"] == article.title
    assert data["articleSection"] == hostile["category"].name


def test_feeds_escape_stored_markup(client, hostile):
    for path in ("/feeds/news/", f"/feeds/news/{hostile['category'].slug}/"):
        response = client.get(path)
        assert response.status_code == 200
        content = response.content.decode()
        assert_inert(content, path)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


def test_admin_escapes_stored_markup(client, hostile, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("chief", password="x" * 14))
    article, poll = hostile["article"], hostile["poll"]
    pages = [
        reverse("admin:news_article_changelist"),
        reverse("admin:news_article_change", args=[article.pk]),
        reverse("admin:news_category_changelist"),
        reverse("admin:polls_poll_changelist"),
        reverse("admin:polls_poll_change", args=[poll.pk]),
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        content = response.content.decode()
        # The change form shows the article body inside a <textarea>, escaped.
        assert_inert(content, path)


def test_newsletter_html_mail_escapes_stored_markup(hostile):
    subscriber = Subscriber.objects.create(
        email="reader@example.org", status=Subscriber.Status.CONFIRMED
    )
    mailing = Mailing.objects.create(subject=f"Тема {SCRIPT}", intro=f"Вступ {IMG}")
    mailing.articles.set([hostile["article"]])
    message = newsletter_services.mailing_message(mailing, subscriber)
    html = message.alternatives[0].content
    assert_inert(html, "the HTML mail")
    assert "Заголовок &lt;script&gt;" in html
    # The plain-text part is text: the title appears as typed, which is harmless.
    assert hostile["article"].title in message.body
