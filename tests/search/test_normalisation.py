"""One normalisation of indexed text and queries (the same on SQLite and PostgreSQL:
the lemmas are made in Python)."""

import zoneinfo

import pytest
from django.urls import reverse
from django.utils.html import escape

from search.lemmatizer import normalise, query_groups
from search.selectors import search_entries
from tests.conftest import make_article
from tests.documents.test_documents import docx_bytes, make_document

KYIV = zoneinfo.ZoneInfo("Europe/Kyiv")


def titles(text, **kwargs):
    return [entry.title for entry in search_entries(text, **kwargs).results]


@pytest.mark.django_db
class TestNormalisation:
    """The same normalisation of indexed text and queries, whichever the backend."""

    def test_a_stress_mark_in_the_query_or_the_text_is_ignored(self):
        make_article(title="Центр міста", body="<p>x</p>")
        make_article(title="Заво\u0301д відкрився", body="<p>x</p>")
        assert titles("мі\u0301ста") == ["Центр міста"]
        assert titles("міста\u0301") == ["Центр міста"]
        assert titles("завод") == ["Заво\u0301д відкрився"]

    def test_a_decomposed_letter_is_the_composed_one(self):
        make_article(title="Новий гаїв у Києві", body="<p>x</p>")
        assert titles("Ки\u0457в") == titles("Киі\u0308в") == ["Новий гаїв у Києві"]

    # Latin K; Latin ï; lower-case Latin k; Latin K and i with a Cyrillic ї.
    @pytest.mark.parametrize("query", ["Kиїв", "Киïв", "kиїв", "Kиïв"])
    def test_latin_look_alikes_in_a_cyrillic_query(self, query):
        make_article(title="Київ і громада", body="<p>x</p>")
        assert titles(query) == ["Київ і громада"]

    @pytest.mark.parametrize("word", ["школа", "шкoла", "шкoлa", "шкoлa".upper(), "ШKOЛA"])
    def test_latin_look_alikes_in_the_text_and_the_query(self, word):
        make_article(title="Нова шкoлa", body="<p>Вулиця Cадова, будинок 3</p>")  # Latin o, a, C
        assert titles(word) == ["Нова шкoлa"]
        assert titles("садова") == ["Нова шкoлa"]

    def test_latin_words_stay_latin(self):
        assert normalise("iPhone COVID-19 Wi-Fi") == "iphone covid-19 wi-fi"
        assert normalise("Kиїв") == "київ"
        assert normalise("CAT сAT") == "cat сат"

    @pytest.mark.parametrize("typed", ["м’ясо", "м'ясо", "мʼясо", "м`ясо", "м‘ясо"])
    @pytest.mark.parametrize("written", ["м’ясо", "м'ясо", "мʼясо"])
    def test_apostrophe_variants_find_each_other(self, client, typed, written):
        make_article(title=f"Ціни на {written}", body="<p>x</p>")
        assert titles(typed) == [f"Ціни на {written}"]
        page = client.get(reverse("search:results"), {"q": typed}).content.decode()
        assert f"<mark>{escape(written)}</mark>" in page

    def test_queries_and_text_share_one_normal_form(self):
        assert query_groups("Kиї\u0301в") == query_groups("Київ")


@pytest.mark.django_db
def test_the_document_page_reached_from_a_search_highlights_the_same_words(client):
    document, _ = make_document(docx_bytes("Ремонт мостів у Києві та м’ясний ринок"))
    page = client.get(document.get_absolute_url(), {"q": "Kиє\u0301ві мʼясний"}).content.decode()
    assert "<mark>Києві</mark>" in page and "<mark>м’ясний</mark>" in page
