"""Django's Redis cache backend, with one ``redis.Redis`` client per thread,
and counters that every process reads from its own memory.

Django's ``RedisCacheClient.get_client()`` makes a new ``redis.Redis`` for every cache
operation. Since redis-py 5 that object builds a table of some 170 response callbacks
in its constructor: about 0.25 ms, more than the round trip to Redis itself, and a
cached page needs one or two operations. Django makes a cache object per thread, so
each keeps one client, on one connection of its own (``thread_client``, below).

``RedisCache.pushed_counter(key)`` is for a value read on every request and changed
rarely — the page cache's content generation. Reading it from Redis each time was the
one round trip of a cache hit: on a 2-core server, Redis's share of the CPU and the
system calls made a hit cost twice what the page itself did.
"""

import contextlib
import os
import select
import threading
import time

import redis
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient
from redis.backoff import NoBackoff
from redis.retry import Retry

from portal.stored_pages import STREAM, StoredPages, stored_pages

# The key's value plus one, or a fresh one larger than any before it if the key is
# gone (Redis restarted, say): a value never comes back, so nothing stored under an old
# one can match again. The new value goes out on the channel named like the key.
# Values pass as strings: Lua's numbers are doubles, exact only to 2^53.
BUMP = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('INCR', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[1])
end
local value = redis.call('GET', KEYS[1])
redis.call('PUBLISH', KEYS[1], value)
return value
"""
# The key's value, made if missing (and then published too).
START = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  redis.call('PUBLISH', KEYS[1], ARGV[1])
end
return redis.call('GET', KEYS[1])
"""
# After a lost subscription, how long reads go to Redis before subscribing again.
RESUBSCRIBE_SECONDS = 1.0
# How often a subscribed process reads the value anyway: the longest a connection that
# died silently (a network split, no reset) can keep a process on an old value.
CHECK_SECONDS = 5.0
# A Redis that stops answering raises, rather than holding a request, after this long.
SOCKET_TIMEOUT = 5.0


class PushedCounter:
    """An integer in Redis that each process reads from memory, kept current by Redis.

    ``bump()`` increments it and publishes the new value, in one script. Each process
    keeps a subscription to it, and ``value()`` first looks whether a message waits
    on that connection's socket: a ``poll``, no round trip. Redis writes the message
    to every subscriber's socket in the same turn of its event loop as its reply to
    the bump, before it runs any other command: microseconds after the bump returns,
    long before an editor's save has sent its page, the message waits in every worker.

    The value is read with ``GET`` after every subscription is confirmed, so a change
    made while unsubscribed is never missed, and again every ``CHECK_SECONDS`` in
    case a connection died without a word. Any error drops the subscription; while
    Redis cannot be reached, every ``value()`` is a ``GET``, which raises its error.
    """

    def __init__(self, location: str, key: str):
        self.key = key
        self.lock = threading.Lock()
        # No retries: redis-py would reconnect and subscribe again inside a read, and
        # answer with what it read before the new subscription's confirmation, which
        # may be older than a change made meanwhile. An error instead drops the
        # subscription here, and the value is read afresh.
        self.client = redis.Redis.from_url(
            location,
            retry=Retry(NoBackoff(), 0),
            socket_connect_timeout=SOCKET_TIMEOUT,
            socket_timeout=SOCKET_TIMEOUT,
        )
        self.bump_script = self.client.register_script(BUMP)
        self.start_script = self.client.register_script(START)
        self.pubsub = None
        self.socket = None  # the subscription's, looked at without redis-py
        self.known = None  # the value, while subscribed
        self.checked_at = 0.0
        self.retry_at = 0.0

    def value(self) -> int:
        # Nearly every call: nothing on the socket, no thread taking it in, the last read
        # recent. A message leaves the socket only under the lock, and ``known`` is set
        # before the lock is released, so a thread that finds neither a message nor the
        # lock held finds the value the message brought. (One select: redis-py's can_read
        # costs three system calls, the lock the worker threads contend for more.)
        if (
            self._nothing_waits()
            and not self.lock.locked()
            and time.monotonic() - self.checked_at <= CHECK_SECONDS
        ):
            known = self.known
            if known is not None:
                return known
        with self.lock:
            if self.pubsub is None and time.monotonic() >= self.retry_at:
                self._subscribe()
            if self.pubsub is not None:
                try:
                    self._receive()
                    if time.monotonic() - self.checked_at > CHECK_SECONDS:
                        self._check()
                except (redis.RedisError, OSError):
                    self._unsubscribed()
            if self.known is not None:
                return self.known
        return self._read()

    def bump(self) -> int:
        value = int(self.bump_script(keys=[self.key], args=[time.time_ns()]))
        with self.lock:
            # This process's own change counts at once, though its message comes after
            # the reply. Values only grow, so a later one already received is kept.
            if self.known is not None:
                self.known = max(self.known, value)
        return value

    def _read(self) -> int:
        return int(self.start_script(keys=[self.key], args=[time.time_ns()]))

    def _nothing_waits(self) -> bool:
        """No byte waits on the subscription's socket (False if unknown)."""
        socket = self.socket
        if socket is None:
            return False
        try:
            return not select.select((socket,), (), (), 0)[0]
        except (ValueError, OSError):  # closed meanwhile, or a descriptor above select's limit
            return False

    def _check(self) -> None:
        self.known, self.checked_at = self._read(), time.monotonic()

    def _subscribe(self) -> None:
        try:
            self.pubsub = self.client.pubsub()
            self.pubsub.subscribe(self.key)
            self._receive(wait=True)
            self.socket = getattr(self.pubsub.connection, "_sock", None)  # private in redis-py
        except (redis.RedisError, OSError):
            self._unsubscribed()

    def _receive(self, wait: bool = False) -> None:
        """Take in what waits on the subscription; a confirmation of the subscription
        is followed by a read."""
        while message := self.pubsub.get_message(timeout=1.0 if wait else 0.0):
            wait = False
            if message["type"] == "subscribe":
                self._check()
            elif message["type"] == "message":
                self.known = int(message["data"])
        if self.known is None:
            raise redis.ConnectionError("no confirmation of the subscription")

    def _unsubscribed(self) -> None:
        pubsub, self.pubsub, self.socket, self.known = self.pubsub, None, None, None
        self.retry_at = time.monotonic() + RESUBSCRIBE_SECONDS
        if pubsub is not None:
            with contextlib.suppress(redis.RedisError, OSError):
                pubsub.close()

    def close(self) -> None:
        with self.lock:
            self._unsubscribed()
            self.retry_at = 0.0


_counters: dict[tuple[str, str], PushedCounter] = {}
_counters_lock = threading.Lock()


def close_pushed_counters() -> None:
    with _counters_lock:
        for counter in _counters.values():
            counter.close()
        _counters.clear()


# Clients on a connection of their own, one per thread. A client on a pool takes a
# connection from it for every command and checks it first — a process-id check and a
# non-blocking read that must find nothing: three of a command's nine system calls and
# a quarter of its CPU (50 against 36 µs a HINCRBY). Made again after a fork (``_forks``
# counts them), where a client made before it would share its socket with the parent.
_forks = 0
_thread_clients = threading.local()


def _after_fork_in_child() -> None:
    """A forked child makes its own counters and clients: it must not read from, or
    close, its parent's sockets, and a lock held at the fork would never be released."""
    global _counters_lock, _forks
    _counters_lock = threading.Lock()
    _counters.clear()
    _forks += 1


os.register_at_fork(after_in_child=_after_fork_in_child)


def round_trip(client: redis.Redis, *commands: tuple, raise_errors: bool = True) -> list:
    """Send ``commands`` in one write on the connection of ``client`` (a
    ``single_connection_client``) and return their replies, as a pipeline would.

    On the hot paths of a page (the page cache's look-up, storing a page with its
    view counted) redis-py's command path cost a third more CPU than its connection's
    own calls here, and a ``Pipeline`` borrowed a second, pooled connection and
    checked it with a poll each time (a page-cache miss: 170 against about 60 µs).
    A connection found broken before anything reached Redis (a restart) is made
    again and the commands sent once more; a reply that does not come in time raises
    ``redis.TimeoutError`` with nothing sent again (a HINCRBY may have been applied).
    A command's error reply is raised after every reply has been read, so the
    connection stays in step (``raise_errors=False``: returned in its place)."""
    connection = client.connection
    packed = b"".join(connection.pack_commands(commands))  # one system call
    try:
        connection.send_packed_command([packed], check_health=False)
        first = _reply(connection)
    except redis.ConnectionError:
        # redis-py disconnected it; sending connects afresh.
        connection.send_packed_command([packed], check_health=False)
        first = _reply(connection)
    replies = [first, *(_reply(connection) for _ in commands[1:])]
    for reply in replies:
        if raise_errors and isinstance(reply, redis.ResponseError):
            raise reply
    return replies


def _reply(connection):
    try:
        return connection.read_response()
    except redis.ResponseError as error:  # the next command's reply still waits
        return error


def thread_client(url: str) -> redis.Redis:
    """This thread's client for the Redis at ``url``, on one connection of its own."""
    if getattr(_thread_clients, "forks", None) != _forks:
        _thread_clients.by_url, _thread_clients.forks = {}, _forks
    client = _thread_clients.by_url.get(url)
    if client is None:
        client = _thread_clients.by_url[url] = redis.Redis.from_url(
            url, single_connection_client=True
        )
    return client


class RedisCacheClient(DjangoRedisCacheClient):
    """Django's, with one client per server, on a connection of its own: Django makes a
    cache object, and so one of these, per thread."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        held = self._clients.get(index)
        if held is None or held[0] != _forks:
            pool = self._get_connection_pool(write)
            held = self._clients[index] = (
                _forks,
                self._client(connection_pool=pool, single_connection_client=True),
            )
        return held[1]

    def get(self, key, default):
        value = round_trip(self.get_client(key), ("GET", key))[0]
        return default if value is None else self._serializer.loads(value)

    def set(self, key, value, timeout):
        command = self.set_command(key, value, timeout)
        round_trip(self.get_client(key, write=True), command)

    def set_command(self, key, value, timeout) -> tuple:
        """``set()``'s command, for a caller that sends it together with others."""
        if timeout == 0:
            return ("DEL", key)
        if timeout is None:
            return ("SET", key, self._serializer.dumps(value))
        return ("SET", key, self._serializer.dumps(value), "EX", timeout)


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
        self._pushed_counters = {}
        self._stored_pages_stream = self.make_key(STREAM)

    def store_page(self, key, page, timeout, generation: int, *, before=()) -> list:
        """``set(key, page, timeout)``, recorded in ``portal.stored_pages`` for every
        process, after the commands ``before`` (Redis commands on keys of their own), all in
        one round trip; returns the answers of ``before``."""
        full_key = self.make_and_validate_key(key)
        timeout = self.get_backend_timeout(timeout)
        pages = self.stored_pages()
        commands = [
            *before,
            self._cache.set_command(full_key, page, timeout),
            pages.record_command(key, generation, timeout or 0),
        ]
        client = self._cache.get_client(full_key, write=True)
        *replies, record = round_trip(client, *commands, raise_errors=False)
        for reply in replies:
            if isinstance(reply, redis.ResponseError):
                raise reply
        # A record refused leaves the page to be rendered again by the other processes.
        if not isinstance(record, redis.ResponseError):
            pages.stored(key, generation, record)  # known here at once
        return replies[: len(before)]

    def may_hold_page(self, key, generation: int, lifetime: int) -> bool:
        """False when no page of ``generation`` is stored under ``key`` (see
        ``portal.stored_pages``): a look-up that would only miss."""
        client = self._cache.get_client(key, write=True)  # the stream is on the primary
        return self.stored_pages().may_hold(client, key, generation, lifetime)

    def stored_pages(self) -> StoredPages:
        return stored_pages(self._servers[0], self._stored_pages_stream)

    def pushed_counter(self, key: str) -> PushedCounter:
        """The counter under ``key``, on the first (primary) server: one per process,
        though Django makes a cache object per thread."""
        counter = self._pushed_counters.get(key)
        if counter is None:
            found = (self._servers[0], self.make_and_validate_key(key))
            with _counters_lock:
                counter = _counters.get(found)
                if counter is None:
                    counter = _counters[found] = PushedCounter(*found)
            self._pushed_counters[key] = counter
        return counter
