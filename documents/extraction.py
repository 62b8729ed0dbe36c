"""Plain text from an uploaded document. Called explicitly by services, never from save()."""

import io
import logging

logger = logging.getLogger(__name__)


class ExtractionError(Exception):
    """The file could not be read (broken, encrypted); the message says why."""


def _pdf(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        try:
            if not reader.decrypt(""):
                raise ExtractionError("encrypted")
        except Exception as error:
            raise ExtractionError("encrypted") from error
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def _docx(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def _odt(data: bytes) -> str:
    from odf import teletype
    from odf.opendocument import load
    from odf.text import H, P

    document = load(io.BytesIO(data))
    elements = document.getElementsByType(H) + document.getElementsByType(P)
    return "\n".join(teletype.extractText(element) for element in elements)


def _rtf(data: bytes) -> str:
    from striprtf.striprtf import rtf_to_text

    return rtf_to_text(data.decode("latin-1"), errors="ignore")


EXTRACTORS = {"pdf": _pdf, "docx": _docx, "odt": _odt, "rtf": _rtf}


def extract_text(data: bytes, file_type: str) -> str:
    """The text of the file; raises ExtractionError for a broken or encrypted one."""
    extractor = EXTRACTORS.get(file_type)
    if extractor is None:
        raise ExtractionError(f"unknown type {file_type!r}")
    try:
        text = extractor(data)
    except ExtractionError:
        raise
    except Exception as error:  # any parser failure means the file is unreadable
        logger.info("text extraction failed for a %s file: %r", file_type, error)
        raise ExtractionError(str(error) or type(error).__name__) from error
    return " ".join(text.replace("\x00", "").split(" ")).strip()
