"""CPU of a first view in one process, with no server (issue #6).

    uv run python bench/first_view.py
    uv run python bench/first_view.py --database postgres://postgres@127.0.0.1:5432/hromada_bench \\
        --redis redis://127.0.0.1:6379/3

Calls ``portal.wsgi.application`` — the front handler and Django, as gunicorn does —
for a different article each time, none in the page cache, each view counted (the
returning reader of ``bench/load.py``, with its cookies), in the data ``bench/load.py``
generated, and prints the CPU time (``time.process_time``) per request of each batch.
Steady to about ±2 % on a quiet machine, where ``bench/load.py``'s ratios move by a
tenth, so it is the quick check of a change to the first view; confirm a gain with
``bench/load.py``, as inside a worker under load the same request costs about 1.35× as
much (see ``bench/NOTES.md``).

With ``--database`` or ``--redis`` on this machine it also prints the CPU per request
of this connection's PostgreSQL backend and of Redis (``/proc/PID/stat``): their share of
a first view, which the client's figure leaves out.

``--instructions`` runs the batches under valgrind's callgrind instead and prints the
instructions per request: the same to ±0.2 % from run to run however busy the machine
is (this shared one drifts by a third), but blind to the kernel's and the servers' work
— a round trip to Redis or PostgreSQL saved shows under wrk, not here.
"""

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="DATABASE_URL (default: SQLite under var/bench/)")
    parser.add_argument("--redis", help="REDIS_URL (default: none, local-memory cache)")
    parser.add_argument("--batches", type=int, default=5)
    parser.add_argument("--requests", type=int, default=500, help="per batch")
    parser.add_argument("--first", type=int, help="the first article's number (default: by time)")
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument(
        "--profile", metavar="FILE", help="write a cProfile of the batches to FILE (pstats)"
    )
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="count instructions per request under callgrind (one batch; slow: 1–2 min)",
    )
    args = parser.parse_args()
    if args.instructions:
        return count_instructions(args)

    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    from bench.load import BROWSER, environment

    # The settings of bench/load.py's server, applied to this process.
    settings = environment(args)
    os.environ.clear()
    os.environ.update(settings)

    from portal.wsgi import application

    answers = []

    def start_response(status, headers, exc_info=None):
        answers.append((status, headers))

    def get(path, cookie=""):
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SCRIPT_NAME": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "18100",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1:18100",
            "HTTP_USER_AGENT": BROWSER,
            "HTTP_COOKIE": cookie,
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
        }
        body = b"".join(application(environ, start_response))
        return answers[-1], body

    # A returning reader: the cookies a first page gave them (CSRF and today's views).
    (_, headers), _ = get("/news/bench-1/bench-1/")
    cookie = "; ".join(value.split(";")[0] for name, value in headers if name == "Set-Cookie")
    # Articles no earlier run read within PAGE_CACHE_TIMEOUT: numbers by the clock.
    number = args.first if args.first is not None else int(time.time() * 10) % args.articles

    def first_view():
        nonlocal number
        number = (number + 1) % args.articles
        (status, _), _ = get(f"/news/bench-{number % 10}/bench-{number}/", cookie)
        if not status.startswith("200"):
            raise SystemExit(f"/news/bench-{number % 10}/bench-{number}/: {status}")

    for _ in range(300):  # connections, shared parts, the code's caches
        first_view()
    servers = server_processes(args)
    per_request = []
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    os.getppid()  # callgrind's mark: the counting starts here (--zero-before)
    for _ in range(args.batches):
        started = time.process_time()
        for _ in range(args.requests):
            first_view()
        per_request.append((time.process_time() - started) / args.requests * 1e6)
    os.getpgid(0)  # … and ends here (--dump-before)
    servers = {name: (cpu_seconds(pid) - before) for name, (pid, before) in servers.items()}
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.profile)
    print(
        f"first view, one process ({args.database or 'SQLite'}, "
        f"{'Redis' if args.redis else 'local-memory cache'}): "
        f"{statistics.median(per_request):.0f} µs of CPU per request "
        f"(batches: {', '.join(f'{value:.0f}' for value in per_request)})"
    )
    requests = args.batches * args.requests
    for name, seconds in servers.items():
        print(f"  {name}: {seconds / requests * 1e6:.0f} µs of CPU per request")


def cpu_seconds(pid: int) -> float:
    """A process's user and system CPU time so far (``/proc/PID/stat``)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_processes(args) -> dict:
    """The servers' processes that work for this one, when they run on this machine:
    this connection's PostgreSQL backend, and Redis — {name: (pid, CPU so far)}."""
    processes = {}
    if args.database:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            processes["PostgreSQL (this connection's backend)"] = cursor.fetchone()[0]
    if args.redis:
        import redis

        processes["Redis"] = redis.Redis.from_url(args.redis).info("server")["process_id"]
    return {
        name: (pid, cpu_seconds(pid))
        for name, pid in processes.items()
        if os.path.exists(f"/proc/{pid}")
    }


def count_instructions(args):
    """This script again, under callgrind, counting from the first batch's start to the
    last one's end (the warm-up and Django's start are left out)."""
    import subprocess
    import tempfile

    argv = [arg for arg in sys.argv[1:] if arg != "--instructions"]
    with tempfile.TemporaryDirectory() as directory:
        out = Path(directory) / "callgrind.out"
        subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--zero-before=getppid",
                "--dump-before=getpgid",
                f"--callgrind-out-file={out}",
                sys.executable,
                __file__,
                *argv,
            ],
            # The system allocator, which callgrind follows, not pymalloc's arenas.
            env={**os.environ, "PYTHONMALLOC": "malloc"},
            check=True,
            capture_output=True,
        )
        dump = next(Path(directory).glob("callgrind.out.*"))  # the marked part
        summary = next(
            line for line in dump.read_text().splitlines() if line.startswith("summary:")
        )
    requests = args.batches * args.requests
    print(
        f"first view, one process ({args.database or 'SQLite'}, "
        f"{'Redis' if args.redis else 'local-memory cache'}): "
        f"{int(summary.split()[1]) / requests / 1e6:.3f} million instructions per request "
        f"(callgrind, {requests} requests)"
    )


if __name__ == "__main__":
    main()
