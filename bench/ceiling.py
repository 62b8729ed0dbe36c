"""The ceiling of bench/load.py: the smallest WSGI app, returning a body of
BENCH_BODY_SIZE bytes, served by the same gunicorn settings as the portal."""

import os

BODY = b"x" * int(os.environ.get("BENCH_BODY_SIZE", "30000"))
HEADERS = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(BODY)))]


def application(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]
