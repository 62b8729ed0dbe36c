"""RSS feeds, the sitemap and robots.txt."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from news.models import Article
from tests.conftest import make_article, make_category

pytestmark = pytest.mark.django_db


def rss_titles(response):
    root = ET.fromstring(response.content)
    return [item.findtext("title") for item in root.iter("item")]


def test_news_feed_lists_published_articles(client, category):
    make_article(category=category, title="Опублікована новина")
    make_article(category=category, title="Чернетка", status=Article.Status.DRAFT)
    make_article(
        category=category,
        title="Майбутня",
        published_at=timezone.now() + datetime.timedelta(days=1),
    )
    response = client.get("/feeds/news/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    assert rss_titles(response) == ["Опублікована новина"]


def test_category_feed_lists_only_its_section(client, category):
    make_article(category=category, title="Своя")
    make_article(category=make_category(), title="Чужа")
    response = client.get(f"/feeds/news/{category.slug}/")
    assert rss_titles(response) == ["Своя"]
    assert client.get("/feeds/news/nemaie/").status_code == 404


def test_feed_escapes_markup_in_titles(client, category):
    make_article(category=category, title="<b>Жирна</b> & новина")
    response = client.get("/feeds/news/")
    assert rss_titles(response) == ["<b>Жирна</b> & новина"]
    assert b"<b>" not in response.content


def test_sitemap_lists_sections_and_published_articles(client, category):
    published = make_article(category=category)
    draft = make_article(category=category, status=Article.Status.DRAFT)
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    assert b"sitemap-news.xml" in index.content
    news = client.get("/sitemap-news.xml").content.decode()
    assert published.get_absolute_url() in news
    assert draft.get_absolute_url() not in news
    assert category.get_absolute_url() in client.get("/sitemap-categories.xml").content.decode()


def test_robots_txt_points_to_the_sitemap_and_keeps_robots_off_private_pages(client):
    response = client.get("/robots.txt")
    body = response.content.decode()
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "Sitemap: http://testserver/sitemap.xml" in body
    for private in ("/newsletter/", "/en/newsletter/", "/search/", "/en/search/"):
        assert f"Disallow: {private}\n" in body
    # The admin keeps robots away by its own pages, and its address out of robots.txt.
    assert "admin" not in body
    assert 'name="robots" content="NONE,NOARCHIVE"' in client.get("/admin/login/").content.decode()
