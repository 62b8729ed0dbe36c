import pytest

from tests.conftest import make_article


@pytest.mark.django_db(transaction=True)
def test_home_page_shows_news(page):
    make_article(title="Відкрито новий сквер")
    page.goto("/")
    assert page.get_by_role("link", name="Відкрито новий сквер").is_visible()
