from django.core.management.base import BaseCommand
from django.db import transaction
from tqdm import tqdm

from search.backends import get_search_backend
from search.indexing import adapters, index_object, remember_terms
from search.models import IndexEntry, SearchTerm


class Command(BaseCommand):
    help = "Rebuild the search index from articles and documents."

    def handle(self, *args, **options):
        with transaction.atomic():
            get_search_backend().clear()
            IndexEntry.objects.all().delete()
            # The vocabulary too: words of deleted content do not linger as suggestions.
            SearchTerm.objects.all().delete()
            words = set()
            for model in adapters():
                queryset = model._default_manager.all()
                for obj in tqdm(queryset.iterator(), total=queryset.count(), desc=model.__name__):
                    index_object(obj, collect_words=words)
            remember_terms(words)
        self.stdout.write(f"{IndexEntry.objects.count()} entries indexed.")
