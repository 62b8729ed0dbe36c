"""The site and documents search under a filter they cannot apply: the filter's own
message by its field, the words kept in the box, never "type one or more words" (the
words were fine) and never a server error."""

import re
from datetime import date

import pytest
from django.urls import reverse

from tests.conftest import make_article
from tests.documents.test_documents import make_document, pdf_bytes

NOT_MADE = "Пошук не виконано: виправте позначені вище фільтри."
TYPE_WORDS = "Введіть одне або кілька слів"


def field_error(html, name):
    """The error text of a field, found through the field's aria-describedby."""
    field = re.search(rf'<(?:input|select)[^>]*name="{name}"[^>]*>', html).group()
    assert 'aria-invalid="true"' in field, field
    described_by = re.search(r'aria-describedby="([^"]+)"', field).group(1)
    error = re.search(rf'<ul class="errorlist" id="{described_by}">(.*?)</ul>', html, re.S)
    assert error, described_by
    return re.sub(r"<[^>]+>", "", error.group(1))


@pytest.fixture
def park(db):
    make_article(title="Парк відкрили")
    make_document(pdf_bytes("Рішення про парк"), title="Про парк", adopted_on=date(2024, 3, 5))


@pytest.mark.usefixtures("park")
class TestSiteSearch:
    @pytest.mark.parametrize(
        "params,name,message",
        [
            ({"date_from": "2026-13-45"}, "date_from", "Введіть дату, яка існує"),
            ({"date_to": "99999999999999999999"}, "date_to", "Введіть дату, яка існує"),
            ({"kind": "nonexistent"}, "kind", "Виберіть зі списку, де шукати."),
            ({"sort": "bogus"}, "sort", "Виберіть порядок зі списку."),
        ],
    )
    def test_an_invalid_filter_gets_its_message_and_keeps_the_words(
        self, client, params, name, message
    ):
        response = client.get(reverse("search:results"), {"q": "парк", **params})
        assert response.status_code == 200
        html = response.content.decode()
        assert message in field_error(html, name)
        assert NOT_MADE in html
        assert TYPE_WORDS not in html
        assert "немає серед варіантів" not in html and "bogus" not in field_error(html, name)
        # The words stay in the search box of the page and of the header.
        assert re.search(r'<input[^>]*name="q"[^>]*value="парк"', html)
        assert 'id="site-search-q" type="search" name="q" maxlength="200" value="парк"' in html

    def test_a_period_that_ends_before_it_starts_is_refused(self, client):
        response = client.get(
            reverse("search:results"),
            {"q": "парк", "date_from": "2024-05-01", "date_to": "2024-01-01"},
        )
        html = response.content.decode()
        assert field_error(html, "date_to") == "Кінець періоду раніше за його початок."
        assert NOT_MADE in html and "Нічого не знайдено" not in html
        assert list(response.context.get("results") or []) == []

    def test_a_period_of_one_day_is_fine(self, client):
        response = client.get(
            reverse("search:results"),
            {"q": "парк", "date_from": "2024-03-05", "date_to": "2024-03-05"},
        )
        assert [e.title for e in response.context["results"]] == ["Про парк"]
        assert "errorlist" not in response.content.decode()

    def test_no_words_and_valid_filters_still_ask_for_words(self, client):
        html = client.get(reverse("search:results"), {"kind": "news"}).content.decode()
        assert TYPE_WORDS in html and NOT_MADE not in html


@pytest.mark.usefixtures("park")
class TestDocumentSearch:
    @pytest.mark.parametrize(
        "params,name,message",
        [
            ({"kind": "nonexistent"}, "kind", "Такого виду документів у реєстрі немає."),
            ({"year": "abc"}, "year", "Виберіть рік зі списку."),
            ({"year": "99999999999999999999"}, "year", "Виберіть рік зі списку."),
            ({"issuer": "999999"}, "issuer", "Такого органу в реєстрі немає."),
            ({"issuer": "99999999999999999999"}, "issuer", "Такого органу в реєстрі немає."),
        ],
    )
    def test_an_invalid_filter_gets_its_message_and_keeps_the_words(
        self, client, params, name, message
    ):
        response = client.get(reverse("search:documents"), {"q": "парк", **params})
        assert response.status_code == 200
        html = response.content.decode()
        assert field_error(html, name) == message
        assert NOT_MADE in html and TYPE_WORDS not in html
        assert 'id="doc-search-q" type="search" name="q" maxlength="200" value="парк"' in html


@pytest.mark.parametrize("name", ["search:results", "search:documents"])
@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"},
        {"page": "99999999999999999999"},
        {"q": "парк", "kind": "x" * 20000, "page": "abc"},
        {"q": "парк" * 5000, "date_from": "9" * 5000, "year": "-1", "issuer": "1e9"},
        {"q": "парк", "sort": "", "kind": "", "date_from": "", "year": ""},
    ],
)
def test_junk_is_never_a_server_error(client, park, name, params):
    assert client.get(reverse(name), params).status_code == 200
