"""A resident searches the documents from the header, filters by kind, downloads a file."""

from datetime import date

import pytest

from documents.models import DocumentKind
from tests.documents.test_documents import docx_bytes, make_document, pdf_bytes


@pytest.mark.django_db(transaction=True)
def test_document_search_filter_open_and_download(page):
    make_document(pdf_bytes("Рішення про ремонт мосту"), title="Про ремонт мосту", number="12")
    order = DocumentKind.objects.create(name="наказ", slug="nakaz")
    make_document(
        docx_bytes("Наказ про ремонт школи"),
        title="Про ремонт школи",
        number="5-н",
        kind=order,
        adopted_on=date(2024, 5, 6),
    )
    page.goto("/")
    page.locator("#doc-search-q").fill("ремонти")
    page.locator("#doc-search-q").press("Enter")
    results = page.locator(".search-results li")
    assert results.count() == 2
    page.get_by_label("Вид", exact=True).select_option("nakaz")
    page.locator(
        "main form button[type=submit], form[action$='/search/documents/'] .button"
    ).last.click()
    assert page.locator(".search-results li").count() == 1
    page.get_by_role("link", name="Про ремонт школи").click()
    assert page.locator("mark").first.inner_text().lower() == "ремонт"
    with page.expect_download() as info:
        page.get_by_role("link", name="Завантажити").click()
    download = info.value
    assert download.suggested_filename == "nakaz-5-н.docx"
    assert download.path().read_bytes()[:2] == b"PK"
