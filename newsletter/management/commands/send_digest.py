from django.core.management.base import BaseCommand

from newsletter import services


class Command(BaseCommand):
    help = "Mail the articles published since the last digest to confirmed subscribers."

    def handle(self, *args, **options):
        mailing = services.digest_create()
        if mailing is None:
            self.stdout.write("No new articles since the last digest: nothing to send.")
            return
        try:
            count = services.mailing_queue(mailing=mailing)
        except services.MailingHasNoRecipients:
            # Not kept: its articles wait for the next digest, as if it had never been.
            mailing.delete()
            self.stdout.write(
                "No confirmed subscriber wants these articles: no digest sent; "
                "they go into the next one."
            )
            return
        self.stdout.write(
            f"Digest “{mailing.subject}” with {mailing.articles.count()} articles "
            f"queued for {count} subscribers."
        )
