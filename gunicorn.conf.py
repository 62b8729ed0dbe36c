"""Gunicorn settings for production (issue #6).

    gunicorn -c gunicorn.conf.py portal.wsgi

Read from the environment, with defaults for a small 2-core server behind
nginx (deploy/nginx/hromada.conf): the app listens on the loopback only.

    GUNICORN_BIND      127.0.0.1:8001 (a unix socket works too: unix:/run/hromada/web.sock)
    GUNICORN_WORKERS   2 × cores + 1 (5 on 2 cores)
    GUNICORN_THREADS   2 (gthread workers: a slow client or query does not
                       hold a whole process)
    GUNICORN_TIMEOUT   30 seconds
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 2))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
# worker_connections stays at gunicorn's default (1000). Capped at 2 × threads, it
# spread wrk's 8 kept-alive connections evenly over the workers, but behind nginx at
# 32 clients it cost up to a quarter of the throughput and doubled the mean latency
# (connections closed to keep the cap, others waiting to be accepted): see the README's
# Load section.
graceful_timeout = 20
keepalive = 5
# A worker is replaced after this many requests: a slow leak never grows unbounded.
# High on purpose: a new worker starts with an empty local-memory cache, and at the
# 3 000 requests a second a worker serves in a burst, 50 000 replaced each worker every
# 17 seconds, each time with a spell of uncached pages (the p99 of the benchmark).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 1_000_000))
max_requests_jitter = max_requests // 10
# Load the app once in the master: workers fork with Django ready.
preload_app = True
# nginx on this host sets X-Forwarded-For/-Proto; trust it only from the loopback.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "hromada-web"


def when_ready(server):
    """The app is loaded (preload_app) and the workers are about to fork: the objects
    made so far live as long as the process, so the collector need never walk them."""
    import gc

    gc.freeze()
