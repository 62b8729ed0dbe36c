from django.db import transaction
from django.utils.translation import gettext as _

from documents.extraction import ExtractionError, extract_text
from documents.models import Document, DocumentKind
from documents.validators import detect_file_type
from search.indexing import index_titles


def document_read_file(*, document: Document) -> str | None:
    """Set file_type, file_size and text from the file; return a warning or None.

    A broken or encrypted file keeps its upload and gets empty text.
    """
    document.file.open("rb")
    try:
        data = document.file.read()
        document.file.seek(0)
        document.file_type = detect_file_type(document.file) or ""
    finally:
        document.file.seek(0)
    document.file_size = len(data)
    try:
        document.text = extract_text(data, document.file_type)
    except ExtractionError:
        document.text = ""
        return _(
            "The text could not be read from the file (it is broken or encrypted); "
            "the document was saved without text and will not be found by its contents."
        )
    return None


@transaction.atomic
def document_save(*, document: Document, file_changed: bool = True) -> str | None:
    """Save a document, extracting its text when the file is new. Returns a warning or None.

    A replaced file is kept in the storage, as is the file of a deleted document: an
    official act's earlier text is a record of what the council published, and no
    page names a document's /media/ address (residents download the current file
    through ``document_download``), unlike an article's picture, whose old file is
    deleted (``news.services.article_picture_discard``)."""
    warning = document_read_file(document=document) if file_changed else None
    document.save()
    return warning


@transaction.atomic
def document_kind_save(*, kind: DocumentKind) -> int:
    """Save a kind and, when its name or slug changed, reindex its documents: their
    index entries hold the slug (the search's kind filter) and the name (a searchable
    word of the title), and nothing else saves those documents. Returns how many were
    reindexed (none for a new kind or a change of position only).

    In the save's transaction, so the search never shows a kind half renamed."""
    before = DocumentKind.objects.filter(pk=kind.pk).values("name", "slug").first()
    kind.save()
    if before is None or before == {"name": kind.name, "slug": kind.slug}:
        return 0
    documents = Document.objects.filter(kind=kind).select_related("kind").order_by("pk")
    return index_titles(documents.iterator(chunk_size=500))
