from django.db import connection
from django.db.models import FloatField
from django.db.models.expressions import RawSQL

from search.backends.base import BaseSearchBackend

# A STORED generated column (migration 0003), GIN-indexed: titles weight A, bodies B.
VECTOR = "search_indexentry.vector"


def _quote(lemma: str) -> str:
    return "'" + lemma.replace("'", "").replace("\\", "") + "'"


class PostgresSearchBackend(BaseSearchBackend):
    """The weighted tsvector column the database generates from the lemma columns."""

    def index(self, entry):
        """PostgreSQL computes the vector when the entry row is written: nothing else to do."""

    def remove(self, ids):
        pass

    def clear(self):
        pass

    def fill_from_table(self):
        pass

    def search(self, groups, queryset, kind=None):
        tsquery = " & ".join(
            "(" + " | ".join(_quote(lemma) for lemma in group) + ")" for group in groups
        )
        # VECTOR is a constant; the query travels as a parameter.
        return queryset.extra(  # noqa: S610
            where=[f"{VECTOR} @@ to_tsquery('simple', %s)"], params=[tsquery]
        ).annotate(
            rank=RawSQL(  # noqa: S611
                f"ts_rank({VECTOR}, to_tsquery('simple', %s))",
                (tsquery,),
                output_field=FloatField(),
            )
        )

    def corrections(self, words):
        """One query: for each word, the vocabulary's most similar word by trigrams
        (pg_trgm's `%` with its default threshold 0.3, served by the trigram GIN index),
        as the index's text writes it (SearchTerm.written: "пам’ять" for "память")."""
        if not words:
            return {}
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT q.word, COALESCE(NULLIF(best.written, ''), best.word)"
                " FROM unnest(%s::text[]) AS q(word) CROSS JOIN LATERAL ("
                "  SELECT t.word, t.written FROM search_searchterm t WHERE t.word %% q.word"
                "  ORDER BY similarity(t.word, q.word) DESC, t.word LIMIT 1"
                ") AS best",
                [list(words)],
            )
            return dict(cursor.fetchall())
