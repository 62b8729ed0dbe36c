"""Fragments shared by every page — the navigation and the sidebar — come from
the cache on a page the page cache has not seen (issue #6)."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from polls.models import Vote
from tests.conftest import make_article, make_category
from tests.polls.factories import make_poll

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def tables_read(client, url) -> str:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return " ".join(query["sql"] for query in queries.captured_queries)


@pytest.mark.django_db
class TestSharedFragments:
    def test_a_first_view_reads_no_section_list_or_poll(self, category):
        make_poll()
        first, second = (make_article(category=category) for _ in range(2))
        reader = Client(HTTP_USER_AGENT=BROWSER)
        assert "polls_poll" in tables_read(reader, first.get_absolute_url())
        sql = tables_read(reader, second.get_absolute_url())
        assert "polls_poll" not in sql
        assert 'FROM "news_category"' not in sql

    def test_a_renamed_section_shows_in_the_navigation_at_once(self, category):
        article = make_article(category=category)
        reader = Client(HTTP_USER_AGENT=BROWSER)
        reader.get(article.get_absolute_url())
        category.name = "Транспорт і дороги"
        category.save()
        other = make_article(category=category)
        html = reader.get(other.get_absolute_url()).content.decode()
        # An article is in its section, not the section's page itself.
        assert 'aria-current="true">Транспорт і дороги</a>' in html

    def test_the_current_section_is_marked_on_each_sections_page(self, category):
        other_section = make_category(name="Освіта", slug="osvita")
        reader = Client(HTTP_USER_AGENT=BROWSER)
        reader.get(make_article(category=category).get_absolute_url())
        html = reader.get(make_article(category=other_section).get_absolute_url()).content.decode()
        assert 'aria-current="true">Освіта</a>' in html
        assert f'aria-current="true">{category.name}</a>' not in html
        section_page = reader.get(other_section.get_absolute_url()).content.decode()
        assert 'aria-current="page">Освіта</a>' in section_page

    def test_a_vote_from_a_cached_sidebar_passes_the_csrf_check_and_comes_back(self, category):
        poll = make_poll()
        first, second = (make_article(category=category) for _ in range(2))
        Client(HTTP_USER_AGENT=BROWSER).get(first.get_absolute_url())
        visitor = Client(HTTP_USER_AGENT=BROWSER, enforce_csrf_checks=True)
        html = visitor.get(second.get_absolute_url()).content.decode()
        assert f'name="next" value="{second.get_absolute_url()}"' in html
        response = visitor.post(
            f"/polls/{poll.pk}/vote/",
            {
                "choice": poll.choices.first().pk,
                "next": second.get_absolute_url(),
                "csrfmiddlewaretoken": TOKEN.search(html).group(1),
            },
        )
        assert response.status_code == 302
        assert response["Location"] == second.get_absolute_url()
        assert Vote.objects.filter(poll=poll).count() == 1

    def test_a_voter_sees_their_own_poll_not_the_shared_one(self, category):
        poll = make_poll(question="Чи потрібна нова зупинка?", answers=("Так", "Ні"))
        first, second = (make_article(category=category) for _ in range(2))
        Client(HTTP_USER_AGENT=BROWSER).get(first.get_absolute_url())
        voter = Client(HTTP_USER_AGENT=BROWSER)
        voter.post(f"/polls/{poll.pk}/vote/", {"choice": poll.choices.first().pk})
        voter.get(first.get_absolute_url())  # the thank-you message
        html = voter.get(second.get_absolute_url()).content.decode()
        assert 'name="choice"' not in html
        assert "Ви проголосували" in html
