"""The PostgreSQL connection's health check (portal/postgresql): a live connection is
trusted without a statement, a dropped one is found and replaced before the request's
first query."""

import select
import time

import psycopg2
import pytest
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL connection's health check")
    if not connection.health_check_enabled:
        pytest.skip("CONN_HEALTH_CHECKS is off")
    connection.ensure_connection()
    params = {
        key: value
        for key, value in connection.get_connection_params().items()
        if key in {"dbname", "user", "password", "host", "port"}
    }
    other = psycopg2.connect(**params)
    other.autocommit = True
    yield other
    other.close()


def last_statement(other, pid):
    with other.cursor() as cursor:
        cursor.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()[0]


def next_request():
    """What Django does between two requests on a kept connection."""
    connection.close_if_unusable_or_obsolete()
    assert not connection.health_check_done


def test_a_live_connection_passes_without_a_statement(postgresql):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'the request before'")
    pid = connection.connection.info.backend_pid
    next_request()
    with connection.cursor() as cursor:  # the health check runs here
        assert connection.health_check_done
        assert last_statement(postgresql, pid) == "SELECT 'the request before'"
        cursor.execute("SELECT 2")
        assert cursor.fetchone() == (2,)
    assert connection.connection.info.backend_pid == pid


def test_a_dropped_connection_is_replaced_before_the_first_query(postgresql):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    dropped = connection.connection
    pid = dropped.info.backend_pid
    with postgresql.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    # The server says why and closes; as by the next request, it has.
    assert select.select([dropped.fileno()], [], [], 5)[0]
    time.sleep(0.05)
    next_request()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid
    assert connection.connection is not dropped
