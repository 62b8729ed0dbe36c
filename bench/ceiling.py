"""The ceiling of bench/load.py: the smallest WSGI app, returning a body of the
size asked for (``/?size=N``, else BENCH_BODY_SIZE bytes), served by the same
gunicorn settings as the portal."""

import functools
import os

DEFAULT_SIZE = int(os.environ.get("BENCH_BODY_SIZE", "30000"))


@functools.cache
def response(size: int) -> tuple[bytes, list[tuple[str, str]]]:
    body = b"x" * size
    return body, [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(size))]


def application(environ, start_response):
    query = environ.get("QUERY_STRING", "")
    body, headers = response(int(query[5:]) if query.startswith("size=") else DEFAULT_SIZE)
    start_response("200 OK", headers)
    return [body]
