"""Issue #7: official documents attacked — hostile uploads refused or stored
inertly, downloads never rendered as a page, titles escaped, backed up."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from documents.validators import validate_document_file
from tests.documents.test_documents import docx_bytes, make_document, pdf_bytes

HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SCRIPT = "<script>alert(1)</script>"


def docx_zip_bomb() -> bytes:
    """A DOCX whose document part unpacks to 300 MB of zeros (~300 KB zipped)."""
    buffer = io.BytesIO()
    source = zipfile.ZipFile(io.BytesIO(docx_bytes()))
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info.filename, source.read(info.filename))
        with archive.open("word/padding.xml", "w", force_zip64=True) as padding:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(300):
                padding.write(chunk)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("rishennia.pdf", HTML, "file_type"),
        (
            "plan.pdf",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>',
            "file_type",
        ),
        ("empty.pdf", b"", "empty"),
        ("bomb.docx", docx_zip_bomb(), "file_type"),
    ],
    ids=["html-renamed-pdf", "svg-renamed-pdf", "zero-bytes", "docx-zip-bomb"],
)
def test_hostile_documents_are_refused(name, content, code):
    with pytest.raises(ValidationError) as error:
        validate_document_file(SimpleUploadedFile(name, content))
    assert error.value.code == code
    assert error.value.messages[0], "a message the admin shows"


def test_a_document_over_the_limit_is_refused(settings):
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = 1000
    with pytest.raises(ValidationError) as error:
        validate_document_file(SimpleUploadedFile("big.pdf", pdf_bytes()))
    assert error.value.code == "too_large"


@pytest.mark.django_db
def test_a_pdf_polyglot_downloads_as_an_attachment_never_as_a_page(client):
    document, _warning = make_document(pdf_bytes() + HTML, name="rishennia.html")
    assert document.file.name.endswith(".pdf")
    response = client.get(document.get_download_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_document_titles_with_markup_are_escaped(client):
    document, _warning = make_document(pdf_bytes(), title=f"Рішення {SCRIPT}")
    for path in ("/documents/", document.get_absolute_url()):
        response = client.get(path)
        assert response.status_code == 200, path
        page = response.content.decode()
        assert SCRIPT not in page, path
        assert "Рішення &lt;script&gt;" in page, path
