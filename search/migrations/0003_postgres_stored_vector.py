"""PostgreSQL: the weighted tsvector becomes a STORED generated column with its own GIN
index, so matching and ranking read a ready vector instead of parsing the lemmas of every
match (bench/search.py: 100 000 entries, a word in nearly all of them).

The column exists on PostgreSQL only (SQLite has FTS5) and is not a model field: the
database computes it on every INSERT and UPDATE of the row, so it can never go stale.

Its storage is MAIN (kept in the row, compressed with lz4 where the server has it):
with the default EXTENDED storage a vector of an ordinary article (about 1.5 KB) went
out of line to TOAST, and fetching and decompressing it cost more than the match and
ts_rank themselves — 620 ms against 140 ms for a count of 100 000 matches.
"""

from django.db import migrations

VECTOR = (
    "(setweight(to_tsvector('simple', lemma_title), 'A') || "
    "setweight(to_tsvector('simple', lemma_body), 'B'))"
)


def _lz4(schema_editor) -> str:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_settings "
            "WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)"
        )
        return " COMPRESSION lz4" if cursor.fetchone() else ""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS search_entry_vector")
    # One statement: the storage applies to the rows the table rewrite computes.
    schema_editor.execute(
        f"ALTER TABLE search_indexentry ADD COLUMN vector tsvector{_lz4(schema_editor)} "
        f"GENERATED ALWAYS AS {VECTOR} STORED, "
        "ALTER COLUMN vector SET STORAGE MAIN"
    )
    schema_editor.execute(
        "CREATE INDEX search_entry_vector ON search_indexentry USING GIN (vector)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS search_entry_vector")
    schema_editor.execute("ALTER TABLE search_indexentry DROP COLUMN IF EXISTS vector")
    schema_editor.execute(
        f"CREATE INDEX search_entry_vector ON search_indexentry USING GIN ({VECTOR})"
    )


class Migration(migrations.Migration):
    dependencies = [("search", "0002_postgres_gin")]
    operations = [migrations.RunPython(forwards, backwards)]
