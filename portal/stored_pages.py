"""Which pages Redis holds, as each process knows them (issue #6).

A page this process has not compiled is looked up in Redis, and for the first reader of
an article the answer is always no: one of that first view's three round trips (Redis,
PostgreSQL, Redis), a tenth of its CPU, for nothing. So each page stored is also
appended to a Redis stream (``XADD``, in the round trip that stores it), and every
process reads the stream's new entries at most every ``SYNC_SECONDS`` (one round trip for
all the pages stored meanwhile). A page this process has not read of, in the current
content generation, is not in Redis: its look-up is skipped and the page rendered. One
stored by another process since the last read is rendered once more, as it would have
been had both asked a moment earlier.

Nothing here can serve a wrong page: a wrong "no" renders a page that was there, a
wrong "maybe" asks Redis as before. So every doubt is a "maybe": a process that has not
read the stream up to its end yet (it starts a page's lifetime back, and reads
``READ_COUNT`` entries at a time), an error reading it. A read more than a page's
lifetime after the last starts over (the stream drops older entries).
"""

import os
import threading
import time

import redis

STREAM = "pagecache:stored"  # under the cache's key prefix
SYNC_SECONDS = 0.1
# Entries read at a time: a process that starts, or comes back after a page's lifetime,
# catches up in parts (a few milliseconds each) rather than in one long read.
READ_COUNT = 2000
# More pages than this stored within a page's lifetime, and the process stops keeping
# track (and asks Redis) rather than grow its memory.
KEYS_KEPT = 500_000


class StoredPages:
    """The keys of the pages stored in Redis within the last ``lifetime`` seconds, with
    the content generation each was built in: {key: (generation, stream time in ms)},
    oldest first, read from ``STREAM``."""

    def __init__(self, stream: str):
        self.stream = stream
        self.lock = threading.Lock()
        self.known: dict[str, tuple[int, int]] = {}
        self.position = None  # the last entry read; None: nothing known, ask Redis
        self.caught_up = False  # the last read reached the stream's end
        self.newest_ms = 0  # the newest entry's time (Redis's clock)
        self.read_at = float("-inf")  # time.monotonic() of the last read

    def record_command(self, key: str, generation: int, lifetime: int) -> tuple:
        """The command that records a page stored under ``key`` (sent with its SET).
        The stream keeps about a page's lifetime of entries."""
        oldest_ms = int((time.time() - lifetime) * 1000)
        return ("XADD", self.stream, "MINID", "~", oldest_ms, "*", "k", key, "g", generation)

    def stored(self, key: str, generation: int, entry_id: bytes) -> None:
        """This process stored a page (``entry_id``: its record's): known at once, not at
        the next read."""
        if self.position is not None:
            self.known.pop(key, None)
            self.known[key] = (generation, _milliseconds(entry_id))

    def may_hold(self, client: redis.Redis, key: str, generation: int, lifetime: int) -> bool:
        """False when Redis surely holds no page of ``generation`` under ``key``."""
        now = time.monotonic()
        due = not self.caught_up or now - self.read_at >= SYNC_SECONDS
        if due and self.lock.acquire(blocking=False):
            try:  # one thread reads; the others go on with what is known
                self._read(client, now, lifetime)
            finally:
                self.lock.release()
        if self.position is None or not self.caught_up:
            return True
        found = self.known.get(key)
        return (
            found is not None
            and found[0] == generation
            and found[1] > self.newest_ms - lifetime * 1000
        )

    def _read(self, client: redis.Redis, now: float, lifetime: int) -> None:
        from portal.redis_cache import round_trip  # which imports this module

        # Entries older than a page's lifetime may be gone from the stream unread; those
        # that are not, record pages gone from Redis. An entry's id is its time.
        start_over = self.position is None or now - self.read_at > lifetime
        lifetime_ago = f"{int((time.time() - lifetime) * 1000)}-0"
        position = lifetime_ago if start_over else self.position
        try:
            reply = round_trip(
                client, ("XREAD", "COUNT", READ_COUNT, "STREAMS", self.stream, position)
            )
        except (redis.RedisError, OSError):
            self.position, self.known, self.read_at, self.caught_up = None, {}, now, False
            return
        known = {} if start_over else self.known
        streams = reply[0] or {}  # RESP3 answers a map, RESP2 pairs
        read = 0
        for _, entries in streams.items() if isinstance(streams, dict) else streams:
            read += len(entries)
            for entry_id, fields in entries:
                values = dict(zip(fields[::2], fields[1::2], strict=True))
                key = values[b"k"].decode()
                known.pop(key, None)  # to the end: the dict stays oldest first
                known[key] = (int(values[b"g"]), _milliseconds(entry_id))
                position = entry_id
        if known:
            self.newest_ms = known[next(reversed(known))][1]
        oldest_kept = self.newest_ms - lifetime * 1000
        while known and known[next(iter(known))][1] <= oldest_kept:
            del known[next(iter(known))]
        if len(known) > KEYS_KEPT:
            self.position, self.known, self.read_at, self.caught_up = None, {}, now, False
            return
        self.known, self.position, self.read_at = known, position, now
        self.caught_up = read < READ_COUNT


def _milliseconds(entry_id: bytes) -> int:
    """A stream entry's time (Redis's clock), from its id ("1733580000000-0")."""
    return int(entry_id.split(b"-", 1)[0])


_by_location: dict[tuple[str, str], StoredPages] = {}
_by_location_lock = threading.Lock()


def stored_pages(location: str, stream: str) -> StoredPages:
    """This process's view of the pages recorded in ``stream`` in the Redis at ``location``."""
    found = _by_location.get((location, stream))
    if found is None:
        with _by_location_lock:
            found = _by_location.setdefault((location, stream), StoredPages(stream))
    return found


def forget() -> None:
    """Start again from nothing (settings changed; a forked child, whose threads are new)."""
    global _by_location_lock
    _by_location_lock = threading.Lock()
    _by_location.clear()


os.register_at_fork(after_in_child=forget)
