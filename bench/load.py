"""Load benchmark of the production command (issue #6).

    uv run python bench/load.py                       # SQLite under var/bench/
    uv run python bench/load.py --database postgres://postgres@127.0.0.1:5432/hromada_bench
    uv run python bench/load.py --duration 20 --skip-generate

1. Generates 100 000 articles in 10 sections and 10 000 documents
   (``--articles``, ``--documents``) of Ukrainian text from the search
   benchmark's generator (``bench/generate.py``) in the benchmark database,
   once, and builds the search index with ``rebuild_search_index``.
2. Starts the production server — ``gunicorn -c gunicorn.conf.py portal.wsgi``
   with 2 workers, DJANGO_DEBUG=0 — on a loopback port, and drives with wrk
   at concurrency 8 for ``--duration`` seconds each, as a returning reader
   (browser User-Agent, its CSRF and today's view cookie): the home page, a section, an
   article and the search page; then "first view": every request a different
   article, none of them in the page cache (the first reader of each, the
   view counted); then one article with the page cache switched off
   (PAGE_CACHE_TIMEOUT=0, no shared fragments either); and, for reference, the
   least any Django response costs here: ``/robots.txt``, a view of a few lines
   through every middleware, never cached. Reports requests per second, median and
   p99 latency.
3. Serves ``bench/ceiling.py`` — a WSGI app returning a body of the size of
   the page measured — under the same gunicorn settings: the ceiling, measured
   in turns with each page; prints each page's ratio to it.
4. Burst: 20 000 requests to one article within 30 s by new visitors (no
   cookie: each request is a counted view), then ``flush_view_counts``; the
   article's views must have grown by exactly 20 000, with no failed request.
"""

import argparse
import http.client
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = 18100
CEILING_PORT = 18101
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36"
WRK_SCRIPT = """
wrk.headers["User-Agent"] = "%(ua)s"
wrk.headers["Cookie"] = "%(cookie)s"
"""
# Each request a different article: every one a page-cache miss, as for the
# first reader of each article. The two wrk threads take separate ranges.
WRK_FIRST_VIEWS = """
local threads = 0
function setup(thread)
  thread:set("first", %(first)d + threads * %(half)d)
  threads = threads + 1
end
function init(args)
  n = first
end
function request()
  n = (n + 1) %% %(articles)d
  return wrk.format("GET", "/news/bench-" .. (n %% 10) .. "/bench-" .. n .. "/")
end
"""


def environment(args, **extra) -> dict:
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-" + "k" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_STATIC_ROOT": str(ROOT / "var" / "bench" / "static"),
        "PORTAL_VAR_DIR": str(ROOT / "var" / "bench"),
        "GUNICORN_WORKERS": "2",
        "GUNICORN_ACCESS_LOG": "",
        "GUNICORN_LOG_LEVEL": "warning",
        **extra,
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    if args.database:
        env["DATABASE_URL"] = args.database
    if args.redis:
        env["REDIS_URL"] = args.redis
    return env


def manage(env, *command, capture=False):
    return subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=capture,
        text=True,
    ).stdout


GENERATE = """
import random
from datetime import date, timedelta

from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from bench import generate
from documents.models import Document, DocumentKind, IssuingBody
from news.models import Article, Category

articles, documents = {articles}, {documents}
rng = random.Random(11)
if Article.objects.count() < articles or Document.objects.count() < documents:
    categories = [
        Category.objects.get_or_create(
            slug=f"bench-{{n}}", defaults={{"name": f"Розділ {{n + 1}}", "position": n}}
        )[0]
        for n in range(10)
    ]
    now = timezone.now()
    for offset in range(Article.objects.count(), articles, 5000):
        Article.objects.bulk_create(
            Article(
                title=generate.title(rng)[:200],
                slug=f"bench-{{number}}",
                category=categories[number % 10],
                lead=generate.sentence(rng),
                body="".join(f"<p>{{generate.body(rng, 6)}}</p>" for _ in range(4)),
                status="published",
                published_at=now - timezone.timedelta(minutes=number + 1),
            )
            for number in range(offset, min(offset + 5000, articles))
        )
    kinds = [
        DocumentKind.objects.get_or_create(slug=slug, defaults={{"name": name}})[0]
        for slug, name in [("rishennia", "рішення"), ("rozporiadzhennia", "розпорядження"),
                           ("nakaz", "наказ"), ("polozhennia", "положення"), ("zvit", "звіт")]
    ]
    bodies = [
        IssuingBody.objects.get_or_create(name=name)[0]
        for name in ["Міська рада", "Виконавчий комітет", "Міський голова"]
    ]
    Document.objects.bulk_create(
        (
            Document(
                title=generate.title(rng),
                kind=kinds[number % 5],
                number=f"{{number}}-{{'р' if number % 5 == 1 else 'н'}}",
                adopted_on=date(2016, 1, 1) + timedelta(days=number % 3650),
                issuer=bodies[number % 3],
                file=f"documents/bench/{{number}}.pdf",
                file_type="pdf",
                file_size=120_000,
                text=generate.body(rng, 20),
            )
            for number in range(Document.objects.count(), documents)
        ),
        batch_size=2000,
    )
    # bulk_create skips the save signals: index everything the way editors' saves do.
    call_command("rebuild_search_index")
if connection.vendor == "postgresql":
    # The planner's statistics after a bulk load (autovacuum would get there later):
    # without them an article was looked up by its section's index, 4 000 rows.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
a = Article.objects.published().select_related("category").order_by("pk")[500]
print(a.get_absolute_url(), a.category.get_absolute_url(), a.pk)
"""


def server(env, app, port):
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", app],
        cwd=ROOT,
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
        start_new_session=True,
    )
    for _ in range(100):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/robots.txt")
            connection.getresponse().read()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"{app} did not start on port {port}")


def stop(process):
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def get(port, path, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request("GET", path, headers={"User-Agent": BROWSER, **(headers or {})})
    response = connection.getresponse()
    return response, response.read()


def to_ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def busy_seconds() -> float:
    """CPU time the machine has spent busy since boot (``/proc/stat``: user, nice,
    system, irq and softirq of every core; idle, I/O wait and steal left out)."""
    with open("/proc/stat") as stat:
        user, nice, system, _idle, _iowait, irq, softirq = map(int, stat.readline().split()[1:8])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def wrk(port, path, duration, cookie="", extra_script="", first=1000, articles=100_000) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(
            (WRK_SCRIPT + extra_script)
            % {
                "ua": BROWSER,
                "cookie": cookie,
                "first": first,
                "articles": articles,
                "half": articles // 2,
            }
        )
    busy_before = busy_seconds()
    output = subprocess.run(
        [
            "wrk",
            "-t2",
            "-c8",
            f"-d{duration}s",
            "--latency",
            "-s",
            script.name,
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    busy = busy_seconds() - busy_before
    os.unlink(script.name)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        # Machine CPU per request, every process's share (server, database, Redis, wrk):
        # unlike req/s it does not drop when the 8 connections leave a core idle.
        "cpu_us": 1e6 * busy / max(requests, 1),
        "p50": to_ms(re.search(r"\s50%\s+(\S+)", output).group(1)),
        "p99": to_ms(re.search(r"\s99%\s+(\S+)", output).group(1)),
        "errors": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def combined(runs) -> dict:
    """Rounds of one page: mean throughput, the median of the medians, the worst p99."""
    return {
        "rps": sum(run["rps"] for run in runs) / len(runs),
        "p50": statistics.median(run["p50"] for run in runs),
        "p99": max(run["p99"] for run in runs),
        "errors": sum(run["errors"] for run in runs),
        "socket_errors": " ".join(run["socket_errors"] for run in runs if run["socket_errors"]),
    }


def get_when_up(env, path):
    """The first page from a server started for it (a cold database can take a while)."""
    app = server(env, "portal.wsgi", PORT)
    try:
        return get(PORT, path)
    finally:
        stop(app)


def burst(port, path, total, seconds, concurrency=16) -> tuple[int, list[int], float]:
    """``total`` GETs by new visitors (no cookie), ``concurrency`` at a time."""
    statuses = []
    lock = threading.Lock()
    remaining = [total]

    def visitor():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                if remaining[0] == 0:
                    return
                remaining[0] -= 1
            try:
                connection.request("GET", path, headers={"User-Agent": BROWSER})
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                status = 0
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            with lock:
                statuses.append(status)

    started = time.perf_counter()
    threads = [threading.Thread(target=visitor) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds * 4)
    return len(statuses), statuses, time.perf_counter() - started


def views_of(env, article_id) -> int:
    out = manage(
        env,
        "shell",
        "-c",
        f"from news.models import Article; print(Article.objects.get(pk={article_id}).views)",
        capture=True,
    )
    return int(out.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="DATABASE_URL (default: SQLite under var/bench/)")
    parser.add_argument("--redis", help="REDIS_URL (default: none, local-memory cache)")
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=15, help="seconds per page")
    parser.add_argument("--rounds", type=int, default=3, help="turns of page and ceiling")
    parser.add_argument("--skip-generate", action="store_true")
    parser.add_argument("--burst", type=int, default=20_000, help="requests (0: no burst)")
    parser.add_argument("--verbose", action="store_true", help="print every round")
    parser.add_argument("--only", help="comma-separated page names to measure (default: all)")
    args = parser.parse_args()

    def wanted(name):
        return not args.only or any(part.strip() in name for part in args.only.split(","))

    env = environment(args)
    if args.redis:  # no page or count left from an earlier run
        import redis

        redis.Redis.from_url(args.redis).flushdb()
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    manage(env, "migrate", "--noinput", "-v", "0", "--skip-checks")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    started = time.perf_counter()
    article_url, category_url, article_id = manage(
        env,
        "shell",
        "-c",
        GENERATE.format(
            articles=0 if args.skip_generate else args.articles,
            documents=0 if args.skip_generate else args.documents,
        ),
        capture=True,
    ).split()[-3:]
    print(
        f"data ready in {time.perf_counter() - started:.0f} s "
        f"({args.database or 'SQLite'}, {'Redis' if args.redis else 'local-memory cache'})"
    )

    # The ceiling runs beside the portal and is measured in turns with each page
    # (--rounds of duration/rounds seconds each): this shared machine's speed drifts
    # by half within minutes, and a ratio is only fair between neighbouring runs.
    response, _ = get_when_up(env, article_url)
    # A returning reader's browser sends back every cookie it was given: the CSRF
    # token and today's view cookie.
    cookie = "; ".join(value.split(";")[0] for value in response.msg.get_all("Set-Cookie") or [])
    ceiling_app = server(env, "bench.ceiling:application", CEILING_PORT)
    slice_seconds = max(1, args.duration // args.rounds)
    results, ceilings = {}, {}

    sizes, ratios, cpu = {}, {}, {}

    def warm(path):
        """Put the page in the cache of every worker (each has its own local memory):
        the measured figures are a burst's, with the page cached. A cold worker's
        first search of a common word stalls it for a second (see the README)."""
        threads = [
            threading.Thread(target=get, args=(PORT, path, {"Cookie": cookie})) for _ in range(16)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def measure(name, path, extra_script=""):
        # The ceiling answers with a body the size of this page's.
        sizes[name] = len(get(PORT, path, {"Cookie": cookie})[1])
        if not extra_script:
            warm(path)
        runs, ceiling_runs = [], []
        for number in range(args.rounds):
            # First views: each round reads articles no round has read before.
            first = 1000 + number * 4000
            runs.append(wrk(PORT, path, slice_seconds, cookie, extra_script, first, args.articles))
            ceiling_runs.append(wrk(CEILING_PORT, f"/?size={sizes[name]}", slice_seconds))
            if args.verbose:
                print(f"  {name}: {runs[-1]} | ceiling {ceiling_runs[-1]}", flush=True)
        results[name], ceilings[name] = combined(runs), combined(ceiling_runs)
        # Each round's page against the ceiling measured right after it: the median of
        # these is the figure, as a ratio of sums swings with one unlucky round (how
        # the 8 connections fell between the 2 workers).
        ratios[name] = sorted(
            run["rps"] / ceiling["rps"] for run, ceiling in zip(runs, ceiling_runs, strict=True)
        )
        # The same comparison in machine CPU per request: the ceiling's over the page's.
        cpu[name] = (
            statistics.median(run["cpu_us"] for run in runs),
            statistics.median(run["cpu_us"] for run in ceiling_runs),
            statistics.median(
                ceiling["cpu_us"] / run["cpu_us"]
                for run, ceiling in zip(runs, ceiling_runs, strict=True)
            ),
        )

    try:
        app = server(env, "portal.wsgi", PORT)
        try:
            pages = {
                "home": "/",
                "category": category_url,
                "article (cached)": article_url,
                "search": "/search/?q=%D0%B2%D0%BE%D0%B4%D0%B0",
            }
            for name, path in pages.items():
                if wanted(name):
                    measure(name, path)
            if wanted("article (first view)"):
                measure("article (first view)", article_url, WRK_FIRST_VIEWS)
            if wanted("robots.txt (Django's floor)"):
                measure("robots.txt (Django's floor)", "/robots.txt")
        finally:
            stop(app)
        if wanted("article (no cache)"):
            uncached = server(environment(args, PAGE_CACHE_TIMEOUT="0"), "portal.wsgi", PORT)
            try:
                measure("article (no cache)", article_url)
            finally:
                stop(uncached)
    finally:
        stop(ceiling_app)

    print(
        f"\ngunicorn, 2 workers × {env.get('GUNICORN_THREADS', '2')} threads; wrk -t2 -c8, "
        f"{args.rounds} × {slice_seconds} s per page, each followed by the ceiling "
        f"with a body of the page's size"
    )
    print(
        f"{'page':<28}{'bytes':>7}{'req/s':>8}{'median ms':>11}{'p99 ms':>9}{'ceiling':>9}"
        f"{'ratio':>7}  rounds' ratios  of means  CPU µs/req (ceiling)  CPU ratio  errors"
    )
    for name, result in results.items():
        ceiling = ceilings[name]
        print(
            f"{name:<28}{sizes[name]:>7}{result['rps']:>8.0f}{result['p50']:>11.2f}"
            f"{result['p99']:>9.2f}{ceiling['rps']:>9.0f}"
            f"{statistics.median(ratios[name]):>7.2f}  "
            f"{ratios[name][0]:.2f}–{ratios[name][-1]:.2f}  "
            f"{result['rps'] / ceiling['rps']:>8.2f}  "
            f"{cpu[name][0]:>10.0f} ({cpu[name][1]:.0f}){cpu[name][2]:>11.3f}  "
            f"{result['errors']} {result['socket_errors']}"
        )

    if args.burst:
        app = server(env, "portal.wsgi", PORT)
        try:
            manage(env, "flush_view_counts", "-v", "0", "--skip-checks")
            before = views_of(env, article_id)
            done, statuses, seconds = burst(PORT, article_url, args.burst, 30)
        finally:
            stop(app)
        manage(env, "flush_view_counts", "-v", "0", "--skip-checks")
        after = views_of(env, article_id)
        failed = sum(1 for status in statuses if status != 200)
        print(
            f"\nburst: {done} requests by new visitors in {seconds:.1f} s "
            f"({done / seconds:.0f} req/s), {failed} failed; views {before} → {after} "
            f"(+{after - before}): {'exact' if after - before == done - failed else 'WRONG'}"
        )


if __name__ == "__main__":
    main()
