from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Write the database and the uploaded files (MEDIA_ROOT or the S3 bucket) "
        "to one .tar.gz archive."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="where to write, e.g. hromada.tar.gz")

    def handle(self, *args, archive, **options):
        try:
            summary = backup_create(archive=archive)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {summary.archive}: {sum(summary.objects.values())} "
                f"objects, {summary.media_files} files."
            )
        )
