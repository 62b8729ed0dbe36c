from django.db import connection

from search.backends.base import BaseSearchBackend

# unicode61 without diacritics removal: "й" and "ї" are letters of their own, not "и"/"і".
CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5("
    "lemma_title, lemma_body, tokenize = 'unicode61 remove_diacritics 0')"
)


def _quote(lemma: str) -> str:
    return '"' + lemma.replace('"', "") + '"'


class SQLiteSearchBackend(BaseSearchBackend):
    """FTS5 side table keyed by IndexEntry.id, bm25 with the title weighted ten times the body."""

    def _ensure(self, cursor):
        cursor.execute(CREATE)

    def index(self, entry):
        with connection.cursor() as cursor:
            self._ensure(cursor)
            cursor.execute("DELETE FROM search_fts WHERE rowid = %s", [entry.pk])
            cursor.execute(
                "INSERT INTO search_fts(rowid, lemma_title, lemma_body) VALUES (%s, %s, %s)",
                [entry.pk, entry.lemma_title, entry.lemma_body],
            )

    def remove(self, ids):
        with connection.cursor() as cursor:
            self._ensure(cursor)
            for pk in ids:
                cursor.execute("DELETE FROM search_fts WHERE rowid = %s", [pk])

    def clear(self):
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS search_fts")
            self._ensure(cursor)

    def fill_from_table(self):
        """Copy every entry's lemmas into FTS5 at once (after a bulk load)."""
        with connection.cursor() as cursor:
            self._ensure(cursor)
            cursor.execute(
                "INSERT INTO search_fts(rowid, lemma_title, lemma_body) "
                "SELECT id, lemma_title, lemma_body FROM search_indexentry"
            )

    def search(self, groups, queryset):
        # Lemmas are letters and digits only and are quoted: no user text reaches FTS syntax.
        match = " AND ".join(
            "(" + " OR ".join(_quote(lemma) for lemma in group) + ")" for group in groups
        )
        with connection.cursor() as cursor:
            self._ensure(cursor)
        # A join (not a correlated subquery): FTS5 drives the query once, bm25 per match.
        return queryset.extra(  # noqa: S610 - constant SQL, the match is a parameter
            tables=["search_fts"],
            where=["search_fts.rowid = search_indexentry.id", "search_fts MATCH %s"],
            params=[match],
            select={"rank": "-bm25(search_fts, 10.0, 1.0)"},
        )
