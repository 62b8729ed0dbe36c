import uuid

from django.conf import settings
from django.db import models
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from PIL import Image

from news.fields import SanitizedHTMLField
from news.sanitizer import plain_text
from news.slugs import unique_slug
from news.validators import validate_image

IMAGE_SUFFIXES = {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif", "WEBP": ".webp"}


def picture_name(folder: str, image_format: str | None) -> str:
    """An unguessable name whose suffix comes from the picture's real format,
    never from the editor's file name (a JPEG with HTML appended, uploaded as
    "x.html", must not be served as HTML)."""
    suffix = IMAGE_SUFFIXES.get(image_format or "", ".jpg")
    return f"{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


def picture_upload_to(instance, filename):
    """Name by the picture's detected format when the upload is at hand (a
    form); ``FieldFile.save()`` from code names before the file is attached,
    and then only a picture suffix of the given name is kept."""
    upload = getattr(instance.picture, "_file", None)
    image_format = None
    if upload is not None:
        try:
            with Image.open(upload) as image:
                image_format = image.format
        except (OSError, ValueError):
            pass
        finally:
            upload.seek(0)
    else:
        suffix = filename.rsplit(".", 1)[-1].lower()
        image_format = {
            "jpg": "JPEG",
            "jpeg": "JPEG",
            "png": "PNG",
            "gif": "GIF",
            "webp": "WEBP",
        }.get(suffix)
    return picture_name("news", image_format)


# Characters of an article's text that stand for its lead where it has none.
SUMMARY_LENGTH = 200


def remembered_reverse(instance, viewname: str, **kwargs) -> str:
    """``reverse()``, kept on the instance while what the address is made of stays the
    same. An article page asks for its own address and its section's several times,
    and the sections are shared by every request of a process (shared_value), so a
    section's address is worked out once per language."""
    key = _reverse_key(viewname, kwargs)
    kept = instance.__dict__.get("_reversed")
    if kept is None or kept[0] != key:
        kept = instance.__dict__["_reversed"] = (key, reverse(viewname, kwargs=kwargs))
    return kept[1]


def remember_found_address(instance, path: str, viewname: str, **kwargs) -> None:
    """Give ``remembered_reverse`` the address a request found the instance at (its
    ``request.path``, resolved to ``viewname`` with these values): what ``reverse()``
    would make of them, where it is plain ASCII, as slugs are."""
    if path.isascii():
        instance.__dict__["_reversed"] = (_reverse_key(viewname, kwargs), path)


def _reverse_key(viewname: str, kwargs: dict) -> tuple:
    """What a remembered address is made of: the view, its values, the language and
    the prefix the site is served under."""
    return (viewname, get_language(), get_script_prefix(), *kwargs.values())


class Category(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        blank=True,
        help_text=_("Part of the address; filled from the name when left empty."),
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Sections are listed in this order.")
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(
                self.name,
                Category.objects.exclude(pk=self.pk),
                max_length=self._meta.get_field("slug").max_length,
            )
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return remembered_reverse(self, "news:category", category=self.slug)


class ArticleQuerySet(models.QuerySet):
    def published(self, now=None):
        """Articles a resident may see: published, and whose time has come.

        Scheduled articles need no job to appear: the time is part of the query.
        The article page runs the same conditions in plain SQL
        (``news.services.published_article``): change both together.
        """
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=now or timezone.now())

    def for_listing(self):
        return self.select_related("category").defer("body")


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=255)
    slug = models.SlugField(
        _("slug"),
        max_length=255,
        blank=True,
        allow_unicode=False,
        help_text=_(
            "Part of the address; filled from the title by the official "
            "Ukrainian transliteration when left empty."
        ),
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="articles", verbose_name=_("category")
    )
    lead = models.TextField(
        _("lead"), max_length=600, blank=True, help_text=_("One or two sentences shown in lists.")
    )
    body = SanitizedHTMLField(_("body"), blank=True)
    picture = models.ImageField(
        _("picture"),
        upload_to=picture_upload_to,
        blank=True,
        validators=[validate_image],
        help_text=_("JPEG, PNG, GIF or WebP, at most 10 MB and 40 megapixels."),
    )
    # The picture's size as shown (after its EXIF rotation), for every <img> of it: kept
    # by news.services.article_picture_renditions, where pictures are saved. Reading it
    # from the file opened the file on each render (with S3, a download per card).
    picture_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    picture_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    picture_alt = models.CharField(
        _("picture description"),
        max_length=255,
        blank=True,
        help_text=_(
            "What the picture shows, for readers who cannot see it. Required with a picture."
        ),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name=_("author"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(
        _("publish time"),
        default=timezone.now,
        help_text=_("A time in the future schedules the article: it appears by itself then."),
    )
    # When it was first published (its time then): an article taken down and published
    # again keeps its time, where a draft published for the first time is the news of
    # the moment (news.admin.ArticleAdmin.save_model).
    first_published_at = models.DateTimeField(
        _("first published"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    views = models.PositiveIntegerField(_("views"), default=0, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "slug"], name="news_article_slug_per_category"
            ),
        ]
        indexes = [
            # The lists' exact order (-published_at, -pk): PostgreSQL reads the
            # first rows of a page from the index, with no sort (issue #6, EXPLAIN
            # in tests/scale/test_large.py).
            models.Index(fields=["status", "-published_at", "-id"], name="news_article_pub_idx"),
            models.Index(
                fields=["category", "status", "-published_at", "-id"],
                name="news_article_cat_pub_idx",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(
                self.title,
                Article.objects.filter(category_id=self.category_id).exclude(pk=self.pk),
                max_length=self._meta.get_field("slug").max_length,
            )
        if self.status == self.Status.PUBLISHED and self.first_published_at is None:
            self.first_published_at = self.published_at
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "first_published_at"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return remembered_reverse(
            self, "news:article_detail", category=self.category.slug, slug=self.slug
        )

    def address_found(self, path: str) -> None:
        """The article's own page was asked for at ``path``: its address, unreversed."""
        remember_found_address(
            self, path, "news:article_detail", category=self.category.slug, slug=self.slug
        )

    def clean(self):
        from django.core.exceptions import ValidationError

        from news.validators import validate_body_pictures_described

        errors = {}
        if self.picture and not self.picture_alt.strip():
            errors["picture_alt"] = _("Describe the picture for readers who cannot see it.")
        try:
            validate_body_pictures_described(self.body)
        except ValidationError as error:
            errors["body"] = error
        if errors:
            raise ValidationError(errors)

    @property
    def summary(self) -> str:
        """What search engines, social networks and feed readers show under the title:
        the lead, or for an article without one the start of its text."""
        if self.lead:
            return self.lead
        return Truncator(plain_text(self.body)).chars(SUMMARY_LENGTH)

    @property
    def is_public(self):
        return self.status == self.Status.PUBLISHED and self.published_at <= timezone.now()


class ArticleViewBuffer(models.Model):
    """One counted view waiting to be added to ``Article.views`` (issue #6).

    Without Redis the view counter appends a row here instead of updating the
    article's row, so concurrent readers of one hot article never queue on
    one row lock; ``manage.py flush_view_counts`` sums and deletes the rows in
    one transaction (``news.services.view_counts_flush``).
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("pending view")
        verbose_name_plural = _("pending views")

    def __str__(self):
        return f"{self.article_id}"


class ViewFlushBatch(models.Model):
    """A Redis batch of views already added to the articles: a flush that
    stopped after its commit but before deleting the batch from Redis finds
    it here and does not add it twice."""

    batch = models.CharField(max_length=64, unique=True)
    flushed_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.batch
