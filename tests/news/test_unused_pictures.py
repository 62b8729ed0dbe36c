"""Pictures leave the site once no article shows them: taken out of an article's text, or
left by a save that failed (manage.py prune_pictures)."""

import os
import time
from io import StringIO

import pytest
from django.contrib.auth.models import Permission
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import transaction

from news.models import Article
from news.services import article_save, articles_delete, picture_rendition_names
from tests.conftest import make_article, make_image_upload

DAY = 24 * 3600


@pytest.fixture
def editor_client(client, staff_user):
    staff_user.user_permissions.add(Permission.objects.get(codename="change_article"))
    client.force_login(staff_user)
    return client


def upload(client, age_seconds=2 * DAY) -> tuple[str, str]:
    """An editor's upload through CKEditor's endpoint, made ``age_seconds`` ago: its
    address as the editor inserts it, and its name in the storage."""
    response = client.post("/editor/image-upload/", {"upload": make_image_upload()})
    assert response.status_code == 200
    url = response.json()["url"]
    name = "editor/" + url.split("/editor/", 1)[1]
    then = time.time() - age_seconds
    os.utime(default_storage.path(name), (then, then))
    return url, name


def with_picture(url: str) -> str:
    return f'<p>Нова зупинка на вулиці Шевченка.</p><p><img src="{url}" alt="Зупинка"></p>'


def prune(*args) -> str:
    out = StringIO()
    call_command("prune_pictures", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_a_picture_taken_out_of_the_text_is_deleted_and_one_still_shown_is_kept(editor_client):
    kept_url, kept = upload(editor_client)
    removed_url, removed = upload(editor_client)
    article = make_article(body=with_picture(kept_url) + with_picture(removed_url))
    assert prune() == "Pictures no article shows, deleted: 0.\n"  # both shown
    assert default_storage.exists(kept) and default_storage.exists(removed)

    article.body = with_picture(kept_url)
    article.save()
    assert prune() == "Pictures no article shows, deleted: 1.\n"
    assert default_storage.exists(kept)
    assert not default_storage.exists(removed)


@pytest.mark.django_db
def test_a_deleted_articles_pictures_go_and_a_drafts_stay(editor_client):
    deleted_url, deleted = upload(editor_client)
    draft_url, draft = upload(editor_client)
    make_article(body=with_picture(deleted_url), title="Буде видалено")
    make_article(body=with_picture(draft_url), status=Article.Status.DRAFT)
    articles_delete(articles=Article.objects.filter(title="Буде видалено"))
    prune()
    assert not default_storage.exists(deleted)
    assert default_storage.exists(draft)


@pytest.mark.django_db
def test_a_recent_upload_not_yet_saved_in_any_article_is_kept(editor_client):
    _, recent = upload(editor_client, age_seconds=3600)
    _, old = upload(editor_client, age_seconds=2 * DAY)
    prune()
    assert default_storage.exists(recent)  # its editor may still be writing the article
    assert not default_storage.exists(old)
    prune("--older-than", "0.5")
    assert not default_storage.exists(recent)


@pytest.mark.django_db
def test_pictures_on_a_cdn_are_recognised_by_their_name(media_on_a_cdn, editor_client):
    url, name = upload(editor_client)
    assert url.startswith(media_on_a_cdn)
    make_article(body=with_picture(url))
    prune()
    assert default_storage.exists(name)


@pytest.mark.django_db
def test_a_dry_run_lists_and_deletes_nothing_and_other_media_are_never_touched(
    editor_client, article
):
    _, name = upload(editor_client)
    stray = default_storage.save("editor/notes.txt", make_image_upload())
    article.picture = make_image_upload()
    article.save()
    out = prune("--dry-run", "--verbosity", "2")
    assert out == f"{name}\nPictures no article shows, to delete: 1.\n"
    assert default_storage.exists(name)
    prune()
    assert not default_storage.exists(name)
    assert default_storage.exists(stray) and default_storage.exists(article.picture.name)


@pytest.mark.django_db
def test_nothing_uploaded_yet_and_a_negative_age_are_handled():
    assert prune() == "Pictures no article shows, deleted: 0.\n"
    with pytest.raises(CommandError, match="must not be negative"):
        prune("--older-than", "-1")


def age(*names, seconds=2 * DAY):
    then = time.time() - seconds
    for name in names:
        os.utime(default_storage.path(name), (then, then))


@pytest.mark.django_db
def test_a_picture_left_by_a_failed_save_goes_with_its_renditions(article):
    article.picture = make_image_upload()
    article_save(article=article, picture_changed=True)
    kept = article.picture.name
    with pytest.raises(RuntimeError), transaction.atomic():
        article.picture = make_image_upload()
        article_save(article=article, picture_changed=True)
        raise RuntimeError("the admin's save failed after the upload was stored")
    left = article.picture.name
    left_renditions = {n for n in picture_rendition_names(left) if default_storage.exists(n)}
    assert left != kept and default_storage.exists(left) and left_renditions
    age(left, kept, *left_renditions)
    assert prune() == "Pictures no article shows, deleted: 1.\n"
    assert not default_storage.exists(left)
    assert not any(default_storage.exists(name) for name in left_renditions)
    article.refresh_from_db()
    assert article.picture.name == kept and default_storage.exists(kept)
    assert all(default_storage.exists(name) for name in picture_rendition_names(kept))
