import time

from django.core.management.base import BaseCommand

from news.services import view_counts_flush


class Command(BaseCommand):
    help = "Add the buffered article views to Article.views (run every minute)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            metavar="SECONDS",
            help="Keep running and flush every SECONDS seconds (default: flush once).",
        )

    def handle(self, *args, every, **options):
        while True:
            added = view_counts_flush()
            if options["verbosity"] > 1 or not every:
                self.stdout.write(f"{added} views flushed.")
            if not every:
                return
            time.sleep(every)
