"""A result's link is the object's address now and in the page's language, worked out
when the page is shown (search.selectors.attach_links), not an address kept in the index."""

import pytest
from django.urls import reverse

from tests.conftest import make_article, make_category
from tests.documents.test_documents import make_document, pdf_bytes


def links(response):
    return [entry.link for entry in response.context["results"]]


@pytest.mark.django_db
class TestResultLinks:
    def test_an_article_moved_to_another_section_links_to_its_new_address(self, client):
        article = make_article(title="Ремонт мосту")
        article.category = make_category(name="Транспорт", slug="transport")
        article.save()
        response = client.get(reverse("search:results"), {"q": "міст"})
        assert links(response) == [f"/news/transport/{article.slug}/"]
        assert f'href="/news/transport/{article.slug}/"' in response.content.decode()

    def test_a_section_renamed_in_its_address_is_followed(self, client):
        category = make_category(name="Культура", slug="kultura")
        article = make_article(title="Ремонт мосту", category=category)
        category.slug = "kultura-i-mystetstvo"
        category.save()
        response = client.get(reverse("search:results"), {"q": "міст"})
        assert f'href="/news/kultura-i-mystetstvo/{article.slug}/"' in response.content.decode()

    def test_a_new_slug_is_followed(self, client):
        article = make_article(title="Ремонт мосту")
        type(article).objects.filter(pk=article.pk).update(slug="remont-mostu-2026")
        response = client.get(reverse("search:results"), {"q": "міст"})
        assert links(response) == [f"/news/{article.category.slug}/remont-mostu-2026/"]

    def test_english_pages_link_to_english_pages(self, client):
        article = make_article(title="Ремонт мосту")
        document, _ = make_document(pdf_bytes("Рішення про ремонт мосту"), title="Про міст")
        response = client.get("/en/search/", {"q": "міст"})
        html = response.content.decode()
        assert f'href="/en/news/{article.category.slug}/{article.slug}/"' in html
        assert f'href="/en/documents/{document.pk}/?q=' in html
        response = client.get("/en/search/documents/", {"q": "міст"})
        assert links(response) == [f"/en/documents/{document.pk}/"]
        response = client.get("/search/", {"q": "міст"})
        assert sorted(links(response)) == sorted(
            [f"/news/{article.category.slug}/{article.slug}/", f"/documents/{document.pk}/"]
        )

    def test_a_page_of_links_costs_a_bounded_number_of_queries(
        self, client, django_assert_max_num_queries
    ):
        for number in range(12):
            make_article(title=f"Ремонт мосту {number}", category=make_category())
        for number in range(3):
            make_document(pdf_bytes("Ремонт мосту"), title=f"Про міст {number}")
        with django_assert_max_num_queries(8):
            response = client.get(reverse("search:results"), {"q": "міст"})
        assert len(set(links(response))) == 10


@pytest.mark.django_db
class TestResultLabels:
    """A result says what it is: a document by its kind ("Розпорядження № 7-р"), so a
    resident can tell a council's decision from the mayor's order without opening it."""

    def meta_lines(self, response):
        html = response.content.decode()
        return [line.split(">", 1)[1] for line in html.split("\n") if 'class="meta"' in line]

    def test_documents_are_labelled_by_their_kind_and_articles_as_news(self, client):
        from documents.models import DocumentKind

        order = DocumentKind.objects.create(name="розпорядження", slug="rozporiadzhennia")
        make_document(pdf_bytes("Ремонт мосту"), title="Про міст", number="12-р")
        make_document(pdf_bytes("Ремонт мосту"), title="Про міст", number="7-р", kind=order)
        make_article(title="Ремонт мосту")
        lines = self.meta_lines(client.get(reverse("search:results"), {"q": "міст"}))
        assert sorted(line.split(" · ")[0] for line in lines) == [
            "Новина",
            "Розпорядження № 7-р",
            "Рішення № 12-р",
        ]
        english = self.meta_lines(client.get("/en/search/documents/", {"q": "міст"}))
        assert sorted(line.split(" · ")[0] for line in english) == [
            "Розпорядження № 7-р",  # the council's own names of its kinds
            "Рішення № 12-р",
        ]

    def test_a_renamed_kind_shows_its_new_name(self, client):
        from documents.models import DocumentKind
        from documents.services import document_kind_save

        make_document(pdf_bytes("Ремонт мосту"), title="Про міст", number="12-р")
        kind = DocumentKind.objects.get(slug="rishennia")
        kind.name = "рішення виконавчого комітету"
        document_kind_save(kind=kind)
        lines = self.meta_lines(client.get(reverse("search:documents"), {"q": "міст"}))
        assert [line.split(" · ")[0] for line in lines] == ["Рішення виконавчого комітету № 12-р"]

    def test_a_page_of_documents_of_many_kinds_costs_a_bounded_number_of_queries(
        self, client, django_assert_max_num_queries
    ):
        """The kinds' names come with the rows the links are read from: a page of ten
        documents of five kinds costs what a page of one kind does."""
        from documents.models import DocumentKind

        kinds = [
            DocumentKind.objects.create(name=f"вид {number}", slug=f"vyd-{number}")
            for number in range(5)
        ]
        for number in range(12):
            make_document(
                pdf_bytes("Ремонт мосту"),
                title=f"Про міст {number}",
                number=f"{number}-р",
                kind=kinds[number % 5],
            )
        url = reverse("search:documents")
        # The page's ranked ids, their rows, their documents with their kinds; the
        # filters' years, kinds and bodies, the sections, the sidebar's poll; FTS5's table.
        with django_assert_max_num_queries(9):
            response = client.get(url, {"q": "міст"})
        lines = self.meta_lines(response)
        assert len(lines) == 10
        assert {line.split(" № ")[0] for line in lines} == {f"Вид {n}" for n in range(5)}
        with django_assert_max_num_queries(9):
            assert len(self.meta_lines(client.get(url, {"q": "міст", "page": "2"}))) == 2
