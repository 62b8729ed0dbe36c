import datetime

from django.core.management.base import BaseCommand, CommandError

from news.services import EDITOR_PICTURE_GRACE, editor_pictures_prune


class Command(BaseCommand):
    help = (
        "Delete the pictures inserted into articles' text through the editor that no "
        "article shows any more (run daily)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=float,
            default=EDITOR_PICTURE_GRACE.total_seconds() / 3600,
            metavar="HOURS",
            help="Keep every upload younger than this, shown or not (default: 24).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would go; delete nothing."
        )

    def handle(self, *args, older_than, dry_run, **options):
        if older_than < 0:
            raise CommandError("--older-than must not be negative.")
        pruned = editor_pictures_prune(
            older_than=datetime.timedelta(hours=older_than), dry_run=dry_run
        )
        if options["verbosity"] > 1:
            for name in pruned:
                self.stdout.write(name)
        if options["verbosity"]:
            verb = "would be deleted" if dry_run else "deleted"
            self.stdout.write(f"{len(pruned)} editor pictures no article shows {verb}.")
