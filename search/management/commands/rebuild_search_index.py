from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand
from django.db import transaction
from tqdm import tqdm

from search.backends import get_search_backend
from search.indexing import adapters, index_object, remember_terms
from search.models import IndexEntry, SearchTerm

BATCH = 100  # a fraction of a second of SQLite's write lock at a time


class Command(BaseCommand):
    help = "Rebuild the search index from articles and documents."

    def handle(self, *args, **options):
        """Every object indexed again, BATCH to a transaction.

        Entries are rewritten in place, so searches find everything while it runs; and
        SQLite's write lock is free between batches (one transaction over 100 000 entries
        held it for ten minutes, and no view or vote could be written meanwhile)."""
        backend = get_search_backend()
        words, written = set(), {}
        for model in adapters():
            manager = model._default_manager
            ids = list(manager.order_by("pk").values_list("pk", flat=True))
            with tqdm(total=len(ids), desc=model.__name__) as progress:
                for start in range(0, len(ids), BATCH):
                    chunk = ids[start : start + BATCH]
                    with transaction.atomic():
                        for obj in manager.filter(pk__in=chunk).order_by("pk"):
                            index_object(obj, collect_words=words, collect_written=written)
                    progress.update(len(chunk))
            # Entries whose object is gone (deleted while the index was not listening).
            stale = IndexEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(model)
            ).exclude(object_id__in=manager.values("pk"))
            with transaction.atomic():
                backend.remove(list(stale.values_list("id", flat=True)))
                stale.delete()
        with transaction.atomic():
            # The vocabulary anew: words of deleted content do not linger as suggestions.
            SearchTerm.objects.all().delete()
            remember_terms(words, written)
        self.stdout.write(f"{IndexEntry.objects.count()} entries indexed.")
