from django.db import migrations

VECTOR = (
    "(setweight(to_tsvector('simple', lemma_title), 'A') || "
    "setweight(to_tsvector('simple', lemma_body), 'B'))"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS search_entry_vector ON search_indexentry USING GIN ({VECTOR})"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS search_entry_vector")


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
