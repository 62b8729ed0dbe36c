from django.db.models import FloatField
from django.db.models.expressions import RawSQL

from search.backends.base import BaseSearchBackend

VECTOR = (
    "(setweight(to_tsvector('simple', search_indexentry.lemma_title), 'A') || "
    "setweight(to_tsvector('simple', search_indexentry.lemma_body), 'B'))"
)


def _quote(lemma: str) -> str:
    return "'" + lemma.replace("'", "").replace("\\", "") + "'"


class PostgresSearchBackend(BaseSearchBackend):
    """A weighted tsvector expression over the lemma columns (GIN-indexed by a migration)."""

    def index(self, entry):
        """The vector is an expression over the entry's own columns: nothing else to write."""

    def remove(self, ids):
        pass

    def clear(self):
        pass

    def fill_from_table(self):
        pass

    def search(self, groups, queryset):
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
