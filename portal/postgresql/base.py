"""Django's PostgreSQL backend with a health check that needs no round trip, and
statements prepared once per connection.

``CONN_HEALTH_CHECKS`` makes Django run ``SELECT 1`` before the first query of each
request on a persistent connection: on an article's first view one of its two
statements, and a tenth of PostgreSQL's work for it. A server that drops an idle
connection (a restart, ``pg_terminate_backend``, an idle timeout, a pooler closing it)
sends its reason and closes the socket, so the socket of a dropped connection has
something to read, and that of a live idle one has not: a ``select`` with no timeout
tells them apart. Only a socket with something waiting gets Django's own check (a
notice can arrive on a live connection too); a connection that hangs without closing
is no better found by ``SELECT 1``, which would hang with it.

``execute_prepared`` runs the one statement of an article's first view as a prepared
statement: psycopg2 sends every query as text, which PostgreSQL parses and plans
anew each time — more than half of its work for that query.
"""

import select

from django.db import DatabaseError
from django.db.backends.postgresql import base

# SQLSTATE codes: the statement is not there (a pooler or DISCARD ALL dropped it) or
# already is (a pooler handed over a server connection that has it).
STATEMENT_MISSING = "26000"
STATEMENT_EXISTS = "42P05"


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        self.prepared_statements = set()  # the names prepared on this connection
        return super().get_new_connection(conn_params)

    def close_if_health_check_failed(self):
        if (
            self.connection is None
            or not self.health_check_enabled
            or self.health_check_done
            or self.pool
        ):
            return super().close_if_health_check_failed()
        try:
            readable, _, _ = select.select([self.connection.fileno()], [], [], 0)
        except (OSError, ValueError, base.Database.Error):
            readable = True  # no socket to look at: Django's check decides
        if readable:
            return super().close_if_health_check_failed()
        self.health_check_done = True

    def execute_prepared(self, cursor, name: str, sql: str, params: list) -> None:
        """``cursor.execute(sql, params)`` by the prepared statement ``name``, which
        the first call on each connection prepares in the same round trip. ``sql``
        has a ``%s`` for each parameter and no other ``%``.

        Inside a transaction the statement is simply executed: a prepared statement
        that a pooler lost would fail there and spoil the transaction, where in
        autocommit the failure costs one more round trip (the query as text)."""
        if self.in_atomic_block:
            cursor.execute(sql, params)
            return
        execute = f"EXECUTE {name} ({', '.join(['%s'] * len(params))})"
        query = execute
        if name not in self.prepared_statements:
            numbered = sql % tuple(f"${number}" for number in range(1, len(params) + 1))
            query = f"PREPARE {name} AS {numbered}; {execute}"
        try:
            cursor.execute(query, params)
        except DatabaseError as error:
            code = getattr(error.__cause__, "pgcode", None)
            if code == STATEMENT_MISSING:
                self.prepared_statements.discard(name)  # prepared again next time
                cursor.execute(sql, params)
            elif code == STATEMENT_EXISTS:
                self.prepared_statements.add(name)
                cursor.execute(execute, params)
            else:
                raise
        else:
            self.prepared_statements.add(name)
