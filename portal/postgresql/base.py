"""Django's PostgreSQL backend with a health check that needs no round trip.

``CONN_HEALTH_CHECKS`` makes Django run ``SELECT 1`` before the first query of each
request on a persistent connection: on an article's first view one of its two
statements, and a tenth of PostgreSQL's work for it. A server that drops an idle
connection (a restart, ``pg_terminate_backend``, an idle timeout, a pooler closing it)
sends its reason and closes the socket, so the socket of a dropped connection has
something to read, and that of a live idle one has not: a ``select`` with no timeout
tells them apart. Only a socket with something waiting gets Django's own check (a
notice can arrive on a live connection too); a connection that hangs without closing
is no better found by ``SELECT 1``, which would hang with it.
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
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
