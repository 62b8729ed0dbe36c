"""Articles and sections: slugs, scheduling, sanitised bodies."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from news.models import Article, Category
from news.slugs import transliterate
from tests.conftest import make_article, make_category

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Покровська громада", "pokrovska-hromada"),
        ("Згорани та Їжакевич", "zghorany-ta-yizhakevych"),
        ("Щастя і ґанок", "shchastia-i-ganok"),
        ("Київ, Юрій, Яготин", "kyiv-yurii-yahotyn"),
        ("Угода з м'ясокомбінатом", "uhoda-z-miasokombinatom"),
    ],
)
def test_slug_follows_official_transliteration(title, slug):
    """Resolution No. 55 of 2010: зг → zgh, щ → shch, ї/ю at the start → yi/yu."""
    assert transliterate(title) == slug


def test_slug_is_filled_from_the_title_and_unique_per_category(category):
    first = make_article(category=category, title="Відкриття скверу")
    second = make_article(category=category, title="Відкриття скверу")
    elsewhere = make_article(category=make_category(), title="Відкриття скверу")
    assert first.slug == "vidkryttia-skveru"
    assert second.slug == "vidkryttia-skveru-2"
    assert elsewhere.slug == "vidkryttia-skveru"


@pytest.mark.django_db
def test_a_long_section_name_gets_a_slug_that_fits_its_field():
    """Transliteration lengthens Ukrainian (щ → shch, ж → zh): a name of 93 letters makes
    102 characters, more than the slug's 100 (PostgreSQL refused the row: a 500 in the
    admin). Two such names differing only at the end still get distinct slugs."""
    stem = "Щотижневі жеребкування житлових черг і щорічні звіти житлово-комунального господарства "
    first = make_category(name=stem + "громади")
    second = make_category(name=stem + "міста")
    limit = Category._meta.get_field("slug").max_length
    assert len(transliterate(first.name)) > limit
    assert len(first.slug) <= limit and len(second.slug) <= limit
    assert first.slug != second.slug and second.slug.endswith("-2")
    assert Category.objects.count() == 2


def test_editor_slug_is_kept(category):
    article = make_article(category=category, title="Будь-що", slug="vlasna-adresa")
    assert article.slug == "vlasna-adresa"


def test_category_slug_filled_from_name():
    assert make_category(name="Культура і спорт").slug == "kultura-i-sport"


def test_published_excludes_drafts_and_future_articles(category):
    visible = make_article(category=category)
    make_article(category=category, status=Article.Status.DRAFT)
    make_article(category=category, published_at=timezone.now() + datetime.timedelta(hours=1))
    assert list(Article.objects.published()) == [visible]


def test_scheduled_article_appears_by_itself_at_its_time(client, category):
    publish_at = timezone.now() + datetime.timedelta(hours=2)
    article = make_article(category=category, title="Анонс ярмарку", published_at=publish_at)
    url = article.get_absolute_url()
    assert client.get(url).status_code == 404
    assert "Анонс ярмарку" not in client.get("/").content.decode()
    with time_machine.travel(publish_at + datetime.timedelta(seconds=1)):
        assert client.get(url).status_code == 200
        assert "Анонс ярмарку" in client.get("/").content.decode()


@pytest.mark.parametrize(
    "dirty",
    [
        '<p>Текст</p><script>alert("x")</script>',
        '<p>Текст</p><img src="x.png" onerror="alert(1)">',
        '<p>Текст</p><a href="javascript:alert(1)">посилання</a>',
        '<p onclick="alert(1)">Текст</p><iframe src="https://evil.example"></iframe>',
        "<p>Текст</p><svg><script>alert(1)</script></svg><style>body{}</style>",
    ],
)
def test_body_is_sanitised_on_save(category, dirty):
    article = make_article(category=category, body=dirty)
    article.refresh_from_db()
    body = article.body.lower()
    assert "Текст" in article.body
    for forbidden in ("<script", "onerror", "javascript:", "onclick", "<iframe", "<style"):
        assert forbidden not in body


def test_sanitiser_keeps_editor_formatting(category):
    html = (
        '<h2>Підзаголовок</h2><p><strong>Жирний</strong> і <a href="https://example.org">'
        'посилання</a></p><figure class="image"><img src="/media/a.webp" alt="Опис"></figure>'
        "<ul><li>пункт</li></ul><table><tbody><tr><td>1</td></tr></tbody></table>"
    )
    article = make_article(category=category, body=html)
    article.refresh_from_db()
    for kept in ("<h2>", "<strong>", 'href="https://example.org"', 'alt="Опис"', "<td>1</td>"):
        assert kept in article.body


def test_an_address_kept_on_the_instance_follows_its_slug_section_and_language(category):
    """get_absolute_url is remembered on the instance (sections are shared by every
    request of a process): it must still change with what the address is made of."""
    from django.utils import translation

    article = make_article(category=category, title="Ярмарок на площі")
    first = article.get_absolute_url()
    assert first == f"/news/{category.slug}/{article.slug}/"
    article.slug = "yarmarok-perenesly"
    assert article.get_absolute_url() == f"/news/{category.slug}/yarmarok-perenesly/"
    article.category = make_category(name="Оголошення")
    assert article.get_absolute_url() == "/news/oholoshennia/yarmarok-perenesly/"
    with translation.override("en"):
        assert article.get_absolute_url() == "/en/news/oholoshennia/yarmarok-perenesly/"
        assert category.get_absolute_url() == f"/en/news/{category.slug}/"
    assert category.get_absolute_url() == f"/news/{category.slug}/"
