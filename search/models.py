from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IndexEntryQuerySet(models.QuerySet):
    def visible(self, now=None):
        """Public entries whose time has come: a scheduled article appears by itself."""
        return self.filter(is_public=True).filter(
            Q(published_at__isnull=True) | Q(published_at__lte=now or timezone.now())
        )


class IndexEntry(models.Model):
    class Kind(models.TextChoices):
        NEWS = "news", _("news")
        DOCUMENT = "document", _("document")
        PAGE = "page", _("page")

    content_type = models.ForeignKey(ContentType, models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    title = models.CharField(max_length=500)
    body = models.TextField(blank=True)
    lemma_title = models.TextField(blank=True)
    lemma_body = models.TextField(blank=True)
    date = models.DateField(null=True, db_index=True)
    is_public = models.BooleanField(default=True)
    published_at = models.DateTimeField(null=True, blank=True)
    doc_kind = models.CharField(max_length=100, blank=True)
    issuer_id = models.PositiveIntegerField(null=True, blank=True)
    number = models.CharField(max_length=50, blank=True, db_index=True)

    objects = IndexEntryQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"], name="search_entry_uniq")
        ]
        verbose_name = _("index entry")
        verbose_name_plural = _("index entries")

    def __str__(self):
        return self.title


class SearchTerm(models.Model):
    """Every word of the public index once (lemmas and the forms as written): what a
    misspelt query word is corrected to. On PostgreSQL a trigram GIN index (pg_trgm)
    finds the most similar word; SQLite keeps the same table and offers no correction.

    ``word`` is the index's form, without an apostrophe (pg_trgm splits a word at it:
    "пам'ять" would be "пам" and "ять"); ``written`` the word as the index's text writes
    it where that has one ("пам’ять"), which is what a suggestion shows."""

    word = models.CharField(max_length=100, unique=True)
    written = models.CharField(max_length=120, blank=True)

    class Meta:
        verbose_name = _("search term")
        verbose_name_plural = _("search terms")

    def __str__(self):
        return self.word
