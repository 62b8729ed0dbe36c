"""Site and document search: morphology, ranking, highlight, filters, sync (issue #3)."""

import importlib
import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from news.models import Article
from search.lemmatizer import lemmas
from search.models import IndexEntry, SearchTerm
from search.selectors import search_entries
from tests.conftest import make_article as _make_article
from tests.documents.test_documents import docx_bytes, make_document, pdf_bytes


@pytest.fixture(name="make_article")
def make_article_fixture():
    return _make_article


PAIRS = [
    ("угоду", "угода"),
    ("угоди", "угода"),
    ("міста", "місто"),
    ("мости", "міст"),
    ("школи", "школа"),
    ("дорогу", "дорога"),
    ("ремонтом", "ремонт"),
    ("депутатів", "депутат"),
    ("рішенням", "рішення"),
    ("бюджету", "бюджет"),
    ("парками", "парк"),
    ("водопостачання", "водопостачання"),
    ("лікарні", "лікарня"),
    ("вулицях", "вулиця"),
    ("громадою", "громада"),
    ("мʼясо", "м'ясо"),
    ("сесії", "сесія"),
]


def titles(text, **kwargs):
    return [entry.title for entry in search_entries(text, **kwargs).results]


@pytest.mark.django_db
class TestBackendContract:
    """Runs against the backend of the database in use (FTS5 on SQLite, tsvector on PG)."""

    @pytest.mark.parametrize("form,other", PAIRS)
    def test_word_forms_find_each_other(self, make_article, form, other):
        make_article(title=f"Новина про {other}", lead="", body="<p>текст</p>")
        assert titles(form) == [f"Новина про {other}"]

    def test_mist_finds_misto(self, make_article):
        make_article(title="Нове місто", body="<p>x</p>")
        assert titles("міст") == ["Нове місто"]

    def test_title_match_ranks_above_body_match(self, make_article):
        make_article(title="Звичайна подія", body="<p>Ремонт дороги на околиці триває.</p>")
        make_article(title="Ремонт дороги", body="<p>Роботи почалися.</p>")
        assert titles("ремонт") == ["Ремонт дороги", "Звичайна подія"]

    def test_drafts_and_future_articles_hidden_until_time(self, make_article):
        make_article(title="Чернетка бюджету", status=Article.Status.DRAFT)
        future = make_article(
            title="Майбутній бюджет", published_at=timezone.now() + timedelta(hours=1)
        )
        assert titles("бюджет") == []
        later = timezone.now() + timedelta(hours=2)
        assert [e.object_id for e in IndexEntry.objects.visible(now=later)] == [future.pk]

    def test_sync_on_edit_unpublish_delete(self, make_article):
        article = make_article(title="Фестиваль квітів")
        assert titles("квіти") == ["Фестиваль квітів"]
        article.title = "Ярмарок меду"
        article.save()
        assert titles("квіти") == [] and titles("мед") == ["Ярмарок меду"]
        article.status = Article.Status.DRAFT
        article.save()
        assert titles("мед") == []
        article.delete()
        assert not IndexEntry.objects.exists()

    def test_documents_indexed_with_text_and_hidden_when_unpublished(self):
        document, _ = make_document(docx_bytes("Положення про охорону зелених насаджень"))
        assert titles("насадження") == [document.title]
        document.is_published = False
        document.save()
        assert titles("насадження") == []

    @pytest.mark.parametrize(
        "text",
        ['"', "*", "AND OR NEAR", "(ремонт", 'ремонт" OR "x', "NEAR(a b)", "ремонт*", "я" * 10000],
    )
    def test_fts_syntax_is_harmless(self, make_article, text):
        make_article(title="Ремонт")
        search_entries(text).results.count()


@pytest.mark.django_db
class TestViews:
    def test_results_page_counts_highlights_and_marks_kind(self, client, make_article):
        make_article(title="Угода про співпрацю", body="<p>Підписали угоду з <b>містом</b>.</p>")
        response = client.get(reverse("search:results"), {"q": "угоди"})
        html = response.content.decode()
        assert "Знайдено 1 результат" in html
        assert "<mark>угоду</mark>" in html and "<mark>Угода</mark>" in html
        assert response.context["search_scope"] == "site"

    def test_html_in_text_is_escaped(self, client):
        make_document(pdf_bytes("Рішення <script>alert(1)</script> про парк"))
        html = client.get(reverse("search:results"), {"q": "парк"}).content.decode()
        assert "<script>alert" not in html

    @pytest.mark.parametrize("q", ["", "   ", "і та й", "!!! ???"])
    def test_empty_queries_get_a_message(self, client, q):
        response = client.get(reverse("search:results"), {"q": q})
        assert response.status_code == 200
        assert "Введіть одне або кілька слів" in response.content.decode()

    def test_kind_and_date_filters(self, client, make_article):
        make_article(title="Парк відкрили")
        make_document(pdf_bytes("Рішення про парк"), title="Про парк", adopted_on=date(2020, 1, 1))
        response = client.get(reverse("search:results"), {"q": "парк", "kind": "document"})
        assert [e.title for e in response.context["results"]] == ["Про парк"]
        response = client.get(reverse("search:results"), {"q": "парк", "date_to": "2021-01-01"})
        assert [e.title for e in response.context["results"]] == ["Про парк"]

    def test_document_number_first(self, client):
        make_document(pdf_bytes("Про парк 125-р згадано"), title="Парк і сквер", number="7")
        make_document(pdf_bytes("Інше"), title="Про тариф", number="125-р")
        response = client.get(reverse("search:documents"), {"q": "125-р"})
        assert [e.number for e in response.context["results"]][0] == "125-р"
        assert response.context["search_scope"] == "documents"

    def test_layout_and_translit_are_recognised(self, client, make_article):
        make_article(title="Покровськ отримав нові автобуси")
        for q in ["Gjrhjdcmr", "Pokrovsk"]:
            response = client.get(reverse("search:results"), {"q": q})
            assert len(response.context["results"]) == 1, q
            assert "Показано результати для" in response.content.decode()

    def test_bounded_queries(self, client, make_article, django_assert_max_num_queries):
        for n in range(15):
            make_article(title=f"Ремонт номер {n}")
        with django_assert_max_num_queries(8):
            response = client.get(reverse("search:results"), {"q": "ремонт"})
        assert response.status_code == 200

    @given(text=st.text(max_size=300))
    @hsettings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    def test_arbitrary_text_never_fails(self, client, text):
        for name in ("search:results", "search:documents"):
            assert client.get(reverse(name), {"q": text.replace("\x00", "")}).status_code == 200


def test_lemma_cache_and_apostrophes():
    assert set(lemmas("угоду")) & set(lemmas("угоди"))
    assert connection.vendor in ("sqlite", "postgresql")


@pytest.mark.django_db
class TestVocabulary:
    """The words a misspelt query is corrected to: the same table on both databases."""

    def test_filled_from_public_entries_only(self, make_article):
        make_article(title="Бюджет громади", body="<p>Сесія ухвалила.</p>")
        make_article(title="Секретний тендер", status=Article.Status.DRAFT)
        words = set(SearchTerm.objects.values_list("word", flat=True))
        assert {"бюджет", "громада", "громади", "сесія", "ухвалити"} <= words
        assert not {"секретний", "тендер"} & words

    def test_words_written_with_an_apostrophe_keep_that_spelling(self, make_article):
        """pg_trgm splits a word at an apostrophe: the vocabulary keeps "память", and
        beside it "пам’ять" as the text writes it, for the suggestion to show."""
        make_article(title="Вечір пам’яті", body="<p>Рядок про мʼясо і пам'ять.</p>")
        written = dict(SearchTerm.objects.values_list("word", "written"))
        assert written["памяті"] == "пам’яті"
        assert written["память"] in ("пам’ять", "пам'ять")
        assert written["мясо"] == "мʼясо"
        assert written["рядок"] == ""

    def test_a_word_first_seen_without_its_apostrophe_gets_it(self, make_article):
        make_article(title="Память без апострофа")
        make_article(title="Вечір пам'яті")
        assert SearchTerm.objects.get(word="память").written == "пам'ять"

    def test_rebuild_and_the_migration_fill_in_the_spelling(self, make_article):
        from django.apps import apps

        spellings = importlib.import_module("search.migrations.0007_searchterm_written").spellings
        make_article(title="Толока проти бур'яну")
        SearchTerm.objects.update(written="")
        call_command("rebuild_search_index", stdout=io.StringIO(), stderr=io.StringIO())
        assert SearchTerm.objects.get(word="бурян").written == "бур'ян"
        SearchTerm.objects.update(written="")
        spellings(apps, None)
        assert SearchTerm.objects.get(word="бурян").written == "бур'ян"
        assert SearchTerm.objects.get(word="толока").written == ""

    def test_rebuild_refills_it_without_stale_words(self, make_article):
        make_article(title="Бюджет громади")
        SearchTerm.objects.create(word="застаріле")
        call_command("rebuild_search_index", stdout=io.StringIO(), stderr=io.StringIO())
        words = set(SearchTerm.objects.values_list("word", flat=True))
        assert "бюджет" in words and "застаріле" not in words

    @pytest.mark.skipif(
        connection.vendor == "postgresql", reason="PostgreSQL suggests (test_postgres.py)"
    )
    def test_sqlite_offers_no_suggestion_but_a_normal_page(self, client, make_article):
        make_article(title="Бюджет громади")
        response = client.get(reverse("search:results"), {"q": "бюджед"})
        page = response.content.decode()
        assert response.status_code == 200
        assert "Нічого не знайдено" in page and "Ви мали на увазі" not in page


@pytest.mark.django_db
class TestDocumentsOnly:
    """/search/documents/ and the site search's "Documents" filter: only documents, ranked
    (title above body), however many news share the words."""

    @pytest.fixture
    def park(self, make_article):
        for n in range(3):
            make_article(title=f"Парк відкрили {n}", body="<p>Новий парк у центрі.</p>")
        body_only, _ = make_document(
            pdf_bytes("Рішення про озеленення парку біля школи"), title="Про озеленення"
        )
        in_title, _ = make_document(pdf_bytes("Текст рішення"), title="Про парк Шевченка")
        return in_title, body_only

    def test_documents_search_ranks_title_above_body_and_leaves_out_news(self, client, park):
        response = client.get(reverse("search:documents"), {"q": "парк"})
        assert [e.title for e in response.context["results"]] == [e.title for e in park]
        assert "Знайдено 2 результати" in response.content.decode()

    def test_site_search_kind_filter_the_same(self, client, park):
        response = client.get(reverse("search:results"), {"q": "парк", "kind": "document"})
        assert [e.title for e in response.context["results"]] == [e.title for e in park]
        response = client.get(reverse("search:results"), {"q": "парк", "kind": "news"})
        assert len(response.context["results"]) == 3
        assert len(client.get(reverse("search:results"), {"q": "парк"}).context["results"]) == 5

    def test_the_kind_itself_is_not_a_searchable_word(self, client, park):
        for q in ("document", "news", "page"):
            response = client.get(reverse("search:results"), {"q": q})
            assert list(response.context["results"]) == [], q

    def test_edit_unpublish_delete_and_rebuild_keep_documents_search_right(self, client, park):
        in_title, body_only = park
        url = reverse("search:documents")
        in_title.title = "Про сквер Шевченка"
        in_title.save()
        assert [e.title for e in client.get(url, {"q": "сквер"}).context["results"]] == [
            "Про сквер Шевченка"
        ]
        assert [e.title for e in client.get(url, {"q": "парк"}).context["results"]] == [
            "Про озеленення"
        ]
        body_only.is_published = False
        body_only.save()
        assert list(client.get(url, {"q": "парк"}).context["results"]) == []
        body_only.is_published = True
        body_only.save()
        in_title.delete()
        call_command("rebuild_search_index", stdout=io.StringIO(), stderr=io.StringIO())
        assert [e.title for e in client.get(url, {"q": "парк"}).context["results"]] == [
            "Про озеленення"
        ]
        assert list(client.get(url, {"q": "сквер"}).context["results"]) == []

    @pytest.mark.skipif(connection.vendor != "sqlite", reason="FTS5 is SQLite's index")
    def test_fts5_itself_keeps_to_documents(self, park):
        from search.backends.sqlite import match_expression
        from search.lemmatizer import query_groups

        with connection.cursor() as cursor:
            for kind, expected in ((None, 5), ("document", 2), ("news", 3)):
                cursor.execute(
                    "SELECT count(*) FROM search_fts WHERE search_fts MATCH %s",
                    [match_expression(query_groups("парк"), kind)],
                )
                assert cursor.fetchone()[0] == expected, kind


@pytest.mark.django_db
def test_pages_of_results_with_the_total_and_out_of_range_numbers(client):
    for n in range(15):
        _make_article(title=f"Ремонт вулиці {n}", body="<p>Роботи тривають.</p>")
    url = reverse("search:results")
    first = client.get(url, {"q": "ремонт"})
    second = client.get(url, {"q": "ремонт", "page": "2"})
    assert "Знайдено 15 результатів" in second.content.decode()
    seen = [e.pk for e in first.context["results"]] + [e.pk for e in second.context["results"]]
    assert len(seen) == len(set(seen)) == 15
    assert second.context["page_obj"].number == 2 and not second.context["page_obj"].has_next()
    # As Paginator.get_page(): not a number, the first page; out of range, the last.
    for page, expected in (
        ("abc", first),
        ("", first),
        ("99", second),
        ("0", second),
        ("9" * 30, second),
    ):
        response = client.get(url, {"q": "ремонт", "page": page})
        assert [e.pk for e in response.context["results"]] == [
            e.pk for e in expected.context["results"]
        ], page


@pytest.mark.django_db
def test_rebuild_drops_entries_of_objects_deleted_behind_its_back(make_article):
    kept = make_article(title="Графік прийому громадян")
    gone = make_article(title="Оголошення про тендер")
    # A delete the index did not hear of (a bulk delete sends no signals).
    Article.objects.filter(pk=gone.pk)._raw_delete(using="default")
    call_command("rebuild_search_index", stdout=io.StringIO(), stderr=io.StringIO())
    assert search_entries("тендер").results.count() == 0
    assert search_entries("графік").results.get().object_id == kept.pk
