"""What editors get in the admin."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.utils import timezone

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


def change_form(article, **changes):
    local = timezone.localtime(article.published_at)
    data = {
        "title": article.title,
        "slug": article.slug,
        "category": article.category_id,
        "lead": article.lead,
        "body": article.body,
        "status": article.status,
        "published_at_0": local.strftime("%Y-%m-%d"),
        "published_at_1": local.strftime("%H:%M:%S"),
        # The time shown when the form was opened: the admin tells a changed time by it
        # (the field's default is a callable).
        "initial-published_at_0": local.strftime("%Y-%m-%d"),
        "initial-published_at_1": local.strftime("%H:%M:%S"),
        "author": "",
    }
    return {**data, **changes}


@pytest.mark.parametrize("time_edited", [False, True], ids=["time-left-as-it-was", "time-set"])
def test_a_draft_published_later_appears_at_the_moment_it_is_published(
    client, editor, category, time_edited
):
    """A draft begun on Monday and published on Wednesday is Wednesday's news (on top of
    the lists, in the next digest), unless the editor set its time themselves."""
    with time_machine.travel(datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)):
        draft = make_article(
            category=category, status=Article.Status.DRAFT, published_at=timezone.now()
        )
    client.force_login(editor)
    wednesday = datetime.datetime(2026, 11, 25, 12, 30, tzinfo=datetime.UTC)
    changes = {"status": "published"}
    if time_edited:
        changes |= {"published_at_0": "2026-11-24", "published_at_1": "08:00:00"}
    with time_machine.travel(wednesday, tick=False):
        response = client.post(
            f"/admin/news/article/{draft.pk}/change/", change_form(draft, **changes)
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED
    expected = (
        datetime.datetime(2026, 11, 24, 8, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Kyiv"))
        if time_edited
        else wednesday
    )
    assert draft.published_at == expected


def test_an_article_taken_down_and_published_again_keeps_its_time(client, editor, article):
    """An editor unpublishes an article for a fix and publishes it again: it is the
    same news, not today's."""
    first_time = article.published_at.replace(microsecond=0)
    Article.objects.filter(pk=article.pk).update(published_at=first_time)
    article.refresh_from_db()
    client.force_login(editor)
    for status in ("draft", "published"):
        response = client.post(
            f"/admin/news/article/{article.pk}/change/", change_form(article, status=status)
        )
        assert response.status_code == 302
        article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert article.published_at == first_time


def test_editing_a_published_article_keeps_its_time(client, editor, article):
    client.force_login(editor)
    before = article.published_at.replace(microsecond=0)
    Article.objects.filter(pk=article.pk).update(published_at=before)
    response = client.post(
        f"/admin/news/article/{article.pk}/change/",
        change_form(article, title="Громада підписала угоду (оновлено)"),
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.published_at == before


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_published_articles_their_first_publication(category):
    from django.core.management import call_command

    published = make_article(category=category)
    draft = make_article(category=category, status=Article.Status.DRAFT)
    Article.objects.update(first_published_at=None)
    call_command("migrate", "news", "0004", verbosity=0)
    call_command("migrate", "news", verbosity=0)
    published.refresh_from_db()
    draft.refresh_from_db()
    assert published.first_published_at == published.published_at
    assert draft.first_published_at is None


def test_an_editor_with_only_the_news_permissions_chooses_any_staff_author(
    client, editor, category, django_user_model
):
    """The author was an autocomplete over users, and the autocomplete answers 403 to
    an editor without auth.view_user: the editor could not choose anyone. The add page
    lists the active staff by their full names; residents' accounts are not offered."""
    colleague = django_user_model.objects.create_user(
        "koval", first_name="Олена", last_name="Коваль", is_staff=True
    )
    django_user_model.objects.create_user(
        "former", first_name="Колишній", is_staff=True, is_active=False
    )
    django_user_model.objects.create_user("resident", first_name="Мешканець")
    assert not editor.has_perm("auth.view_user")
    client.force_login(editor)

    page = client.get("/admin/news/article/add/").content.decode()
    author_select = page[
        page.index('name="author"') : page.index("</select>", page.index('name="author"'))
    ]
    assert f'<option value="{colleague.pk}">Олена Коваль</option>' in author_select
    assert f'<option value="{editor.pk}" selected>redaktor</option>' in author_select
    assert "Мешканець" not in author_select
    assert "Колишній" not in author_select

    response = client.post(
        "/admin/news/article/add/",
        {
            "title": "Новина колеги",
            "category": category.pk,
            "status": "draft",
            "published_at_0": "2026-11-20",
            "published_at_1": "10:00:00",
            "author": colleague.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Article.objects.get().author == colleague


def test_a_resident_cannot_be_made_an_article_author(client, editor, category, django_user_model):
    resident = django_user_model.objects.create_user("resident", first_name="Мешканець")
    client.force_login(editor)
    response = client.post(
        "/admin/news/article/add/",
        {
            "title": "Новина",
            "category": category.pk,
            "status": "draft",
            "published_at_0": "2026-11-20",
            "published_at_1": "10:00:00",
            "author": resident.pk,
        },
    )
    assert response.status_code == 200
    assert not Article.objects.exists()


def test_an_article_keeps_an_author_who_has_left_the_staff(
    client, editor, category, django_user_model
):
    """An article by someone no longer on the staff is still edited with its author."""
    former = django_user_model.objects.create_user(
        "former", first_name="Петро", last_name="Іваненко", is_staff=False
    )
    article = make_article(category=category, author=former, status=Article.Status.DRAFT)
    client.force_login(editor)
    page = client.get(f"/admin/news/article/{article.pk}/change/").content.decode()
    assert f'<option value="{former.pk}" selected>Петро Іваненко</option>' in page
    response = client.post(
        f"/admin/news/article/{article.pk}/change/",
        {
            "title": "Виправлена назва",
            "slug": article.slug,
            "category": category.pk,
            "status": "draft",
            "published_at_0": "2026-11-20",
            "published_at_1": "10:00:00",
            "author": former.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article.refresh_from_db()
    assert article.title == "Виправлена назва" and article.author == former
