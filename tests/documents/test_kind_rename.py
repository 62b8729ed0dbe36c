"""Renaming a document kind in the admin reindexes its documents (the search holds
the kind's slug for its filter and its name as a word of the title)."""

import pytest
from django.urls import reverse

from documents.models import DocumentKind
from documents.services import document_kind_save
from tests.documents.test_documents import make_document, pdf_bytes


def found_titles(client, **params):
    response = client.get(reverse("search:documents"), params)
    assert response.status_code == 200
    return [entry.title for entry in response.context["results"]]


@pytest.mark.django_db
class TestKindRename:
    def test_renamed_kind_is_searched_by_its_new_name_and_slug(self, client, admin_user):
        document, _ = make_document(pdf_bytes("Ремонт мосту через річку"), title="Про ремонт мосту")
        kind = document.kind
        assert found_titles(client, q="рішення", kind="rishennia") == ["Про ремонт мосту"]

        client.force_login(admin_user)
        response = client.post(
            reverse("admin:documents_documentkind_change", args=[kind.pk]),
            {"name": "розпорядження", "slug": "rozporiadzhennia", "position": kind.position},
        )
        assert response.status_code == 302
        client.logout()

        assert found_titles(client, q="розпорядження") == ["Про ремонт мосту"]
        assert found_titles(client, kind="rozporiadzhennia", q="мосту") == ["Про ремонт мосту"]
        assert found_titles(client, q="рішення") == []
        # The body's words were kept, not lost with the title's reindexing.
        assert found_titles(client, q="річку", kind="rozporiadzhennia") == ["Про ремонт мосту"]
        assert found_titles(client, q="розпорядження річку") == ["Про ремонт мосту"]
        # The old slug is no kind any more: the filter says so rather than finding nothing.
        response = client.get(reverse("search:documents"), {"kind": "rishennia", "q": "мосту"})
        assert "Такого виду документів у реєстрі немає" in response.content.decode()

    def test_position_change_does_not_reindex(self):
        document, _ = make_document(pdf_bytes())
        kind = DocumentKind.objects.get(pk=document.kind.pk)
        kind.position = 7
        assert document_kind_save(kind=kind) == 0
        kind.name = "наказ"
        assert document_kind_save(kind=kind) == 1
