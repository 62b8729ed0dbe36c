"""Place names typed as on road signs: the official transliteration (KMU resolution
No. 55 of 2010) read back into Ukrainian, with the index's vocabulary choosing the
spelling. Runs on the database in use (FTS5 on SQLite, tsvector on PostgreSQL)."""

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from search.lemmatizer import query_groups
from search.selectors import search_entries, ukrainian_readings
from search.transliteration import MAX_SPELLINGS, spellings
from tests.conftest import make_article

SHOWN_FOR = "Показано результати для"

# (title, a Latin query as a resident types it, what the page says it searched for):
# the titles have the names in inflected forms the query never spells.
PLACES = [
    ("Новий маршрут до Києва", "kyiv", "київ"),
    ("Виставка квітів у Львові", "lviv", "львів"),
    ("Гості з Харкова на святі", "kharkiv", "харків"),
    ("Делегація із Запоріжжя", "zaporizhzhia", "запоріжжя"),
    ("Ярмарок у Білій Церкві", "bila tserkva", "біла церква"),
    ("Автобус до Миколаєва", "mykolaiv", "миколаїв"),
    ("Фестиваль у Тернополі", "ternopil", "тернопіль"),
    ("Потяг на Хмельницький", "khmelnytskyi", "хмельницький"),
    ("Школа у Вінниці", "vinnytsia", "вінниця"),
    ("Сесія в Одесі", "odesa", "одеса"),
    ("Ремонт дороги до Яготина", "Yahotyn", "яготин"),
    ("Озеро у Згоранах", "zghorany", "згорани"),
    ("Вулиця Щорса перейменована", "shchors", "щорс"),
]


@pytest.fixture
def places():
    for title, _, _ in PLACES:
        make_article(title=title, lead="", body="<p>Новини громади.</p>")


@pytest.mark.django_db
class TestTransliteratedSearch:
    @pytest.mark.parametrize("title,query,shown_for", PLACES, ids=[q for _, q, _ in PLACES])
    def test_a_place_name_as_on_road_signs_finds_the_article(
        self, client, places, title, query, shown_for
    ):
        response = client.get(reverse("search:results"), {"q": query})
        page = response.content.decode()
        assert [entry.title for entry in response.context["results"]] == [title]
        assert title in strip_tags(page)  # the title, its place name highlighted
        assert "<mark>" in page
        assert f"{SHOWN_FOR} «{shown_for}»" in page

    @pytest.mark.parametrize("query", ["online", "Wi-Fi"])
    def test_a_latin_word_in_the_index_is_found_as_typed(self, client, query):
        make_article(title="Безкоштовний Wi-Fi у парку", body="<p>Реєстрація online.</p>")
        make_article(title="Новий маршрут до Києва", lead="", body="<p>x</p>")
        response = client.get(reverse("search:results"), {"q": query})
        assert [e.title for e in response.context["results"]] == ["Безкоштовний Wi-Fi у парку"]
        assert SHOWN_FOR not in response.content.decode()

    def test_a_known_latin_word_stays_as_typed_next_to_a_transliterated_one(self, client):
        make_article(title="Трансляція online з Києва", lead="", body="<p>x</p>")
        make_article(title="Реєстрація online", lead="", body="<p>x</p>")
        response = client.get(reverse("search:results"), {"q": "kyiv online"})
        assert [e.title for e in response.context["results"]] == ["Трансляція online з Києва"]
        assert f"{SHOWN_FOR} «київ online»" in response.content.decode()

    def test_the_wrong_layout_is_still_recognised(self, client, places):
        response = client.get(reverse("search:results"), {"q": "Kmdsd"})  # "Львів"
        assert [e.title for e in response.context["results"]] == ["Виставка квітів у Львові"]
        assert f"{SHOWN_FOR} «львів»" in response.content.decode()

    def test_a_latin_query_that_is_nothing_finds_nothing_without_searching_again(
        self, places, django_assert_max_num_queries
    ):
        # The query's own search (on SQLite with its CREATE ... IF NOT EXISTS) and the
        # vocabulary look-up: no reading could find anything, so none is searched for.
        with django_assert_max_num_queries(3):
            outcome = search_entries("qzxwvq brrtt")
        assert not outcome.results.exists()
        assert outcome.shown_for == ""

    def test_the_readings_cost_one_query_however_many_words(
        self, places, django_assert_num_queries
    ):
        text = " ".join(query for _, query, _ in PLACES)
        with django_assert_num_queries(1):
            ukrainian_readings(text)

    def test_a_long_transliterated_query_renders_in_bounded_queries(
        self, client, places, django_assert_max_num_queries
    ):
        """Twelve words of up to sixteen spellings each: one vocabulary look-up and at
        most two more searches, not one search per spelling."""
        words = "khmelnytskyi zaporizhzhia ternopil mykolaiv vinnytsia lviv kyiv"
        query = f"{words} kharkiv odesa yahotyn zghorany shchors"
        with django_assert_max_num_queries(10):
            response = client.get(reverse("search:results"), {"q": query})
        assert response.status_code == 200


class TestSpellings:
    @pytest.mark.parametrize(
        "latin,ukrainian",
        [
            ("kyiv", "київ"),
            ("lviv", "львів"),
            ("ternopil", "тернопіль"),
            ("khmelnytskyi", "хмельницький"),
            ("zaporizhzhia", "запоріжжя"),
            ("mykolaiv", "миколаїв"),
            ("yahotyn", "яготин"),
            ("zghorany", "згорани"),
            ("pokrovsk", "покровськ"),
            ("sotsialnyi", "соціальний"),
            ("mariia", "марія"),
        ],
    )
    def test_the_right_spelling_is_among_the_first(self, latin, ukrainian):
        assert ukrainian in spellings(latin)

    def test_the_official_reading_comes_first(self):
        assert spellings("kyiv")[0] == "київ"
        assert spellings("zaporizhzhia")[0] == "запоріжжя"
        assert spellings("bila")[0] == "біла"

    @pytest.mark.parametrize("word", ["a", "iiiiiiiiii", "tststststs" * 5, "y" * 60, "l" * 500])
    def test_a_word_has_a_bounded_number_of_spellings(self, word):
        found = spellings(word)
        assert 1 <= len(found) <= MAX_SPELLINGS
        assert len(set(found)) == len(found)

    def test_spellings_are_lemmatised_as_queries_are(self):
        assert query_groups("у Львові") == query_groups("львові")
