"""The view counter: one view per visitor per article per day, exact under load."""

import datetime
import threading

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone

from news.models import Article
from news.services import view_counts_flush
from tests.conftest import make_article

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36"


def views_of(article):
    """The article's views once the buffer is flushed (issue #6)."""
    view_counts_flush()
    return Article.objects.values_list("views", flat=True).get(pk=article.pk)


@pytest.mark.django_db
class TestViewCounter:
    def test_first_visit_counts_and_repeat_visit_does_not(self, article):
        client = Client(HTTP_USER_AGENT=BROWSER)
        url = article.get_absolute_url()
        client.get(url)
        client.get(url)
        client.get(url)
        assert views_of(article) == 1

    def test_the_page_shows_the_count(self, article):
        Article.objects.filter(pk=article.pk).update(views=260)
        html = Client(HTTP_USER_AGENT=BROWSER).get(article.get_absolute_url()).content.decode()
        assert "Переглядів: </span>261" in html  # this visit included

    def test_each_visitor_counts_once(self, article):
        for _ in range(3):
            Client(HTTP_USER_AGENT=BROWSER).get(article.get_absolute_url())
        assert views_of(article) == 3

    def test_the_same_visitor_counts_again_the_next_day(self, article):
        client = Client(HTTP_USER_AGENT=BROWSER)
        client.get(article.get_absolute_url())
        with time_machine.travel(timezone.now() + datetime.timedelta(days=1)):
            client.get(article.get_absolute_url())
        assert views_of(article) == 2

    def test_visits_to_different_articles_count_separately(self, article):
        other = make_article(category=article.category)
        client = Client(HTTP_USER_AGENT=BROWSER)
        client.get(article.get_absolute_url())
        client.get(other.get_absolute_url())
        client.get(article.get_absolute_url())
        assert (views_of(article), views_of(other)) == (1, 1)

    @pytest.mark.parametrize(
        "user_agent",
        [
            "Googlebot/2.1 (+http://www.google.com/bot.html)",
            "Mozilla/5.0 (compatible; bingbot/2.0)",
            "curl/8.5.0",
            "python-requests/2.32",
            "",
        ],
    )
    def test_bots_are_not_counted(self, article, user_agent):
        Client(HTTP_USER_AGENT=user_agent).get(article.get_absolute_url())
        assert views_of(article) == 0

    def test_head_requests_are_not_counted(self, article):
        response = Client(HTTP_USER_AGENT=BROWSER).head(article.get_absolute_url())
        assert response.status_code == 200
        assert views_of(article) == 0

    def test_staff_previews_are_not_counted(self, article, staff_user):
        client = Client(HTTP_USER_AGENT=BROWSER)
        client.force_login(staff_user)
        client.get(article.get_absolute_url())
        assert views_of(article) == 0

    def test_a_forged_cookie_is_ignored_not_an_error(self, article):
        client = Client(HTTP_USER_AGENT=BROWSER)
        client.cookies["hv"] = "2026-01-01:1,2,3:forged-signature"
        assert client.get(article.get_absolute_url()).status_code == 200
        assert views_of(article) == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_visitors_are_counted_exactly(category):
    """50 visitors open the article at the same moment: exactly 50 more views.

    Each view is one INSERT into the buffer (or HINCRBY in Redis) and the flush
    adds them with UPDATE … SET views = views + n, so no visit is lost
    to a read-modify-write race (on PostgreSQL in CI; SQLite serialises writers).
    """
    visitors = 50 if connection.vendor == "postgresql" else 20
    article = make_article(category=category)
    url = article.get_absolute_url()
    barrier = threading.Barrier(visitors)
    statuses = []

    def visit():
        from django.db import connections

        try:
            client = Client(HTTP_USER_AGENT=BROWSER)
            barrier.wait(timeout=30)
            statuses.append(client.get(url).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=visit) for _ in range(visitors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [200] * visitors
    assert views_of(article) == visitors
