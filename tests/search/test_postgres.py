"""PostgreSQL's side of the search: the stored, GIN-indexed vector column (issue #3).

SQLite keeps its index in FTS5 and has no such column; these tests are skipped there
(CI runs the suite on both databases).
"""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from news.models import Article
from search.models import IndexEntry
from search.selectors import search_entries
from tests.conftest import make_article

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
            lemma_body="місто рада бюджет школа " * 20, url=f"/n/{n}/",
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
