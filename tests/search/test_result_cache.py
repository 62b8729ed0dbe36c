"""The ranked ids and the total of a search page are cached under the content
generation: the second resident searching a common word does not rank again."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from news.models import Article
from tests.conftest import make_article


def search(client, q, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("search:results"), {"q": q, **params})
    assert response.status_code == 200
    ranking = [
        query["sql"]
        for query in queries.captured_queries
        if "MATCH" in query["sql"] or "to_tsquery" in query["sql"]
    ]
    return response, ranking


@pytest.mark.django_db
class TestSearchResultCache:
    def test_the_same_words_typed_again_reuse_the_ranked_page(self, client, category):
        make_article(category=category, title="Графік подачі води на Заріччі")
        first, ranked = search(client, "вода")
        assert ranked
        second, ranked_again = search(client, "  ВОДА ")
        assert ranked_again == []
        assert second.context["page_obj"].paginator.count == 1
        assert "Графік подачі" in second.content.decode()

    def test_a_new_article_is_found_at_once(self, client, category):
        make_article(category=category, title="Вода у Заріччі з понеділка")
        search(client, "вода")
        make_article(category=category, title="Вода у Слобідці з вівторка")
        response, ranked = search(client, "вода")
        assert ranked  # ranked again: the content changed
        assert response.context["page_obj"].paginator.count == 2

    def test_an_unpublished_article_disappears_at_once(self, client, category):
        article = make_article(category=category, title="Вода у Заріччі з понеділка")
        search(client, "вода")
        article.status = Article.Status.DRAFT
        article.save()
        response, _ = search(client, "вода")
        assert response.context["page_obj"].paginator.count == 0
        assert "Заріччі" not in response.content.decode()

    def test_filters_and_pages_are_kept_apart(self, client, category):
        for number in range(12):
            make_article(category=category, title=f"Вода: графік № {number}")
        first, _ = search(client, "вода")
        second, _ = search(client, "вода", page=2)
        documents, _ = search(client, "вода", kind="document")
        assert len(first.context["results"]) == 10
        assert len(second.context["results"]) == 2
        assert documents.context["page_obj"].paginator.count == 0

    @pytest.mark.parametrize(
        ("first_value", "second_value", "shown"),
        [
            ("abc", "1", 1),  # not a number: the first page, whatever the junk
            ("abc", "xyz", 1),
            ("0", "-7", 2),  # below 1: the last page
            ("5000000", "99999999999", 2),  # past any real page: the last page
        ],
    )
    def test_junk_page_values_share_the_ranking_of_the_page_they_show(
        self, client, category, first_value, second_value, shown
    ):
        for number in range(12):
            make_article(category=category, title=f"Вода: графік № {number}")
        first, ranked = search(client, "вода", page=first_value)
        assert ranked
        second, ranked_again = search(client, "вода", page=second_value)
        assert ranked_again == []  # no ranking kept per junk value
        assert first.context["page_obj"].number == second.context["page_obj"].number == shown
        assert len(second.context["results"]) == (10 if shown == 1 else 2)
