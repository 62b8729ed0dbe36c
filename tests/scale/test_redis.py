"""REDIS_URL (issue #6): the page cache, the view buffer and the task queue on
the real Redis at 127.0.0.1:6379 (database 14, emptied around each test)."""

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.core.cache import cache
from django.test import Client
from django.utils.crypto import get_random_string

from news.models import Article, ViewFlushBatch
from news.services import REDIS_FLUSHING_PREFIX, REDIS_PENDING_KEY, view_counts_flush

REDIS_URL = "redis://127.0.0.1:6379/14"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36"
ROOT = Path(__file__).resolve().parents[2]


def redis_available() -> bool:
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.RedisError:
        return False


pytestmark = [
    pytest.mark.skipif(not redis_available(), reason="Redis is not running on 127.0.0.1:6379"),
    pytest.mark.django_db,
]


@pytest.fixture(autouse=True)
def on_redis(settings):
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    settings.REDIS_URL = REDIS_URL
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "hromada",
        }
    }
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    yield client
    client.flushdb()


def reader():
    return Client(HTTP_USER_AGENT=BROWSER)


def views_in_database(article):
    return Article.objects.values_list("views", flat=True).get(pk=article.pk)


def test_pages_are_cached_in_redis_and_invalidated(on_redis, article):
    url = article.get_absolute_url()
    reader().get(url)
    assert reader().get(url)["X-Page-Cache"] == "hit"
    assert any(b"pagecache" in key for key in on_redis.keys("*"))
    article.status = Article.Status.DRAFT
    article.save()
    assert reader().get(url).status_code == 404
    assert article.title not in reader().get("/").content.decode()


def test_views_wait_in_redis_until_the_flush(on_redis, article):
    url = article.get_absolute_url()
    for _ in range(5):
        reader().get(url)
    assert views_in_database(article) == 0
    assert int(on_redis.hget(REDIS_PENDING_KEY, str(article.pk))) == 5
    assert "Переглядів: </span>6" in reader().get(url).content.decode()
    assert view_counts_flush() == 6
    assert views_in_database(article) == 6
    assert not on_redis.exists(REDIS_PENDING_KEY)


def test_a_flush_stopped_before_its_commit_loses_nothing(on_redis, article):
    """The process stopped after taking the batch out of the pending hash
    (RENAME) but before the database commit: the next flush adds it."""
    url = article.get_absolute_url()
    for _ in range(3):
        reader().get(url)
    on_redis.rename(REDIS_PENDING_KEY, REDIS_FLUSHING_PREFIX + "stopped")
    reader().get(url)
    assert view_counts_flush() == 4
    assert views_in_database(article) == 4
    assert on_redis.keys(REDIS_FLUSHING_PREFIX + "*") == []


def test_a_flush_stopped_after_its_commit_adds_nothing_twice(on_redis, article):
    """The process stopped after the commit but before deleting the batch
    key: the batch id recorded in the same transaction says it is done."""
    reader().get(article.get_absolute_url())
    on_redis.rename(REDIS_PENDING_KEY, REDIS_FLUSHING_PREFIX + "committed")
    Article.objects.filter(pk=article.pk).update(views=1)  # what the commit did
    ViewFlushBatch.objects.create(batch="committed")
    assert view_counts_flush() == 0
    assert views_in_database(article) == 1
    assert on_redis.keys(REDIS_FLUSHING_PREFIX + "*") == []


def test_sessions_live_in_redis(settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    from django.contrib.sessions.backends.cache import SessionStore

    session = SessionStore()
    session["ward"] = "Заріччя"
    session.save()
    assert cache.get(session.cache_key)["ward"] == "Заріччя"


def test_a_task_enqueued_by_the_web_process_runs_in_a_worker_process(on_redis):
    from tests.scale.rq_tasks import remember

    key = f"rq-test-{get_random_string(8)}"
    result = remember.enqueue(key, "Повідомлення доставлено")
    assert cache.get(key) is None
    worker = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "rqworker",
            "--burst",
            "--job-class",
            "django_tasks_rq.Job",
            "default",
        ],
        cwd=ROOT,
        env={**os.environ, "REDIS_URL": REDIS_URL},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert worker.returncode == 0, worker.stderr
    assert cache.get(key) == "Повідомлення доставлено"
    result.refresh()
    assert result.status == "SUCCESSFUL"
    assert result.return_value == "Повідомлення доставлено"


def test_a_hit_answered_before_django_counts_in_redis(on_redis, article):
    from tests.scale.test_pagecache import before_django
    from tests.scale.test_pagecache import reader as front_reader

    url = article.get_absolute_url()
    front_reader().get(url)  # a miss: Django renders and stores it
    hit = front_reader().get(url)
    assert before_django(hit)
    assert "Переглядів: </span>2" in hit.content.decode()
    assert int(on_redis.hget(REDIS_PENDING_KEY, str(article.pk))) == 2
    article.title = "Новий розклад руху тролейбусів"
    article.save()
    fresh = front_reader().get(url)
    assert not before_django(fresh)
    assert article.title in fresh.content.decode()


def test_a_first_view_is_counted_in_the_round_trip_that_stores_its_page(on_redis, article):
    """portal.pagecache.views_counted_with_the_page: the HINCRBY goes with the page's
    SET, and the look-up that could only miss is not sent (portal.stored_pages); the
    reader still sees the exact count, their own view in it, and the page is stored for
    the next reader, who is counted too."""
    from redis.connection import Connection

    from tests.conftest import make_article
    from tests.scale.test_pagecache import before_django
    from tests.scale.test_pagecache import reader as front_reader

    Article.objects.filter(pk=article.pk).update(views=5)
    on_redis.hset(REDIS_PENDING_KEY, str(article.pk), 2)
    other = make_article(category=article.category, title="Відкрито новий сквер")
    front_reader().get(other.get_absolute_url())  # connections opened, subscribed
    sent = []
    original = Connection.send_packed_command

    def counted_send(connection, command, check_health=True):
        packed = b"".join(command) if isinstance(command, list) else command
        if b"pagecache:page:" in packed or REDIS_PENDING_KEY.encode() in packed:
            sent.append(packed)  # the page's and the view's (not the shared parts')
        return original(connection, command, check_health)

    Connection.send_packed_command = counted_send
    try:
        first = front_reader().get(article.get_absolute_url())
    finally:
        Connection.send_packed_command = original
    assert first.status_code == 200 and not before_django(first)
    assert "Переглядів: </span>8</span>" in first.content.decode()
    assert int(first["Content-Length"]) == len(first.content)
    assert int(on_redis.hget(REDIS_PENDING_KEY, str(article.pk))) == 3
    # No look-up (no process recorded this page: portal.stored_pages), then the view
    # counted and the page stored together.
    assert len(sent) == 1, sent
    second = front_reader().get(article.get_absolute_url())
    assert before_django(second)
    assert "Переглядів: </span>9</span>" in second.content.decode()


@pytest.mark.django_db(transaction=True)
def test_first_views_at_once_each_show_their_own_exact_count(on_redis, article):
    """Sixteen new readers of a page not yet cached, at the same moment: every view
    counted once, each reader shown the count with theirs (HINCRBY's answer)."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    from tests.scale.test_pagecache import reader as front_reader

    url = article.get_absolute_url()

    def first_view(_):
        try:
            page = front_reader().get(url).content.decode()
        finally:
            connection.close()
        return int(page.split("Переглядів: </span>", 1)[1].split("<", 1)[0])

    with ThreadPoolExecutor(max_workers=16) as pool:
        shown = list(pool.map(first_view, range(16)))
    assert int(on_redis.hget(REDIS_PENDING_KEY, str(article.pk))) == 16
    assert max(shown) == 16 and len(set(shown)) >= 2  # later readers see earlier views


def test_the_cache_keeps_one_redis_client_and_it_answers_from_threads(on_redis):
    """portal.redis_cache: Django made a redis.Redis per operation (0.25 ms each)."""
    from concurrent.futures import ThreadPoolExecutor

    from django.core.cache import cache

    assert cache._cache.get_client() is cache._cache.get_client()

    def round_trip(number):
        cache.set(f"thread:{number}", number)
        return cache.get(f"thread:{number}")

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(round_trip, range(200))) == list(range(200))


def test_each_thread_talks_to_redis_on_a_connection_of_its_own_and_a_fork_on_a_new_one(on_redis):
    """portal.redis_cache.thread_client: no pool to take a connection from and check on
    every command; after a fork the child never writes into the parent's socket."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from portal.redis_cache import thread_client

    together = threading.Barrier(4, timeout=10)  # four tasks on four threads at once

    def connection_id(_):
        together.wait()
        client = thread_client(REDIS_URL)
        assert client is thread_client(REDIS_URL)
        return {client.client_id() for _ in range(20)}  # the same connection every time

    with ThreadPoolExecutor(max_workers=4) as pool:
        ids = list(pool.map(connection_id, range(4)))
    assert all(len(found) == 1 for found in ids)
    assert len(set().union(*ids)) == 4

    # The fork in a process of its own: this one has threads, which a fork must not copy.
    forked = subprocess.run(
        [sys.executable, "-c", FORK_CHECK, REDIS_URL],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert forked.returncode == 0, forked.stderr
    parent, child = forked.stdout.split()
    assert parent != child


def test_commands_sent_together_keep_the_connection_in_step_after_an_error(on_redis):
    """portal.redis_cache.round_trip: a command's error reply is raised once every reply
    is read, so the next command on the connection gets its own reply."""
    from portal.redis_cache import round_trip, thread_client

    client = thread_client(REDIS_URL)
    on_redis.set("not-a-number", "abc")
    with pytest.raises(redis.ResponseError):
        round_trip(client, ("INCR", "not-a-number"), ("SET", "after", "1"))
    assert on_redis.get("after") == b"1"  # the second command ran all the same
    assert round_trip(client, ("GET", "not-a-number"), ("HINCRBY", "h", "a", 2)) == [b"abc", 2]


def test_commands_on_a_connection_redis_closed_are_sent_again_once(on_redis):
    """A connection Redis dropped (a restart, an idle timeout) is made again, and a view
    counted on it is counted once."""
    from portal.redis_cache import round_trip, thread_client

    client = thread_client(REDIS_URL)
    killed = client.client_id()
    on_redis.client_kill_filter(_id=killed)
    assert round_trip(client, ("HINCRBY", REDIS_PENDING_KEY, "7", 1)) == [1]
    assert client.client_id() != killed
    assert int(on_redis.hget(REDIS_PENDING_KEY, "7")) == 1


FORK_CHECK = """
import os, sys
from portal.redis_cache import thread_client

url = sys.argv[1]
parent = thread_client(url).client_id()
read_end, write_end = os.pipe()
pid = os.fork()
if pid == 0:
    os.write(write_end, str(thread_client(url).client_id()).encode())
    os._exit(0)
os.close(write_end)
child = int(os.read(read_end, 64))
os.waitpid(pid, 0)
assert thread_client(url).client_id() == parent
print(parent, child)
"""


def commands_processed(client) -> int:
    """Commands Redis has run, this INFO included."""
    return client.info("stats")["total_commands_processed"]


def test_a_returning_readers_hit_asks_redis_nothing(on_redis, article):
    """The generation comes from process memory, kept current by a subscription:
    a hit that counts no view needs no round trip."""
    from tests.scale.test_pagecache import before_django
    from tests.scale.test_pagecache import reader as front_reader

    url = article.get_absolute_url()
    returning = front_reader()
    returning.get(url)  # a miss: Django renders and stores it; the view is counted
    assert before_django(returning.get(url))  # compiled in this process
    first_info = commands_processed(on_redis)
    one_info = commands_processed(on_redis) - first_info  # what asking costs by itself
    before = commands_processed(on_redis)
    hits = [returning.get(url) for _ in range(5)]
    assert all(before_django(hit) for hit in hits)
    assert commands_processed(on_redis) - before == one_info


def hget_calls(client) -> int:
    return client.info("commandstats").get("cmdstat_hget", {}).get("calls", 0)


def test_a_counted_view_shows_the_count_redis_answered_with_it(on_redis, article):
    """HINCRBY answers an article's pending views with the one it counts: the page
    shows them, views counted by other readers included, without asking Redis again."""
    from tests.scale.test_pagecache import before_django
    from tests.scale.test_pagecache import reader as front_reader

    url = article.get_absolute_url()
    on_redis.hset(REDIS_PENDING_KEY, str(article.pk), 41)  # other readers', not flushed
    asked_before = hget_calls(on_redis)
    first = front_reader().get(url)  # a miss: Django renders it
    assert not before_django(first)
    assert "Переглядів: </span>42" in first.content.decode()
    on_redis.hincrby(REDIS_PENDING_KEY, str(article.pk), 10)  # another process's readers
    hit = front_reader().get(url)  # a new visitor's hit, within the second
    assert before_django(hit)
    assert "Переглядів: </span>53" in hit.content.decode()
    assert hget_calls(on_redis) == asked_before


def test_a_save_in_another_process_reaches_this_ones_memory(on_redis, article, tmp_path):
    from tests.scale.test_pagecache import before_django, bump_in_another_process
    from tests.scale.test_pagecache import reader as front_reader

    front_reader().get("/")
    assert before_django(front_reader().get("/"))
    bump_in_another_process(tmp_path, REDIS_URL=REDIS_URL)
    assert not before_django(front_reader().get("/"))


def test_a_change_while_the_subscription_was_lost_is_not_missed(on_redis, article):
    """Redis restarted or the connection dropped: the bumps made meanwhile never
    reached this process, so the generation is read again before a page is served."""
    from portal.pagecache import GENERATION_KEY
    from tests.scale.test_pagecache import before_django
    from tests.scale.test_pagecache import reader as front_reader

    url = article.get_absolute_url()
    front_reader().get(url)
    assert before_django(front_reader().get(url))
    assert on_redis.client_kill_filter(_type="pubsub") >= 1
    # Another worker's bump, published while nobody here listened.
    on_redis.incr(cache.make_and_validate_key(GENERATION_KEY))
    Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT)
    assert front_reader().get(url).status_code == 404


def test_a_counter_that_lost_its_subscription_reads_the_value_again(on_redis):
    """A change published before the connection dropped, then one made while it was
    down: the value is the last one, not the last message."""

    from portal.redis_cache import PushedCounter

    counter = cache.pushed_counter("test:counter")
    first = counter.value()
    another_process = PushedCounter(REDIS_URL, cache.make_and_validate_key("test:counter"))
    assert another_process.bump() == first + 1
    time.sleep(0.05)  # its message is on this process's socket, not yet read
    assert on_redis.client_kill_filter(_type="pubsub") >= 1
    on_redis.incr(cache.make_and_validate_key("test:counter"))
    assert counter.value() == first + 2
    assert counter.value() == first + 2


def test_a_counter_bumped_here_is_current_here_at_once(on_redis):
    counter = cache.pushed_counter("test:counter")
    start = counter.value()
    assert [counter.bump() for _ in range(3)] == [start + 1, start + 2, start + 3]
    assert counter.value() == start + 3


def test_a_counter_read_from_threads_while_another_process_bumps_it(on_redis):
    """Worker threads share one subscription: none ever sees the value go back, and
    once the bumps are done every thread reads the last one."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from portal.redis_cache import PushedCounter

    counter = cache.pushed_counter("test:counter")
    start = counter.value()
    another_process = PushedCounter(REDIS_URL, cache.make_and_validate_key("test:counter"))
    done = threading.Event()

    def read_until_done(_):
        seen = [counter.value()]
        while not done.is_set():
            seen.append(counter.value())
        return seen

    with ThreadPoolExecutor(max_workers=8) as pool:
        readers = [pool.submit(read_until_done, number) for number in range(8)]
        for _ in range(200):
            last = another_process.bump()
        done.set()
        histories = [reader.result() for reader in readers]
    assert last == start + 200
    for seen in histories:
        assert seen == sorted(seen)
    deadline = time.monotonic() + 2
    while counter.value() != last and time.monotonic() < deadline:
        time.sleep(0.001)
    assert counter.value() == last


def test_a_counter_whose_messages_stopped_reads_the_value_within_seconds(on_redis, monkeypatch):
    """A connection can die without a word (a network split): the value is read
    anyway every CHECK_SECONDS, so a process is never left on an old one for long."""
    from portal import redis_cache

    monkeypatch.setattr(redis_cache, "CHECK_SECONDS", 0.2)
    counter = cache.pushed_counter("test:counter")
    start = counter.value()
    on_redis.incr(cache.make_and_validate_key("test:counter"))  # and no message
    assert counter.value() == start  # from memory
    time.sleep(0.3)
    assert counter.value() == start + 1


@contextlib.contextmanager
def page_lookups():
    """The look-ups of pages this process sends to Redis, as sent."""
    from redis.connection import Connection

    sent = []
    original = Connection.send_packed_command

    def counted_send(connection, command, check_health=True):
        packed = b"".join(command) if isinstance(command, list) else command
        if b"\r\nGET\r\n" in packed and b"pagecache:page:" in packed:
            sent.append(packed)
        return original(connection, command, check_health)

    Connection.send_packed_command = counted_send
    try:
        yield sent
    finally:
        Connection.send_packed_command = original


def test_a_page_another_process_stored_is_read_from_redis_not_rendered(on_redis, article):
    """portal.stored_pages: what another process stored is known from the stream, so the
    page is looked up and served from Redis."""
    from portal.stored_pages import forget
    from tests.scale.test_pagecache import before_django
    from tests.scale.test_pagecache import reader as front_reader

    url = article.get_absolute_url()
    front_reader().get(url)  # rendered, stored and recorded
    forget()  # this process now learns of it from the stream, as any other would
    with page_lookups() as sent:
        page = front_reader().get(url)
    assert len(sent) == 1
    assert before_django(page)


def test_a_page_of_an_older_generation_is_not_looked_up(on_redis, article):
    """The page recorded was built before the last save: Redis holds nothing to serve."""
    from tests.scale.test_pagecache import before_django
    from tests.scale.test_pagecache import reader as front_reader

    url = article.get_absolute_url()
    front_reader().get(url)
    article.title = "Змінено розклад руху маршруток"
    article.save()
    with page_lookups() as sent:
        page = front_reader().get(url)
    assert sent == []
    assert not before_django(page) and article.title in page.content.decode()


def test_pages_are_looked_up_and_stored_while_the_stream_cannot_be_read(on_redis, article):
    """Any doubt about what Redis holds means asking it, as before portal.stored_pages."""
    from django.core.cache import cache

    from portal.stored_pages import STREAM, forget
    from tests.scale.test_pagecache import before_django
    from tests.scale.test_pagecache import reader as front_reader

    on_redis.set(cache.make_key(STREAM), "not a stream")  # XREAD and XADD refused
    forget()
    url = article.get_absolute_url()
    with page_lookups() as sent:
        first = front_reader().get(url)
        second = front_reader().get(url)
    assert first.status_code == 200 and not before_django(first)
    assert len(sent) == 2
    assert before_django(second)


def test_a_long_stream_is_read_in_parts_and_pages_looked_up_until_its_end(
    on_redis, article, monkeypatch
):
    """A process that starts while many pages are recorded reads a part per request
    (each a few milliseconds, not one long stall) and asks Redis until it has read all."""
    from django.core.cache import cache

    from portal import stored_pages
    from tests.scale.test_pagecache import before_django
    from tests.scale.test_pagecache import reader as front_reader

    monkeypatch.setattr(stored_pages, "READ_COUNT", 5)
    for number in range(12):  # pages another process stored
        on_redis.xadd(cache.make_key(stored_pages.STREAM), {"k": f"elsewhere:{number}", "g": 1})
    stored_pages.forget()
    url = article.get_absolute_url()
    with page_lookups() as sent:
        front_reader().get(url)  # read 5 of 12: the page is looked up
        front_reader().get("/news/")  # read 10 of 12
    assert len(sent) == 2
    article.title = "Оновлено розклад прийому громадян"
    article.save()  # a new generation: no page of it recorded anywhere
    with page_lookups() as sent:
        front_reader().get("/")  # read all 12: caught up; the home page is not looked up
        page = front_reader().get(url)
    assert sent == []
    assert not before_django(page) and article.title in page.content.decode()
