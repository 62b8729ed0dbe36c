"""Upload checks: the type comes from the content, never from the name."""

import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# A DOCX/ODT whose parts unpack to more than this is refused (zip bomb guard).
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


def detect_file_type(fileobj) -> str | None:
    """Return "pdf", "docx", "odt" or "rtf" from the bytes, or None."""
    fileobj.seek(0)
    head = fileobj.read(8)
    fileobj.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(fileobj) as archive:
                infos = archive.infolist()
                if sum(info.file_size for info in infos) > MAX_UNCOMPRESSED_BYTES:
                    return None
                names = {info.filename for info in infos}
                if "mimetype" in names and archive.read("mimetype").strip() == ODT_MIMETYPE:
                    return "odt"
                if "[Content_Types].xml" in names and "word/document.xml" in names:
                    types = archive.read("[Content_Types].xml")
                    if b"wordprocessingml.document.main+xml" in types:
                        return "docx"
        except (zipfile.BadZipFile, OSError, KeyError, ValueError):
            return None
        finally:
            fileobj.seek(0)
    return None


def validate_document_file(value):
    size = value.size or 0
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    limit = settings.DOCUMENTS_MAX_UPLOAD_BYTES
    if size > limit:
        raise ValidationError(
            _("The file is too large: at most %(limit)s MB.") % {"limit": limit // (1024 * 1024)},
            code="too_large",
        )
    if detect_file_type(value) is None:
        raise ValidationError(
            _("Only PDF, DOCX, ODT or RTF files are accepted; this file is none of them."),
            code="file_type",
        )
