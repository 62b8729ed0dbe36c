"""Search scale benchmark (issue #3).

    uv run python bench/search.py [--articles 100000] [--documents 10000] [--reuse]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hromada_search_bench \
        uv run python bench/search.py

Without DATABASE_URL it uses a fresh SQLite file var/bench_search.sqlite3. Builds the
content with bulk_create (no signals), indexes it through the same lemmatiser and
backend as the site, then requests 200 one- and two-word queries from /search/ and 200
from /search/documents/ through the whole Django stack (the page a resident gets: the
first ten results, highlighted, and the total count). --reuse keeps a database already
built with the same sizes and only times the queries.
"""

import argparse
import os
import random
import re
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

FOUND = re.compile(r"Знайдено ([\d\s\u00a0\u202f]+)")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--reuse", action="store_true", help="keep a database already built")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        db = ROOT / "var" / "bench_search.sqlite3"
        if not args.reuse:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    # Every query ranked and counted: the cache of result pages (and of the shared
    # fragments) would answer the many repeated words of 200 queries from 115 forms.
    os.environ["PAGE_CACHE_TIMEOUT"] = "0"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from search.models import IndexEntry

    if not (args.reuse and IndexEntry.objects.count() == args.articles + args.documents):
        call_command("flush", interactive=False, verbosity=0)
        build(args)
    measure(args)


def build(args):
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.utils import timezone

    from bench import generate
    from documents.models import Document, DocumentKind, IssuingBody
    from news.models import Article, Category
    from search.backends import get_search_backend
    from search.indexing import remember_terms, vocabulary
    from search.lemmatizer import index_text
    from search.models import IndexEntry

    rng = random.Random(3)
    print(f"database: {connection.vendor}")
    category = Category.objects.create(name="Новини", slug="novyny")
    kind = DocumentKind.objects.create(name="рішення", slug="rishennia")
    issuer = IssuingBody.objects.create(name="Міська рада")
    now = timezone.now()
    start = time.perf_counter()
    with transaction.atomic():
        for offset in range(0, args.articles, 5000):
            Article.objects.bulk_create(
                Article(
                    title=generate.title(rng)[:200],
                    slug=f"a-{offset + i}",
                    category=category,
                    lead=generate.sentence(rng),
                    body=f"<p>{generate.body(rng)}</p>",
                    status=Article.Status.PUBLISHED,
                    published_at=now - timedelta(minutes=offset + i),
                )
                for i in range(min(5000, args.articles - offset))
            )
        Document.objects.bulk_create(
            Document(
                title=generate.title(rng),
                kind=kind,
                number=f"{i}-р",
                adopted_on=date(2015, 1, 1) + timedelta(days=i % 3650),
                issuer=issuer,
                file=f"documents/bench/{i}.pdf",
                file_type="pdf",
                text=generate.body(rng, 20),
            )
            for i in range(args.documents)
        )
    print(f"content created in {time.perf_counter() - start:.1f} s")

    article_ct = ContentType.objects.get_for_model(Article)
    document_ct = ContentType.objects.get_for_model(Document)
    start = time.perf_counter()
    total = 0
    with transaction.atomic():
        batch, words = [], set()
        for article in Article.objects.all().iterator(chunk_size=2000):
            body = f"{article.lead} {article.body[3:-4]}"
            batch.append(
                IndexEntry(
                    content_type=article_ct, object_id=article.pk, kind="news",
                    title=article.title, body=body,
                    lemma_title=index_text(article.title), lemma_body=index_text(body),
                    date=article.published_at.date(),
                    is_public=True, published_at=article.published_at,
                )
            )  # fmt: skip
            if len(batch) == 2000:
                IndexEntry.objects.bulk_create(batch)
                words.update(vocabulary(*(t for e in batch for t in (e.lemma_title, e.lemma_body))))
                total += len(batch)
                batch = []
        for document in Document.objects.all().iterator(chunk_size=2000):
            batch.append(
                IndexEntry(
                    content_type=document_ct, object_id=document.pk, kind="document",
                    title=document.title, body=document.text,
                    lemma_title=index_text(f"{document.title} {document.number}"),
                    lemma_body=index_text(document.text), date=document.adopted_on,
                    is_public=True,
                    doc_kind=kind.slug, issuer_id=issuer.pk, number=document.number,
                )
            )  # fmt: skip
        IndexEntry.objects.bulk_create(batch)
        words.update(vocabulary(*(t for e in batch for t in (e.lemma_title, e.lemma_body))))
        total += len(batch)
        remember_terms(words)
        rows_written = time.perf_counter() - start
        get_search_backend().fill_from_table()
    elapsed = time.perf_counter() - start
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE search_indexentry")
    print(
        f"index build: {total} entries in {elapsed:.1f} s "
        f"(lemmas and rows {rows_written:.1f} s) = {total / elapsed:.0f} entries/s"
    )


def percentiles(latencies):
    latencies = sorted(latencies)
    return statistics.median(latencies), latencies[int(len(latencies) * 0.95) - 1]


def measure(args):
    from django.db import connection
    from django.test import Client

    from bench import generate

    client = Client(SERVER_NAME="127.0.0.1")
    queries = generate.queries(random.Random(7), args.queries)
    client.get("/search/", {"q": "громада"})  # warm the lemmatiser and the templates
    for path in ("/search/", "/search/documents/"):
        latencies, totals = [], []
        for query in queries:
            t0 = time.perf_counter()
            response = client.get(path, {"q": query})
            latencies.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, (path, query, response.status_code)
            found = FOUND.search(response.content.decode())
            totals.append(int(re.sub(r"\D", "", found.group(1))) if found else 0)
        median, p95 = percentiles(latencies)
        print(
            f"{connection.vendor} {path}: {len(queries)} queries (page of 10 + total count): "
            f"median {median:.1f} ms, p95 {p95:.1f} ms, max {max(latencies):.1f} ms; "
            f"matches per query median {statistics.median(totals):.0f}, max {max(totals)}"
        )
    # Misspelt words (one letter changed) find nothing: the page then looks for a
    # correction (PostgreSQL) and checks that it finds something.
    rng = random.Random(11)
    latencies, suggested = [], 0
    for word in (rng.choice(generate.WORDS) for _ in range(50)):
        middle = len(word) // 2
        typo = word[:middle] + ("о" if word[middle] != "о" else "а") + word[middle + 1 :]
        t0 = time.perf_counter()
        response = client.get("/search/", {"q": typo})
        latencies.append((time.perf_counter() - t0) * 1000)
        suggested += "Ви мали на увазі" in response.content.decode()
    median, p95 = percentiles(latencies)
    print(
        f"{connection.vendor} /search/ with one misspelt word: {len(latencies)} queries, "
        f"median {median:.1f} ms, p95 {p95:.1f} ms; a correction offered for {suggested}"
    )


if __name__ == "__main__":
    main()
