"""The search backend for the database in use (modelled on Wagtail's database backends)."""

import functools

from django.db import connection


@functools.cache
def _backend_for(vendor: str):
    if vendor == "postgresql":
        from search.backends.postgres import PostgresSearchBackend

        return PostgresSearchBackend()
    from search.backends.sqlite import SQLiteSearchBackend

    return SQLiteSearchBackend()


def get_search_backend():
    """The only place that looks at connection.vendor."""
    return _backend_for(connection.vendor)
