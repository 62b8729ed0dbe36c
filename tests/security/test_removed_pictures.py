"""A picture an editor replaced or removed, and its renditions, are no longer public:
the files under /media/ (nginx serves whatever is there, S3 likewise) are deleted once
the change is committed, unless another article still shows the same file."""

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from news.models import Article
from news.services import article_picture_renditions, article_save, rendition_name
from tests.conftest import make_article, make_image_bytes, make_image_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(django_user_model, editors_group):
    user = django_user_model.objects.create_user("redaktor", is_staff=True)
    user.groups.add(editors_group)
    return user


def picture_files(settings, name: str) -> list[Path]:
    """The picture's file and its renditions, as nginx would serve them."""
    media = Path(settings.MEDIA_ROOT)
    return [
        media / name,
        *(media / rendition_name(name, width) for width in settings.NEWS_RENDITION_WIDTHS),
    ]


def article_with_picture(category, **fields) -> Article:
    article = make_article(category=category, picture_alt="Сквер з лавками", **fields)
    article.picture.save("skver.jpg", ContentFile(make_image_bytes(1600, 900)), save=True)
    article_picture_renditions(article)
    return article


def change_data(article: Article, **changes) -> dict:
    published = timezone.localtime(article.published_at)
    return {
        "title": article.title,
        "slug": article.slug,
        "category": article.category_id,
        "lead": article.lead,
        "body": article.body,
        "picture_alt": article.picture_alt,
        "status": article.status,
        "published_at_0": f"{published:%Y-%m-%d}",
        "published_at_1": f"{published:%H:%M:%S}",
        "author": "",
        **changes,
    }


def test_a_replaced_picture_and_its_renditions_are_deleted_after_the_commit(
    client, editor, category, settings, django_capture_on_commit_callbacks
):
    article = article_with_picture(category)
    old = picture_files(settings, article.picture.name)
    assert all(path.exists() for path in old)
    client.force_login(editor)

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            f"/admin/news/article/{article.pk}/change/",
            change_data(article, picture=make_image_upload(width=1600, height=900)),
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        # Not before the commit: a rollback would leave the article without a picture.
        assert all(path.exists() for path in old)
    for callback in callbacks:
        callback()

    assert not any(path.exists() for path in old)
    article.refresh_from_db()
    assert all(path.exists() for path in picture_files(settings, article.picture.name))
    page = client.get(article.get_absolute_url()).content.decode()
    assert article.picture.url in page


def test_a_picture_removed_with_the_clear_box_is_deleted(
    client, editor, category, settings, django_capture_on_commit_callbacks
):
    article = article_with_picture(category)
    old = picture_files(settings, article.picture.name)
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/news/article/{article.pk}/change/",
            change_data(article, **{"picture-clear": "on", "picture_alt": ""}),
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    article.refresh_from_db()
    assert not article.picture
    assert not any(path.exists() for path in old)


def test_a_change_that_keeps_the_picture_deletes_nothing(
    client, editor, category, settings, django_capture_on_commit_callbacks
):
    article = article_with_picture(category)
    files = picture_files(settings, article.picture.name)
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/news/article/{article.pk}/change/", change_data(article, title="Нова назва")
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert all(path.exists() for path in files)


def test_a_refused_change_deletes_nothing(
    client, editor, category, settings, django_capture_on_commit_callbacks
):
    """A new picture without its description is refused: the old one stays, files too."""
    article = article_with_picture(category)
    files = picture_files(settings, article.picture.name)
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/news/article/{article.pk}/change/",
            change_data(article, picture=make_image_upload(), picture_alt=""),
        )
    assert response.status_code == 200
    assert all(path.exists() for path in files)


def test_a_rolled_back_replacement_deletes_nothing(
    category, settings, django_capture_on_commit_callbacks
):
    article = article_with_picture(category)
    files = picture_files(settings, article.picture.name)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        article.picture = make_image_upload(width=1600, height=900)
        article_save(article=article, picture_changed=True)
        raise RuntimeError("the database went away")
    assert callbacks == []
    assert all(path.exists() for path in files)


def test_deleting_an_article_deletes_its_picture_and_renditions(
    client, editor, category, settings, django_capture_on_commit_callbacks
):
    article = article_with_picture(category)
    files = picture_files(settings, article.picture.name)
    # A rendition of a width the site no longer makes goes too.
    files.append(Path(settings.MEDIA_ROOT) / rendition_name(article.picture.name, 640))
    files[-1].write_bytes(b"RIFF")
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/news/article/{article.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Article.objects.exists()
    assert not any(path.exists() for path in files)


def test_deleting_articles_from_the_list_deletes_their_pictures(
    client, editor, category, settings, django_capture_on_commit_callbacks
):
    articles = [article_with_picture(category) for _ in range(2)]
    kept = article_with_picture(category)
    files = [path for article in articles for path in picture_files(settings, article.picture.name)]
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/news/article/",
            {
                "action": "delete_selected",
                "_selected_action": [article.pk for article in articles],
                "post": "yes",
            },
        )
    assert response.status_code == 302
    assert list(Article.objects.all()) == [kept]
    assert not any(path.exists() for path in files)
    assert all(path.exists() for path in picture_files(settings, kept.picture.name))


def test_a_picture_another_article_shows_is_kept(
    client, editor, category, settings, django_capture_on_commit_callbacks
):
    article = article_with_picture(category)
    twin = make_article(category=category, picture=article.picture.name, picture_alt="Сквер")
    files = picture_files(settings, article.picture.name)
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/news/article/{article.pk}/delete/", {"post": "yes"})
    assert not Article.objects.filter(pk=article.pk).exists()
    assert all(path.exists() for path in files)
    assert client.get(twin.get_absolute_url()).status_code == 200
