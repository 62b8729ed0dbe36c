from django.core.management.base import BaseCommand

from newsletter import services


class Command(BaseCommand):
    help = "Mail the articles published since the last digest to confirmed subscribers."

    def handle(self, *args, **options):
        mailing = services.digest_create()
        if mailing is None:
            self.stdout.write("No new articles since the last digest: nothing to send.")
            return
        count = services.mailing_queue(mailing=mailing)
        self.stdout.write(
            f"Digest “{mailing.subject}” with {mailing.articles.count()} articles "
            f"queued for {count} subscribers."
        )
