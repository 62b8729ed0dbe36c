"""SQLite: the FTS5 table gains the entry's kind, so that a documents-only search is
restricted by FTS5 itself instead of matching every entry and filtering afterwards.

The table is rebuilt from search_indexentry (its lemmas are all there); PostgreSQL has
no such table and filters by the kind column of the entry.
"""

from django.db import migrations

TOKENIZE = "tokenize = 'unicode61 remove_diacritics 0'"


def _rebuild(schema_editor, columns):
    schema_editor.execute("DROP TABLE IF EXISTS search_fts")
    schema_editor.execute(
        f"CREATE VIRTUAL TABLE search_fts USING fts5({', '.join(columns)}, {TOKENIZE})"
    )
    schema_editor.execute(
        f"INSERT INTO search_fts(rowid, {', '.join(columns)}) "
        f"SELECT id, {', '.join(columns)} FROM search_indexentry"
    )


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        _rebuild(schema_editor, ["lemma_title", "lemma_body", "kind"])


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        _rebuild(schema_editor, ["lemma_title", "lemma_body"])


class Migration(migrations.Migration):
    dependencies = [("search", "0004_searchterm")]
    operations = [migrations.RunPython(forwards, backwards)]
