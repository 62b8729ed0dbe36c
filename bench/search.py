"""Search scale benchmark (issue #3).

    uv run python bench/search.py [--articles 100000] [--documents 10000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hromada_search_bench \
        uv run python bench/search.py

Without DATABASE_URL it uses a fresh SQLite file var/bench_search.sqlite3. Builds the
content with bulk_create (no signals), indexes it through the same lemmatiser and
backend as the site, then times 200 one- and two-word queries (a page of results each).
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--documents", type=int, default=10_000)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        db = ROOT / "var" / "bench_search.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    run(args)


def run(args):
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.utils import timezone

    from bench import generate
    from documents.models import Document, DocumentKind, IssuingBody
    from news.models import Article, Category
    from search.backends import get_search_backend
    from search.lemmatizer import index_text
    from search.models import IndexEntry
    from search.selectors import search_entries

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
        batch = []
        for article in Article.objects.all().iterator(chunk_size=2000):
            body = f"{article.lead} {article.body[3:-4]}"
            batch.append(
                IndexEntry(
                    content_type=article_ct, object_id=article.pk, kind="news",
                    title=article.title, body=body,
                    lemma_title=index_text(article.title), lemma_body=index_text(body),
                    date=article.published_at.date(), url=f"/news/x/{article.slug}/",
                    is_public=True, published_at=article.published_at,
                )
            )  # fmt: skip
            if len(batch) == 2000:
                IndexEntry.objects.bulk_create(batch)
                total += len(batch)
                batch = []
        for document in Document.objects.all().iterator(chunk_size=2000):
            batch.append(
                IndexEntry(
                    content_type=document_ct, object_id=document.pk, kind="document",
                    title=document.title, body=document.text,
                    lemma_title=index_text(f"{document.title} {document.number}"),
                    lemma_body=index_text(document.text), date=document.adopted_on,
                    url=f"/documents/{document.pk}/", is_public=True,
                    doc_kind=kind.slug, issuer_id=issuer.pk, number=document.number,
                )
            )  # fmt: skip
        IndexEntry.objects.bulk_create(batch)
        total += len(batch)
        lemmatised = time.perf_counter() - start
        get_search_backend().fill_from_table()
    elapsed = time.perf_counter() - start
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE search_indexentry")
    print(
        f"index build: {total} entries in {elapsed:.1f} s "
        f"(lemmatising {lemmatised:.1f} s) = {total / elapsed:.0f} entries/s"
    )

    latencies = []
    for query in generate.queries(random.Random(7), 200):
        t0 = time.perf_counter()
        outcome = search_entries(query)
        list(outcome.results[:10])
        outcome.results.count()
        latencies.append((time.perf_counter() - t0) * 1000)
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    print(
        f"200 queries (first page + total count): median {statistics.median(latencies):.1f} ms,"
        f" p95 {p95:.1f} ms"
    )


if __name__ == "__main__":
    main()
