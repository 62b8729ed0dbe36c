import uuid

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from documents.validators import validate_document_file


def document_upload_to(instance, filename):
    """An unguessable name; the suffix comes from the detected type, never the upload's name."""
    suffix = f".{instance.file_type}" if instance.file_type else ""
    return f"documents/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class DocumentKind(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("document kind")
        verbose_name_plural = _("document kinds")

    def __str__(self):
        return self.name


class IssuingBody(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("issuing body")
        verbose_name_plural = _("issuing bodies")

    def __str__(self):
        return self.name


class DocumentQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def for_listing(self):
        return self.select_related("kind", "issuer").defer("text")


class Document(models.Model):
    class Status(models.TextChoices):
        IN_FORCE = "in_force", _("in force")
        REPEALED = "repealed", _("repealed")

    class FileType(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", "DOCX"
        ODT = "odt", "ODT"
        RTF = "rtf", "RTF"

    title = models.CharField(_("title"), max_length=500)
    kind = models.ForeignKey(DocumentKind, models.PROTECT, verbose_name=_("kind"))
    number = models.CharField(_("number"), max_length=50, db_index=True)
    adopted_on = models.DateField(_("adopted on"), db_index=True)
    issuer = models.ForeignKey(IssuingBody, models.PROTECT, verbose_name=_("issuing body"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.IN_FORCE
    )
    amends = models.ManyToManyField(
        "self",
        symmetrical=False,
        related_name="amended_by",
        blank=True,
        verbose_name=_("amends"),
    )
    cancels = models.ManyToManyField(
        "self",
        symmetrical=False,
        related_name="cancelled_by",
        blank=True,
        verbose_name=_("cancels"),
    )
    description = models.TextField(_("description"), blank=True)
    file = models.FileField(
        _("file"),
        upload_to=document_upload_to,
        max_length=200,
        validators=[validate_document_file],
        help_text=_("PDF, DOCX, ODT or RTF."),
    )
    file_type = models.CharField(
        _("file type"), max_length=10, choices=FileType.choices, blank=True, editable=False
    )
    file_size = models.PositiveBigIntegerField(_("file size"), default=0, editable=False)
    text = models.TextField(_("extracted text"), blank=True, editable=False)
    is_published = models.BooleanField(_("published"), default=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-adopted_on", "-id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self):
        return f"{self.title} № {self.number}"

    def get_absolute_url(self):
        return reverse("documents:detail", kwargs={"pk": self.pk})

    def get_download_url(self):
        return reverse("documents:download", kwargs={"pk": self.pk})

    @property
    def content_type(self):
        return CONTENT_TYPES.get(self.file_type, "application/octet-stream")


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "rtf": "application/rtf",
}
