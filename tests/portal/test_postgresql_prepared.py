"""An article's first view on PostgreSQL runs a statement prepared once per connection
(portal/postgresql ``execute_prepared``), and still finds the article when the
statement is gone or was prepared behind the backend's back (as behind a pooler)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import make_article

pytestmark = pytest.mark.django_db(transaction=True)

STATEMENT = "hromada_published_article"
PLAIN = 'SELECT "id", "title"'  # the same query as text


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's prepared statements")


def prepared_here() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall()}


def first_view(client, article):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert article.title in response.text
    # The article's own query (the section list and the author are shared parts, read
    # on the first page after a change of content).
    return [
        query["sql"]
        for query in queries
        if STATEMENT in query["sql"] or query["sql"].startswith(PLAIN)
    ]


def test_the_statement_is_prepared_with_the_first_view_and_executed_after(postgresql, client):
    first, second = make_article(), make_article()
    connection.close()  # a new connection, as a worker's first request has

    queries = first_view(client, first)
    assert queries[0].startswith(f"PREPARE {STATEMENT} AS SELECT")
    assert STATEMENT in prepared_here()
    queries = first_view(client, second)
    assert queries == [queries[0]]
    assert queries[0].startswith(f"EXECUTE {STATEMENT} (")


def test_a_lost_statement_is_prepared_again(postgresql, client):
    first, second, third = make_article(), make_article(), make_article()
    first_view(client, first)
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # what a pooler's DISCARD ALL does

    queries = first_view(client, second)  # EXECUTE fails; the query runs as text
    assert queries[0].startswith(f"EXECUTE {STATEMENT}")
    assert queries[-1].startswith(PLAIN)
    assert first_view(client, third)[0].startswith(f"PREPARE {STATEMENT}")


def test_a_statement_the_connection_already_has_is_used(postgresql, client):
    first, second = make_article(), make_article()
    first_view(client, first)
    connection.prepared_statements.clear()  # as if another client had prepared it

    queries = first_view(client, second)  # PREPARE fails: it exists; EXECUTE it
    assert queries[-1].startswith(f"EXECUTE {STATEMENT} (")
    assert STATEMENT in connection.prepared_statements


def test_inside_a_transaction_the_query_runs_as_text(postgresql, client):
    from django.db import transaction

    first = make_article()
    connection.close()
    with transaction.atomic():
        queries = first_view(client, first)
    assert queries[0].startswith(PLAIN)
    assert STATEMENT not in prepared_here()
