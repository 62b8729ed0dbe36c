"""PostgreSQL's side of the search: the stored, GIN-indexed vector column (issue #3).

SQLite keeps its index in FTS5 and has no such column; these tests are skipped there
(CI runs the suite on both databases).
"""

import html
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.urls import reverse

from news.models import Article
from search.models import IndexEntry
from search.selectors import search_entries
from tests.conftest import make_article
from tests.documents.test_documents import make_document, pdf_bytes

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the tsvector column is PostgreSQL's"
    ),
]


def titles(text):
    return [entry.title for entry in search_entries(text).results]


def test_vector_is_a_stored_generated_column_with_a_gin_index():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attgenerated, attstorage FROM pg_attribute "
            "WHERE attrelid = 'search_indexentry'::regclass AND attname = 'vector'"
        )
        assert cursor.fetchone() == ("s", "m")  # stored; kept in the row (MAIN)
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'search_entry_vector'")
        assert "USING gin (vector)" in cursor.fetchone()[0]


def test_the_database_recomputes_the_vector_when_lemmas_change_without_signals():
    article = make_article(title="Фестиваль квітів")
    # A bulk UPDATE sends no signal: only the generated column can keep the vector right.
    IndexEntry.objects.filter(object_id=article.pk).update(lemma_title="ярмарок мед")
    assert titles("квіти") == []
    assert titles("меду") == ["Фестиваль квітів"]


def test_edit_unpublish_and_delete_are_seen_by_the_ranking_query():
    article = make_article(title="Ремонт мосту", body="<p>Міст відкриють восени.</p>")
    other = make_article(title="Новини культури", body="<p>Ремонт бібліотеки триває.</p>")
    assert titles("ремонт") == ["Ремонт мосту", "Новини культури"]
    article.title = "Відкриття мосту"
    article.body = "<p>Ремонт завершено.</p>"
    article.save()
    other.title = "Ремонт бібліотеки"
    other.save()
    assert titles("ремонт") == ["Ремонт бібліотеки", "Відкриття мосту"]
    article.status = Article.Status.DRAFT
    article.save()
    assert titles("ремонт") == ["Ремонт бібліотеки"]
    article.delete()
    assert titles("міст") == []


def test_a_rare_word_is_found_through_the_gin_index_among_many_entries():
    content_type = ContentType.objects.get_for_model(Article)
    IndexEntry.objects.bulk_create(
        IndexEntry(
            content_type=content_type, object_id=n, kind="news", title=f"Новина {n}",
            lemma_title=f"громада новина {'рідкісний' if n == 777 else 'звичайний'}",
            lemma_body="місто рада бюджет школа " * 20,
        )
        for n in range(3000)
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE search_indexentry")
    results = search_entries("рідкісний").results[:10]
    assert [e.title for e in results] == ["Новина 777"]
    sql, params = results.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Bitmap Index Scan on search_entry_vector" in plan, plan


SUGGESTION = re.compile(r'Ви мали на увазі <a href="([^"]+)">«([^»]+)»</a>\?')


def suggestion_of(client, url, params):
    response = client.get(url, params)
    assert response.status_code == 200
    found = SUGGESTION.search(response.content.decode())
    return (html.unescape(found.group(1)), html.unescape(found.group(2))) if found else None


def test_a_misspelt_word_gets_a_link_to_the_corrected_query_which_finds_results(client):
    make_article(title="Бюджет громади на 2027 рік", body="<p>Сесія ухвалила бюджет.</p>")
    make_article(title="Ремонт школи", body="<p>Роботи тривають.</p>")
    url = reverse("search:results")
    response = client.get(url, {"q": "бюджед"})
    assert "Нічого не знайдено" in response.content.decode()
    link, shown = suggestion_of(client, url, {"q": "бюджед"})
    assert shown == "бюджет"
    target = client.get(url + link)
    assert [e.title for e in target.context["results"]] == ["Бюджет громади на 2027 рік"]
    assert "Ви мали на увазі" not in target.content.decode()


def test_only_the_unknown_word_of_several_is_corrected_and_the_filters_are_kept(client):
    make_article(title="Ремонт школи на вулиці Лесі Українки")
    make_document(pdf_bytes("Рішення про ремонт школи"), title="Про ремонт школи")
    url = reverse("search:results")
    link, shown = suggestion_of(client, url, {"q": "ремонт шкоди", "kind": "news"})
    # "шкоди" is as near "школа" as "школи" (a third of the trigrams); either finds it.
    assert shown in {"ремонт школа", "ремонт школи"}, shown
    assert "kind=news" in link
    target = client.get(url + link)
    assert [e.title for e in target.context["results"]] == ["Ремонт школи на вулиці Лесі Українки"]


def test_documents_search_suggests_from_documents_only(client):
    make_article(title="Фестиваль квітів у парку")
    make_document(pdf_bytes("Положення про бюджет"), title="Положення про бюджет громади")
    url = reverse("search:documents")
    link, shown = suggestion_of(client, url, {"q": "бюджед"})
    assert shown == "бюджет"
    target = client.get(url + link)
    assert [e.title for e in target.context["results"]] == ["Положення про бюджет громади"]
    # "квітів" is only in news: a correction towards it would find nothing among documents.
    assert suggestion_of(client, url, {"q": "квітав"}) is None


def test_no_suggestion_when_the_query_finds_something(client):
    make_article(title="Бюджет громади")
    make_article(title="Бюджед — так пишуть з помилкою")
    response = client.get(reverse("search:results"), {"q": "бюджед"})
    assert len(response.context["results"]) == 1
    assert "Ви мали на увазі" not in response.content.decode()


@pytest.mark.parametrize("q", ["ґґґґґґ", "щщщ ччч", "xqzvw", "йцук фівапр"])
def test_nonsense_gives_the_normal_nothing_found_page(client, q):
    make_article(title="Бюджет громади")
    response = client.get(reverse("search:results"), {"q": q})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Нічого не знайдено" in page and "Ви мали на увазі" not in page


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [
        ("памьять", "пам'ять"),
        ("мьясо", "м'ясо"),
        ("компьютер", "комп'ютер"),
        # Words and names the dictionary does not spell so, or does not know: spelt as
        # the index's own text spells them.
        ("бурьян", "бур'ян"),
        ("вячеслаа", "в'ячеслав"),
        ("демяненкко", "дем'яненко"),
    ],
)
def test_a_suggestion_is_spelt_as_the_index_text_spells_it(client, typed, suggested):
    # The vocabulary keeps "пам'ять" as "память" (the trigrams split at an apostrophe).
    make_article(
        title="Вечір пам'яті",
        body="<p>Пам'ять про загиблих. М'ясо і комп'ютер. Толока проти бур'яну.</p>"
        "<p>Вів В'ячеслав Дем'яненко.</p>",
    )
    url = reverse("search:results")
    link, shown = suggestion_of(client, url, {"q": typed})
    assert shown == suggested
    assert client.get(url + link).context["results"][0].title == "Вечір пам'яті"


@pytest.mark.parametrize("apostrophe", ["’", "ʼ"])
def test_a_suggestion_has_the_apostrophe_the_site_writes(client, apostrophe):
    make_article(title=f"Вечір пам{apostrophe}яті", body=f"<p>М{apostrophe}ясо на ярмарку.</p>")
    url = reverse("search:results")
    assert suggestion_of(client, url, {"q": "памьять"})[1] == f"пам{apostrophe}ять"
    # A word the index has, typed with another apostrophe, is no typo: it is left alone
    # for the search, and the suggestion beside a typo writes it as the site does.
    assert suggestion_of(client, url, {"q": "м'ясо памьять"})[1] == (
        f"м{apostrophe}ясо пам{apostrophe}ять"
    )
    assert suggestion_of(client, url, {"q": "м'ясо"}) is None


def test_a_renamed_kind_is_suggested_with_its_apostrophe(client):
    from documents.models import DocumentKind
    from documents.services import document_kind_save

    make_document(pdf_bytes("Ремонт мосту"), title="Про міст", number="12-р")
    kind = DocumentKind.objects.get(slug="rishennia")
    kind.name = "розпорядження в'їзне"
    document_kind_save(kind=kind)
    link, shown = suggestion_of(client, reverse("search:documents"), {"q": "вїзнеее"})
    assert shown == "в'їзне"


def test_a_word_without_an_apostrophe_gets_none_added(client):
    make_article(title="Рядок бюджету", body="<p>Рядок про свято.</p>")
    link, shown = suggestion_of(client, reverse("search:results"), {"q": "рядокк святто"})
    assert shown == "рядок свято"


def test_words_of_drafts_are_never_suggested(client):
    make_article(title="Бюджет громади")
    make_article(title="Секретний тендер", status=Article.Status.DRAFT)
    assert suggestion_of(client, reverse("search:results"), {"q": "тендир"}) is None


def test_the_suggestion_path_stays_bounded(client, django_assert_max_num_queries):
    for n in range(15):
        make_article(title=f"Бюджет номер {n}")
    with django_assert_max_num_queries(8):
        response = client.get(reverse("search:results"), {"q": "бюджед школа"})
    assert response.status_code == 200
