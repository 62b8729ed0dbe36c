"""What editors get in the admin."""

import pytest

from news.models import Article
from tests.conftest import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(django_user_model, editors_group):
    user = django_user_model.objects.create_user("redaktor", password="correct-horse-battery")
    user.is_staff = True
    user.save()
    user.groups.add(editors_group)
    return user


def test_editors_group_has_exactly_the_news_permissions(editor):
    assert editor.has_perm("news.add_article")
    assert editor.has_perm("news.change_article")
    assert editor.has_perm("news.view_category")
    assert not editor.has_perm("news.delete_category")
    assert not editor.has_perm("auth.change_user")
    assert not editor.has_perm("auth.add_group")


def test_an_editor_publishes_an_article_and_the_slug_is_filled(client, editor, category):
    client.force_login(editor)
    response = client.post(
        "/admin/news/article/add/",
        {
            "title": "Ремонт дороги на Шевченка",
            "slug": "",
            "category": category.pk,
            "lead": "Ремонт триватиме тиждень.",
            "body": "<p>Текст</p><script>alert(1)</script>",
            "status": "published",
            "published_at_0": "2026-11-20",
            "published_at_1": "10:00:00",
            "author": editor.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get()
    assert article.slug == "remont-dorohy-na-shevchenka"
    assert "<script" not in article.body
    assert client.get(article.get_absolute_url()).status_code == 200


def test_the_change_list_filters_and_searches(client, editor, category):
    make_article(category=category, title="Про водогін")
    make_article(category=category, title="Про дороги", status=Article.Status.DRAFT)
    client.force_login(editor)
    response = client.get("/admin/news/article/", {"q": "водогін"})
    assert response.status_code == 200
    assert "Про водогін" in response.content.decode()
    assert "Про дороги" not in response.content.decode()
    drafts = client.get("/admin/news/article/", {"status__exact": "draft"}).content.decode()
    assert "Про дороги" in drafts and "Про водогін" not in drafts


def test_the_view_count_is_read_only_and_view_on_site_is_offered(client, editor, article):
    client.force_login(editor)
    html = client.get(f"/admin/news/article/{article.pk}/change/").content.decode()
    assert 'name="views"' not in html
    assert "/admin/r/" in html


def test_editors_may_run_polls_and_compose_mailings_but_not_delete_subscribers(editor):
    assert editor.has_perm("polls.change_poll")
    assert editor.has_perm("newsletter.add_mailing")
    assert editor.has_perm("newsletter.view_subscriber")
    assert not editor.has_perm("newsletter.delete_subscriber")
    assert not editor.has_perm("polls.delete_poll")


@pytest.mark.parametrize(
    ("body", "saved"),
    [
        ('<p>Схема</p><figure class="image"><img src="/media/a.webp"></figure>', False),
        ('<p>Схема</p><img src="/media/a.webp" alt="  ">', False),
        ('<p>Схема</p><img src="/media/a.webp" alt="Схема обʼїзду вулиці Шевченка">', True),
    ],
)
def test_a_picture_in_the_text_needs_a_description(client, editor, category, body, saved):
    client.force_login(editor)
    response = client.post(
        "/admin/news/article/add/",
        {
            "title": "Обʼїзд на час ремонту",
            "slug": "",
            "category": category.pk,
            "lead": "",
            "body": body,
            "status": "draft",
            "published_at_0": "2026-11-20",
            "published_at_1": "10:00:00",
            "author": editor.pk,
        },
    )
    assert Article.objects.exists() is saved
    if not saved:
        assert response.status_code == 200
        assert "1 зображення в тексті не має опису" in response.content.decode()
