"""What goes into the index: an article's body and a document's text read as words."""

import io
import zoneinfo

import pytest
from django.urls import reverse

from search.models import IndexEntry
from search.selectors import search_entries
from tests.conftest import make_article
from tests.documents.test_documents import docx_bytes, make_document

KYIV = zoneinfo.ZoneInfo("Europe/Kyiv")


def titles(text, **kwargs):
    return [entry.title for entry in search_entries(text, **kwargs).results]


@pytest.mark.django_db
class TestBodyReadAsWords:
    def test_words_of_two_paragraphs_are_not_glued(self, client):
        make_article(
            title="Новини тижня",
            lead="",
            body="<p>Відремонтували дорогу</p><p>Школа&nbsp;відкрилася після&nbsp;ремонту</p>",
        )
        assert titles("школа") == ["Новини тижня"]
        assert titles("дорога") == ["Новини тижня"]
        page = client.get(reverse("search:results"), {"q": "школа"}).content.decode()
        assert "дорогу <mark>Школа</mark> відкрилася після ремонту" in page
        assert "nbsp" not in page and "&lt;p" not in page

    def test_entities_are_read_in_the_index_and_the_snippet(self, client):
        make_article(title="Ярмарок", lead="", body="<p>Мед &amp; віск, сир&nbsp;та «бринза»</p>")
        entry = IndexEntry.objects.get()
        assert entry.body == "Мед & віск, сир та «бринза»"
        page = client.get(reverse("search:results"), {"q": "сир"}).content.decode()
        assert "Мед &amp; віск, <mark>сир</mark> та «бринза»" in page

    def test_a_documents_paragraphs_are_words_apart(self):
        import docx

        document = docx.Document()
        document.add_paragraph("Про ремонт дороги")
        document.add_paragraph("Школа №3")
        table = document.add_table(rows=1, cols=2)
        table.rows[0].cells[0].text = "Кошторис"
        table.rows[0].cells[1].text = "Виконавець"
        buffer = io.BytesIO()
        document.save(buffer)
        made, _ = make_document(buffer.getvalue(), title="Розпорядження")
        assert titles("школа") == titles("кошторис") == titles("виконавець") == ["Розпорядження"]
        words = "Про ремонт дороги Школа №3 Кошторис Виконавець"
        assert made.text.split() == words.split()

    def test_a_documents_text_keeps_no_markup(self):
        made, _ = make_document(docx_bytes("Рішення &nbsp;про <b>парк</b>"))
        assert titles("парк") == [made.title]
