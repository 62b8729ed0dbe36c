from django.db import connection

from search.backends.base import BaseSearchBackend

# unicode61 without diacritics removal: "й" and "ї" are letters of their own, not "и"/"і".
# The kind column ("news", "document") lets FTS5 itself keep to one kind of entry; the
# query's words are matched in the lemma columns only.
CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5("
    "lemma_title, lemma_body, kind, tokenize = 'unicode61 remove_diacritics 0')"
)
# bm25 weights by column: the title ten times the body; the kind adds nothing. Set for
# the query through FTS5's rank column ("rank MATCH"), not by calling bm25() in the
# select: the column can be read next to COUNT(*) OVER (), the function cannot.
RANK_FUNCTION = "bm25(10.0, 1.0, 0.0)"


def _quote(lemma: str) -> str:
    return '"' + lemma.replace('"', "") + '"'


def match_expression(groups, kind=None) -> str:
    """Every group (a word's lemmas, any of them) in the title or the body; with a kind,
    only entries of that kind. Lemmas are letters and digits and are quoted: no user text
    reaches the FTS5 syntax."""
    words = " AND ".join(
        "(" + " OR ".join(_quote(lemma) for lemma in group) + ")" for group in groups
    )
    match = "{lemma_title lemma_body} : (" + words + ")"
    return f"kind : {_quote(kind)} AND {match}" if kind else match


class SQLiteSearchBackend(BaseSearchBackend):
    """FTS5 side table keyed by IndexEntry.id, bm25 with the title weighted ten times the body."""

    count_in_window = True

    def _ensure(self, cursor):
        cursor.execute(CREATE)

    def index(self, entry):
        with connection.cursor() as cursor:
            self._ensure(cursor)
            cursor.execute("DELETE FROM search_fts WHERE rowid = %s", [entry.pk])
            cursor.execute(
                "INSERT INTO search_fts(rowid, lemma_title, lemma_body, kind) "
                "VALUES (%s, %s, %s, %s)",
                [entry.pk, entry.lemma_title, entry.lemma_body, entry.kind],
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
                "INSERT INTO search_fts(rowid, lemma_title, lemma_body, kind) "
                "SELECT id, lemma_title, lemma_body, kind FROM search_indexentry"
            )

    def search(self, groups, queryset, kind=None):
        with connection.cursor() as cursor:
            self._ensure(cursor)
        # A join (not a correlated subquery): FTS5 drives the query once, bm25 per match.
        return queryset.extra(  # noqa: S610 - constant SQL, the match is a parameter
            tables=["search_fts"],
            where=[
                "search_indexentry.id = +search_fts.rowid",
                "search_fts MATCH %s",
                "search_fts.rank MATCH %s",
            ],
            params=[match_expression(groups, kind), RANK_FUNCTION],
            select={"rank": "-search_fts.rank"},
        )
