"""The registry under a filter it cannot apply (?kind=nonexistent, ?year=abc …): the
export refuses with a message naming the filter instead of handing over the whole
registry, and the page says what is wrong by the field instead of listing everything."""

import json
import re
from datetime import date

import pytest
from django.urls import reverse

from tests.documents.test_documents import make_document, pdf_bytes

BAD_FILTERS = [
    ({"kind": "nonexistent"}, "Вид", "Такого виду документів у реєстрі немає."),
    ({"year": "abc"}, "Рік", "Виберіть рік зі списку."),
    ({"year": "99999999999999999999"}, "Рік", "Виберіть рік зі списку."),
    ({"year": "1800"}, "Рік", "Виберіть рік зі списку."),
    ({"issuer": "999999"}, "Орган, що видав", "Такого органу в реєстрі немає."),
    ({"issuer": "99999999999999999999"}, "Орган, що видав", "Такого органу в реєстрі немає."),
    ({"issuer": "abc"}, "Орган, що видав", "Такого органу в реєстрі немає."),
    ({"status": "bogus"}, "Статус", "Виберіть статус зі списку."),
    ({"kind": "k" * 20000}, "Вид", "Такого виду документів у реєстрі немає."),
]


@pytest.fixture
def registry(db):
    make_document(pdf_bytes(), title="Про парк", adopted_on=date(2023, 1, 1))
    make_document(pdf_bytes(), title="Про сквер", adopted_on=date(2024, 1, 1))


@pytest.mark.usefixtures("registry")
class TestExport:
    @pytest.mark.parametrize("export_format", ["csv", "json"])
    @pytest.mark.parametrize("params,label,message", BAD_FILTERS)
    def test_an_invalid_filter_exports_nothing_and_says_which(
        self, client, params, label, message, export_format
    ):
        response = client.get(reverse("documents:list"), {**params, "format": export_format})
        assert response.status_code == 400
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        assert "Content-Disposition" not in response
        text = response.content.decode()
        assert f"Фільтр «{label}»: {message}" in text
        assert "Про парк" not in text and "Про сквер" not in text
        assert "abc" not in text and "999999" not in text and "bogus" not in text

    def test_every_invalid_filter_is_named(self, client):
        response = client.get(
            reverse("documents:list"), {"kind": "nope", "status": "bogus", "format": "csv"}
        )
        text = response.content.decode()
        assert "Фільтр «Вид»" in text and "Фільтр «Статус»" in text

    def test_a_valid_filter_still_exports_what_it_picks(self, client):
        response = client.get(
            reverse("documents:list"), {"year": "2024", "kind": "rishennia", "format": "json"}
        )
        assert response.status_code == 200
        assert [row["title"] for row in json.loads(response.content)] == ["Про сквер"]


@pytest.mark.usefixtures("registry")
class TestPage:
    @pytest.mark.parametrize("params,label,message", BAD_FILTERS)
    def test_the_error_is_by_its_field_and_no_list_passes_for_the_answer(
        self, client, params, label, message
    ):
        response = client.get(reverse("documents:list"), params)
        assert response.status_code == 200
        html = response.content.decode()
        (name,) = params
        # The error is tied to its field (WCAG 3.3.1): the field names it in aria-describedby.
        field = re.search(rf'<select name="{name}"[^>]*>', html).group()
        assert 'aria-invalid="true"' in field
        assert f'aria-describedby="id_{name}_error"' in field
        assert f'<ul class="errorlist" id="id_{name}_error"><li>{message}</li></ul>' in html
        assert "Список не показано: виправте позначені вище фільтри." in html
        # Neither the unfiltered registry nor a "nothing matches" that blames the filter.
        assert "Про парк" not in html and "Про сквер" not in html
        assert "Немає документів за цим фільтром" not in html
        # Nor a link to an export that would be refused.
        assert "format=csv" not in html
        # Django's own message, which echoed the typed value onto the page.
        assert "немає серед варіантів" not in html
        assert f'value="{params[name]}"' not in html

    def test_a_valid_filter_lists_without_a_message(self, client):
        html = client.get(reverse("documents:list"), {"year": "2023"}).content.decode()
        assert "Про парк" in html and "Про сквер" not in html
        assert "errorlist" not in html and "Список не показано" not in html
        assert "format=csv" in html

    @pytest.mark.parametrize(
        "params",
        [{"page": "abc"}, {"page": "99999999999999999999"}, {"page": "-1"}, {"format": "x" * 9000}],
    )
    def test_other_junk_is_never_a_server_error(self, client, params):
        assert client.get(reverse("documents:list"), params).status_code in (200, 404)
