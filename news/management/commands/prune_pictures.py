import datetime

from django.core.management.base import BaseCommand, CommandError

from news.services import UNUSED_PICTURE_GRACE, unused_pictures_prune


class Command(BaseCommand):
    help = (
        "Delete the pictures no article shows: taken out of an article's text or left "
        "by a failed save (run daily)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=float,
            default=UNUSED_PICTURE_GRACE.total_seconds() / 3600,
            metavar="HOURS",
            help="Keep every picture younger than this, shown or not (default: 24).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would go; delete nothing."
        )

    def handle(self, *args, older_than, dry_run, **options):
        if older_than < 0:
            raise CommandError("--older-than must not be negative.")
        pruned = unused_pictures_prune(
            older_than=datetime.timedelta(hours=older_than), dry_run=dry_run
        )
        if options["verbosity"] > 1:
            for name in pruned:
                self.stdout.write(name)
        if options["verbosity"]:
            verb = "to delete" if dry_run else "deleted"
            self.stdout.write(f"Pictures no article shows, {verb}: {len(pruned)}.")
