from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore an archive made by `manage.py backup` into an empty installation "
        "(run `manage.py migrate` first)."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)

    def handle(self, *args, archive, **options):
        try:
            summary = backup_restore(archive=archive)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {sum(summary.objects.values())} objects and "
                f"{summary.media_files} files from {summary.archive}."
            )
        )
