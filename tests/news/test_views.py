"""The pages a resident reads: home, lists, sections, the article."""

import datetime
import json

import pytest
from django.utils import timezone

from news.models import Article
from tests.conftest import make_article, make_category, make_image_upload

pytestmark = pytest.mark.django_db


def test_home_features_the_newest_article(client, category):
    older = make_article(category=category, title="Старша новина")
    newest = make_article(category=category, title="Найновіша новина", published_at=timezone.now())
    response = client.get("/")
    assert response.context["featured"] == newest
    assert older in response.context["latest"]
    html = response.content.decode()
    assert html.index("Найновіша новина") < html.index("Старша новина")


def test_all_news_is_paginated(client, settings, category):
    settings.NEWS_PAGE_SIZE = 5
    for _ in range(12):
        make_article(category=category)
    first = client.get("/news/")
    assert len(first.context["articles"]) == 5
    assert "12 новин" in first.content.decode()
    assert 'href="?page=2" rel="next"' in first.content.decode()
    second = client.get("/news/", {"page": 2})
    assert 'href="?page=3" rel="next"' in second.content.decode()
    assert 'href="?page=1" rel="prev"' in second.content.decode()
    last = client.get("/news/?page=3")
    assert len(last.context["articles"]) == 2
    # As the search pages: past the end is the last page, not a number the first.
    for junk, shown in (("99", 3), ("0", 3), ("abc", 1), ("", 1)):
        page = client.get("/news/", {"page": junk})
        assert page.status_code == 200
        assert page.context["page_obj"].number == shown, junk
        assert f'<span aria-current="page">{shown}</span>' in page.content.decode()
    # Each page is its own page for search engines, the first without ?page.
    canonical = '<link rel="canonical" href="{}/news/{}">'
    assert canonical.format(settings.SITE_URL, "") in first.content.decode()
    assert canonical.format(settings.SITE_URL, "?page=2") in second.content.decode()


def test_a_sections_page_out_of_range_is_its_last(client, settings, category):
    settings.NEWS_PAGE_SIZE = 2
    for _ in range(3):
        make_article(category=category)
    url = category.get_absolute_url()
    assert client.get(url, {"page": "99999"}).context["page_obj"].number == 2
    assert client.get(url, {"page": "abc"}).context["page_obj"].number == 1


def test_the_home_page_has_no_pages(client, category):
    make_article(category=category, title="Найновіша новина")
    response = client.get("/", {"page": "abc"})
    assert response.status_code == 200
    assert "Найновіша новина" in response.content.decode()


def test_section_lists_only_its_articles(client, category):
    own = make_article(category=category, title="Своя новина")
    other = make_article(category=make_category(), title="Чужа новина")
    response = client.get(category.get_absolute_url())
    assert own in response.context["articles"]
    assert other not in response.context["articles"]
    assert "1 новина" in response.content.decode()


def test_unknown_section_is_404(client):
    assert client.get("/news/nemaie-takoho/").status_code == 404


def test_article_page_shows_what_the_seed_page_shows(client, category):
    article = make_article(
        category=category,
        title="Громада уклала угоду",
        body="<p>Повний текст угоди.</p>",
        published_at=timezone.make_aware(datetime.datetime(2023, 7, 18, 10, 46)),
    )
    article.views = 261
    article.save()
    related = [make_article(category=category, title=f"Інша новина {i}") for i in range(6)]
    response = client.get(article.get_absolute_url())
    html = response.content.decode()
    assert "<h1>Громада уклала угоду</h1>" in html
    assert "18.07.2023 10:46" in html
    assert "Переглядів:" in html
    assert "Повний текст угоди." in html
    assert "Назад до розділу" in html
    assert f'href="{category.get_absolute_url()}"' in html
    assert "Останні новини з категорії:" in html
    shown = list(response.context["related"])
    assert len(shown) == 5
    assert article not in shown
    assert set(shown) <= set(related)


@pytest.mark.parametrize(
    ("kyiv_time", "attribute", "shown"),
    [
        (
            datetime.datetime(2023, 7, 18, 10, 46, 5),
            "2023-07-18T10:46:05+03:00",
            "18.07.2023 10:46",
        ),
        (datetime.datetime(2024, 1, 5, 8, 3, 0), "2024-01-05T08:03:00+02:00", "05.01.2024 08:03"),
    ],
)
def test_the_article_time_is_kyivs_for_people_and_machines(
    client, category, kyiv_time, attribute, shown
):
    """Summer and winter time: the page and its Open Graph data give the moment in
    Kyiv with its offset, the reader sees it in numbers, in both languages."""
    article = make_article(category=category, published_at=timezone.make_aware(kyiv_time))
    make_article(category=category, published_at=timezone.make_aware(kyiv_time))  # related
    for prefix in ("", "/en"):
        html = client.get(prefix + article.get_absolute_url()).content.decode()
        assert f'<time datetime="{attribute}">{shown}</time>' in html
        assert f'<meta property="article:published_time" content="{attribute}">' in html
        assert f'datetime="{attribute}">{shown[:10]}</time>' in html  # the related list


def test_draft_and_future_articles_are_404_for_residents(client, category):
    draft = make_article(category=category, status=Article.Status.DRAFT)
    future = make_article(
        category=category, published_at=timezone.now() + datetime.timedelta(days=1)
    )
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(future.get_absolute_url()).status_code == 404


def test_staff_may_preview_a_draft(client, staff_user, category):
    draft = make_article(category=category, status=Article.Status.DRAFT, title="Чернетка звіту")
    client.force_login(staff_user)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "Попередній перегляд" in response.content.decode()


def test_article_meta_opengraph_jsonld_and_canonical(client, category, settings):
    article = make_article(category=category, title="Назва </script><script>alert(1)</script>")
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<meta property="og:type" content="article">' in html
    assert (
        f'<link rel="canonical" href="http://testserver{article.get_absolute_url()}">'
        in html.replace("http://127.0.0.1:8000", "http://testserver")
    )
    start = html.index('<script type="application/ld+json">') + len(
        '<script type="application/ld+json">'
    )
    payload = html[start : html.index("</script>", start)]
    data = json.loads(payload)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == article.title
    # The same address as the canonical link, whatever Host the request came with.
    assert data["mainEntityOfPage"] == settings.SITE_URL + article.get_absolute_url()
    assert "<script>alert(1)" not in html


@pytest.mark.parametrize("script_name", ["", "/portal"], ids=["at-the-root", "under-a-prefix"])
@pytest.mark.parametrize("language", ["", "/en"], ids=["uk", "en"])
def test_an_article_page_names_its_own_address(client, category, settings, language, script_name):
    """The canonical link, Open Graph and JSON-LD give the address the page was asked
    at, in its language and under the prefix the site is served from."""
    article = make_article(category=category, title="Ремонт мосту")
    path = f"{language}{article.get_absolute_url()}"
    html = client.get(path, SCRIPT_NAME=script_name).content.decode()
    address = f"{settings.SITE_URL}{script_name}{path}"
    assert f'<link rel="canonical" href="{address}">' in html
    assert f'<meta property="og:url" content="{address}">' in html
    start = html.index('<script type="application/ld+json">') + len(
        '<script type="application/ld+json">'
    )
    assert json.loads(html[start : html.index("</script>", start)])["mainEntityOfPage"] == address


@pytest.mark.parametrize("on_cdn", [False, True], ids=["media-on-the-site", "media-on-a-cdn"])
def test_the_picture_address_for_search_engines_and_social_networks(
    client, category, settings, request, on_cdn
):
    """og:image and the JSON-LD image are whole addresses: the site's for media it
    serves, the storage's own for media in S3-compatible storage or behind a CDN."""
    media = request.getfixturevalue("media_on_a_cdn") if on_cdn else f"{settings.SITE_URL}/media/"
    article = make_article(category=category, picture=make_image_upload(), picture_alt="Сквер")
    expected = f"{media}{article.picture.name}"
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'<meta property="og:image" content="{expected}">' in html
    start = html.index('<script type="application/ld+json">') + len(
        '<script type="application/ld+json">'
    )
    assert json.loads(html[start : html.index("</script>", start)])["image"] == [expected]


def test_an_article_without_a_lead_is_described_by_the_start_of_its_text(client, category):
    """Search engines, social networks and feed readers get words, not an empty
    description, entities or paragraphs glued together."""
    article = make_article(
        category=category,
        lead="",
        body="<p>Вода &amp; світло&nbsp;— графік</p><p>Друге речення.</p>",
    )
    said = "Вода & світло — графік Друге речення."
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<meta name="description" content="Вода &amp; світло — графік Друге речення.">' in html
    assert (
        '<meta property="og:description" content="Вода &amp; світло — графік Друге речення.">'
        in html
    )
    start = html.index('<script type="application/ld+json">') + len(
        '<script type="application/ld+json">'
    )
    assert json.loads(html[start : html.index("</script>", start)])["description"] == said
    feed = client.get("/feeds/news/").content.decode()
    assert "<description>Вода &amp; світло — графік Друге речення.</description>" in feed


def test_english_version_under_en_prefix(client, article):
    response = client.get("/en/" + article.get_absolute_url().lstrip("/"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Back to the section" in html
    # The article itself is written in Ukrainian.
    start = html.index('<script type="application/ld+json">') + len(
        '<script type="application/ld+json">'
    )
    assert json.loads(html[start : html.index("</script>", start)])["inLanguage"] == "uk"


def test_ukrainian_plural_forms(client, category):
    from django.template import Context, Template
    from django.utils import translation

    template = Template("{% load news_tags %}{% news_count n %}")
    with translation.override("uk"):
        rendered = [template.render(Context({"n": n})) for n in (1, 2, 5, 11, 21, 22, 25)]
    assert rendered == [
        "1 новина",
        "2 новини",
        "5 новин",
        "11 новин",
        "21 новина",
        "22 новини",
        "25 новин",
    ]


def test_dates_written_out_use_the_genitive(client, category):
    make_article(
        category=category,
        published_at=timezone.make_aware(datetime.datetime(2023, 7, 18, 10, 46)),
    )
    assert "18 липня 2023" in client.get("/news/").content.decode()


def test_home_page_query_count_is_bounded(client, django_assert_max_num_queries, category):
    for _ in range(15):
        make_article(category=category)
    with django_assert_max_num_queries(8):
        assert client.get("/").status_code == 200


def test_article_page_query_count_is_bounded(client, django_assert_max_num_queries, article):
    for _ in range(8):
        make_article(category=article.category)
    with django_assert_max_num_queries(10):
        assert client.get(article.get_absolute_url()).status_code == 200


def test_list_page_query_count_does_not_grow_with_articles(
    client, django_assert_max_num_queries, category
):
    for _ in range(30):
        make_article(category=make_category())
    with django_assert_max_num_queries(8):
        assert client.get("/news/").status_code == 200


class TestFirstViewLookup:
    """news.services.published_article: the article page's own query, in plain SQL,
    must find exactly what ``Article.objects.published()`` finds."""

    def orm(self, article):
        return Article.objects.published().filter(
            category__slug=article.category.slug, slug=article.slug
        )

    @pytest.mark.parametrize(
        "fields",
        [
            {},
            {"status": Article.Status.DRAFT},
            {"published_at_offset": datetime.timedelta(seconds=2)},
            {"published_at_offset": -datetime.timedelta(seconds=2)},
            {"published_at_offset": datetime.timedelta(days=400)},
        ],
        ids=["published", "draft", "two-seconds-ahead", "two-seconds-ago", "next-year"],
    )
    def test_the_page_shows_what_the_queryset_finds(self, client, category, fields):
        offset = fields.pop("published_at_offset", datetime.timedelta(hours=-1))
        article = make_article(category=category, published_at=timezone.now() + offset, **fields)
        expected = 200 if self.orm(article).exists() else 404
        assert client.get(article.get_absolute_url()).status_code == expected

    def test_the_same_slug_in_another_section_is_another_article(self, client, category):
        other = make_category(name="Оголошення")
        here = make_article(category=category, title="Графік прийому громадян")
        there = make_article(category=other, title="Графік прийому громадян", lead="Інший текст.")
        assert here.slug == there.slug
        html = client.get(there.get_absolute_url()).content.decode()
        assert "Інший текст." in html
        assert client.get(f"/news/nema-takoho/{here.slug}/").status_code == 404

    def test_the_article_read_from_its_row_is_the_one_the_orm_reads(self, rf, category):
        """Every field as the ORM gives it: times aware and in UTC, the picture a file,
        the status its enum value (on SQLite the driver returns none of these)."""
        from news.services import published_article

        article = make_article(
            category=category, picture="articles/park.webp", picture_alt="Парк", views=41
        )
        request = rf.get("/")
        request.LANGUAGE_CODE = "uk"
        found = published_article(category.slug, article.slug, request=request)
        expected = Article.objects.get(pk=article.pk)
        for field in Article._meta.concrete_fields:
            value = getattr(found, field.attname)
            assert value == getattr(expected, field.attname), field.name
            assert type(value) is type(getattr(expected, field.attname)), field.name
        assert found.published_at.tzinfo is not None
        assert found.picture.name == "articles/park.webp"
        assert found._state.adding is False

    @pytest.mark.django_db(transaction=True)
    def test_a_thread_that_ended_leaves_no_connection_behind(self, rf, category):
        """The converters are kept per thread: a server that starts a thread per request
        (runserver, the demo) must not keep every thread's database connection."""
        import gc
        import threading
        import weakref

        from django.db import connection, connections

        from news.services import published_article

        article = make_article(category=category)
        seen = {}

        def read():
            request = rf.get("/")
            request.LANGUAGE_CODE = "uk"
            seen["title"] = published_article(category.slug, article.slug, request=request).title
            seen["connection"] = weakref.ref(connections[connection.alias])
            connections.close_all()

        thread = threading.Thread(target=read)
        thread.start()
        thread.join()
        del thread
        gc.collect()
        assert seen["title"] == article.title
        assert seen["connection"]() is None

    def test_the_author_is_named_in_the_structured_data(self, client, category, staff_user):
        staff_user.first_name, staff_user.last_name = "Олена", "Коваль"
        staff_user.save()
        article = make_article(category=category, author=staff_user)
        html = client.get(article.get_absolute_url()).content.decode()
        start = html.index('<script type="application/ld+json">')
        data = json.loads(html[start + 35 : html.index("</script>", start)])
        assert data["author"] == {"@type": "Person", "name": "Олена Коваль"}
        assert "password" not in html

    def test_a_first_view_costs_one_query_for_the_article(
        self, client, category, django_assert_num_queries
    ):
        first, second = make_article(category=category), make_article(category=category)
        client.get(first.get_absolute_url())  # the header, sidebar, section list: shared
        # The article, and its views waiting in the buffer.
        with django_assert_num_queries(2):
            assert client.get(second.get_absolute_url()).status_code == 200
