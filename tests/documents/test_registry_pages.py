"""The registry's page number as a resident's address may carry it: cut short, typed, or
left from when the list was longer. The page shown is the one the search pages would
show (Paginator.get_page()), never Django's 404 page or a server error."""

from datetime import date

import pytest
from django.urls import reverse

from documents.views import DocumentListView
from tests.documents.test_documents import make_document, pdf_bytes

CANONICAL = '<link rel="canonical" href="{}/documents/{}">'


@pytest.fixture
def registry(db, monkeypatch):
    """Five documents, two a page: pages 1–3, the newest first."""
    monkeypatch.setattr(DocumentListView, "paginate_by", 2)
    for year in range(2020, 2025):
        make_document(pdf_bytes(), title=f"Рішення {year} року", adopted_on=date(year, 1, 1))


def titles(response):
    return [document.title for document in response.context["document_list"]]


@pytest.mark.usefixtures("registry")
class TestRegistryPages:
    @pytest.mark.parametrize("page", ["abc", "", "1.5", "2abc", "%"])
    def test_a_page_that_is_not_a_number_is_the_first(self, client, settings, page):
        response = client.get(reverse("documents:list"), {"page": page})
        assert response.status_code == 200
        assert titles(response) == ["Рішення 2024 року", "Рішення 2023 року"]
        html = response.content.decode()
        assert '<span aria-current="page">1</span>' in html
        # Search engines are told the first page's own address.
        assert CANONICAL.format(settings.SITE_URL, "") in html

    @pytest.mark.parametrize("page", ["0", "-1", "4", "99999", "99999999999999999999"])
    def test_a_page_out_of_range_is_the_last(self, client, settings, page):
        response = client.get(reverse("documents:list"), {"page": page})
        assert response.status_code == 200
        assert titles(response) == ["Рішення 2020 року"]
        html = response.content.decode()
        assert '<span aria-current="page">3</span>' in html
        assert CANONICAL.format(settings.SITE_URL, "?page=3") in html

    def test_the_filter_is_kept_whatever_the_page(self, client):
        response = client.get(reverse("documents:list"), {"year": "2023", "page": "abc"})
        assert titles(response) == ["Рішення 2023 року"]

    def test_a_real_page_is_shown_as_before(self, client):
        response = client.get(reverse("documents:list"), {"page": "2"})
        assert titles(response) == ["Рішення 2022 року", "Рішення 2021 року"]
