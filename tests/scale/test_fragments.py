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


def templates_rendered(client, url) -> tuple[str, list[str]]:
    """The page at url, and the names of the templates rendered for it."""
    from django.test.signals import template_rendered

    names = []

    def rendered(sender, template, **kwargs):
        names.append(template.name)

    template_rendered.connect(rendered)
    try:
        html = client.get(url).content.decode()
    finally:
        template_rendered.disconnect(rendered)
    return html, names


@pytest.mark.django_db
class TestSharedLayout:
    """{% shared_layout %} in base.html: what lies between the page's blocks is rendered
    once for the pages that share it, and each page renders only its blocks."""

    def test_articles_of_a_section_keep_their_own_blocks_in_the_shared_layout(self, category):
        first = make_article(category=category, title="Відкрито новий міст", body="<p>Міст.</p>")
        second = make_article(category=category, title="Ремонт школи", body="<p>Школа.</p>")
        reader = Client(HTTP_USER_AGENT=BROWSER)
        reader.get(first.get_absolute_url())
        html, templates = templates_rendered(reader, second.get_absolute_url())
        assert "<title>Ремонт школи — " in html
        assert f'<link rel="canonical" href="http://testserver{second.get_absolute_url()}">' in (
            html.replace("http://127.0.0.1:8000", "http://testserver")
        )
        assert "<p>Школа.</p>" in html and "<p>Міст.</p>" not in html
        assert "Відкрито новий міст" in html  # in the section's latest news, not the title
        assert "<title>Відкрито" not in html
        # The layout's partials came with the layout, not rendered again.
        assert not {"includes/header.html", "includes/footer.html"} & set(templates)
        assert html.count("<html") == 1 and html.rstrip().endswith("</html>")

    def test_a_message_is_shown_on_a_page_whose_layout_is_shared(self, category):
        poll = make_poll()
        first, second = (make_article(category=category) for _ in range(2))
        Client(HTTP_USER_AGENT=BROWSER).get(first.get_absolute_url())
        voter = Client(HTTP_USER_AGENT=BROWSER)
        voter.post(
            f"/polls/{poll.pk}/vote/",
            {"choice": poll.choices.first().pk, "next": first.get_absolute_url()},
        )
        thanks = "Дякуємо, ваш голос враховано."
        assert thanks in voter.get(first.get_absolute_url()).content.decode()
        # Shown once: the next page is the shared layout again, with no message.
        assert thanks not in voter.get(second.get_absolute_url()).content.decode()

    def test_each_language_has_its_own_layout(self, category):
        first, second = (make_article(category=category) for _ in range(2))
        # Worked out first: a request leaves its language active in the test's thread.
        first_url, second_url = first.get_absolute_url(), second.get_absolute_url()
        reader = Client(HTTP_USER_AGENT=BROWSER)
        reader.get(first_url)
        english = reader.get(f"/en{second_url}").content.decode()
        ukrainian = reader.get(second_url).content.decode()
        assert '<html lang="en">' in english and "Skip to content" in english
        assert '<html lang="uk">' in ukrainian and "Skip to content" not in ukrainian

    def test_a_page_without_a_request_renders_whole(self):
        """A template rendered outside a request (a letter, a test) has no shared parts."""
        from django.template import engines

        html = (
            engines["django"]
            .from_string(
                "{% load portal_tags %}{% shared_layout 'x' %}<b>{% block a %}A{% endblock %}"
                "</b>{% endshared_layout %}"
            )
            .render({})
        )
        assert html == "<b>A</b>"

    def test_a_block_inside_another_tag_of_the_layout_is_refused(self):
        """It would be kept in the shared part: one page's block on every page."""
        from django.template import TemplateSyntaxError, engines

        with pytest.raises(TemplateSyntaxError, match="block sidebar"):
            engines["django"].from_string(
                "{% load portal_tags %}{% shared_layout 'x' %}{% if a %}"
                "{% block sidebar %}S{% endblock %}{% endif %}{% endshared_layout %}"
            )

    def test_a_block_inside_a_block_of_the_layout_stays_the_pages_own(self):
        from django.template import engines

        layout = engines["django"].from_string(
            "{% load portal_tags %}{% shared_layout 'x' %}<b>{% block a %}"
            "{% block inner %}I{% endblock %}{% endblock %}</b>{% endshared_layout %}"
        )
        assert layout.render({}) == "<b>I</b>"
