import pytest

from tests.conftest import make_article


@pytest.mark.django_db
def test_home_lists_published_article(client):
    article = make_article(title="Відкрито новий сквер")
    response = client.get("/")
    assert response.status_code == 200
    assert article.title in response.content.decode()
