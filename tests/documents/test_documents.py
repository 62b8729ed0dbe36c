"""Documents registry: upload checks, text extraction, pages, export, download (issue #3)."""

import io
import json
import zipfile
from datetime import date
from pathlib import Path

import docx
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from odf.opendocument import OpenDocumentText
from odf.text import P
from pypdf import PdfReader, PdfWriter
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from documents.models import Document, DocumentKind, IssuingBody
from documents.services import document_save
from documents.validators import validate_document_file

TEXT = "Рішення про благоустрій парку та ремонт мосту"
FONT = Path(__file__).resolve().parents[2] / "documents" / "fonts" / "DejaVuSans.ttf"


def pdf_bytes(text=TEXT):
    pdfmetrics.registerFont(TTFont("DejaVuSans", str(FONT)))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.setFont("DejaVuSans", 12)
    pdf.drawString(50, 800, text)
    pdf.save()
    return buffer.getvalue()


def docx_bytes(text=TEXT):
    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def odt_bytes(text=TEXT):
    document = OpenDocumentText()
    document.text.addElement(P(text=text))
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def rtf_bytes(text=TEXT):
    body = "".join(f"\\u{ord(c)}?" if ord(c) > 127 else c for c in text)
    return ("{\\rtf1\\ansi " + body + "}").encode()


def encrypted_pdf_bytes():
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes())))
    writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def make_document(data, name="doc.pdf", **fields):
    kind, _ = DocumentKind.objects.get_or_create(name="рішення", slug="rishennia")
    issuer, _ = IssuingBody.objects.get_or_create(name="Міська рада")
    document = Document(
        title=fields.pop("title", "Про благоустрій"),
        kind=fields.pop("kind", kind),
        number=fields.pop("number", "125-р"),
        adopted_on=fields.pop("adopted_on", date(2024, 3, 5)),
        issuer=fields.pop("issuer", issuer),
        file=SimpleUploadedFile(name, data),
        **fields,
    )
    warning = document_save(document=document)
    return document, warning


@pytest.mark.django_db
class TestExtraction:
    @pytest.mark.parametrize(
        "maker,ftype",
        [(pdf_bytes, "pdf"), (docx_bytes, "docx"), (odt_bytes, "odt"), (rtf_bytes, "rtf")],
    )
    def test_text_is_extracted_from_each_type(self, maker, ftype):
        document, warning = make_document(maker(), name="x.bin")
        assert warning is None
        assert document.file_type == ftype
        assert "благоустрій" in document.text
        assert document.file.name.endswith(f".{ftype}")
        assert "x.bin" not in document.file.name

    def test_encrypted_pdf_saves_with_warning_and_empty_text(self):
        document, warning = make_document(encrypted_pdf_bytes())
        assert warning and "зашифрований" in warning
        assert document.pk and document.text == ""
        assert document.file.size > 0

    def test_broken_pdf_saves_with_warning(self):
        document, warning = make_document(b"%PDF-1.4\n garbage that is no pdf")
        assert warning
        assert document.pk and document.text == ""


class TestValidation:
    @pytest.mark.parametrize(
        "data,message",
        [
            (b"", "порожній"),
            (b"<html><script>alert(1)</script></html>", "PDF, DOCX, ODT або RTF"),
            (b"PK\x03\x04 not a zip", "PDF, DOCX, ODT або RTF"),
        ],
    )
    def test_refused(self, data, message):
        with pytest.raises(ValidationError, match=message):
            validate_document_file(SimpleUploadedFile("x.pdf", data))

    def test_zip_that_is_not_a_document_refused(self):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("a.txt", "hello")
        with pytest.raises(ValidationError):
            validate_document_file(SimpleUploadedFile("x.docx", buffer.getvalue()))

    def test_too_large_refused(self, settings):
        settings.DOCUMENTS_MAX_UPLOAD_BYTES = 100
        with pytest.raises(ValidationError, match="завеликий"):
            validate_document_file(SimpleUploadedFile("x.pdf", pdf_bytes()))

    def test_good_docx_accepted(self):
        validate_document_file(SimpleUploadedFile("x.docx", docx_bytes()))


@pytest.mark.django_db
class TestAdmin:
    def test_admin_upload_of_html_is_a_form_error(self, client, admin_user):
        client.force_login(admin_user)
        kind = DocumentKind.objects.create(name="наказ", slug="nakaz")
        issuer = IssuingBody.objects.create(name="Виконком")
        response = client.post(
            reverse("admin:documents_document_add"),
            {
                "title": "Т",
                "kind": kind.pk,
                "number": "1",
                "adopted_on": "2024-01-02",
                "issuer": issuer.pk,
                "status": "in_force",
                "is_published": "on",
                "file": SimpleUploadedFile("x.pdf", b"<html></html>"),
            },
        )
        assert response.status_code == 200
        assert not Document.objects.exists()

    def test_admin_upload_of_encrypted_pdf_warns(self, client, admin_user):
        client.force_login(admin_user)
        kind = DocumentKind.objects.create(name="наказ", slug="nakaz")
        issuer = IssuingBody.objects.create(name="Виконком")
        response = client.post(
            reverse("admin:documents_document_add"),
            {
                "title": "Т",
                "kind": kind.pk,
                "number": "1",
                "adopted_on": "2024-01-02",
                "issuer": issuer.pk,
                "status": "in_force",
                "is_published": "on",
                "file": SimpleUploadedFile("x.pdf", encrypted_pdf_bytes()),
            },
            follow=True,
        )
        assert response.status_code == 200
        assert Document.objects.get().text == ""
        assert any(
            "encrypted" in str(m) or "зашифр" in str(m) for m in response.context["messages"]
        )

    def test_a_replaced_file_is_kept_and_residents_download_the_new_one(
        self, client, admin_user, settings, django_capture_on_commit_callbacks
    ):
        """An official document's earlier file is a record of what was published: it is
        not deleted when the file is replaced (unlike an article's picture). It is not
        public either: no page names a document's /media/ address, the download serves
        the current file."""
        document, _ = make_document(pdf_bytes("Перша редакція рішення"))
        old = Path(settings.MEDIA_ROOT) / document.file.name
        client.force_login(admin_user)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("admin:documents_document_change", args=[document.pk]),
                {
                    "title": document.title,
                    "kind": document.kind_id,
                    "number": document.number,
                    "adopted_on": "2024-03-05",
                    "issuer": document.issuer_id,
                    "status": "in_force",
                    "is_published": "on",
                    "file": SimpleUploadedFile("new.pdf", pdf_bytes("Виправлена редакція")),
                },
            )
        assert response.status_code == 302, response.content.decode()[:2000]
        document.refresh_from_db()
        assert old.exists()
        assert document.file.name != old.relative_to(settings.MEDIA_ROOT).as_posix()
        assert "Виправлена" in document.text
        page = client.get(document.get_absolute_url()).content.decode()
        assert "/media/" not in page
        download = b"".join(client.get(document.get_download_url()).streaming_content)
        assert download == (Path(settings.MEDIA_ROOT) / document.file.name).read_bytes()


@pytest.mark.django_db
class TestPage:
    def test_registry_filters_and_hides_unpublished(self, client):
        a, _ = make_document(pdf_bytes(), title="Перший", adopted_on=date(2023, 1, 1))
        b, _ = make_document(pdf_bytes(), title="Другий", adopted_on=date(2024, 1, 1))
        make_document(pdf_bytes(), title="Чернетка", is_published=False)
        response = client.get(reverse("documents:list"))
        assert list(response.context["document_list"]) == [b, a]
        response = client.get(reverse("documents:list"), {"year": "2023"})
        assert list(response.context["document_list"]) == [a]
        response = client.get(reverse("documents:list"), {"year": "bogus", "kind": "nope"})
        assert response.status_code == 200
        html = response.content.decode()
        assert 'value="bogus"' not in html  # not echoed back into a field
        assert '<option value="2024">2024</option>' in html
        assert '<option value="2023">2023</option>' in html

    def test_export_keeps_filter(self, client):
        make_document(pdf_bytes(), title="Перший", adopted_on=date(2023, 1, 1))
        make_document(pdf_bytes(), title="Другий", adopted_on=date(2024, 1, 1))
        response = client.get(reverse("documents:list"), {"year": "2024", "format": "json"})
        rows = json.loads(response.content)
        assert [r["title"] for r in rows] == ["Другий"]
        response = client.get(reverse("documents:list"), {"format": "csv"})
        assert response["Content-Type"].startswith("text/csv")
        assert "Перший" in response.content.decode("utf-8-sig")

    def test_detail_and_download_headers(self, client):
        document, _ = make_document(pdf_bytes())
        response = client.get(document.get_absolute_url(), {"q": "благоустрою"})
        assert "<mark>благоустрій</mark>" in response.content.decode()
        response = client.get(document.get_download_url())
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content).startswith(b"%PDF")

    def test_unpublished_detail_is_404(self, client):
        document, _ = make_document(pdf_bytes(), is_published=False)
        assert client.get(document.get_absolute_url()).status_code == 404
        assert client.get(document.get_download_url()).status_code == 404


@pytest.mark.django_db
def test_demo_loads_twenty_searchable_documents_once():
    from documents import demo
    from search.selectors import search_entries

    out = io.StringIO()
    demo.load(out)
    demo.load(out)
    assert Document.objects.count() == 20
    assert all(d.text for d in Document.objects.all())
    assert search_entries("мости").results.exists()
