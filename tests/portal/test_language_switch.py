"""The language switch in the header: a link to the same page in the other language,
both ways, on pages the page cache and its shared header served too."""

import re

import pytest

from tests.conftest import make_article
from tests.scale.test_pagecache import reader

SWITCH = re.compile(r'<nav class="language-switch"[^>]*>\s*<a hreflang="(\w+)" href="([^"]*)"')


def switch_link(response) -> tuple[str, str]:
    assert response.status_code in (200, 404)
    match = SWITCH.search(response.content.decode())
    assert match, "no language switch on the page"
    return match[1], match[2]


@pytest.mark.django_db
class TestLanguageSwitch:
    def test_a_ukrainian_page_links_to_its_english_version(self, article):
        client = reader()
        assert switch_link(client.get(article.get_absolute_url())) == (
            "en",
            f"/en{article.get_absolute_url()}",
        )

    def test_an_english_page_links_back_to_its_ukrainian_version(self, article):
        client = reader()
        url = article.get_absolute_url()
        assert switch_link(client.get(f"/en{url}")) == ("uk", url)

    def test_the_query_goes_along(self, category):
        for _ in range(3):
            make_article(category=category)
        client = reader()
        assert switch_link(client.get("/en/documents/?q=%D0%B2%D0%BE%D0%B4%D0%B0")) == (
            "uk",
            "/documents/?q=%D0%B2%D0%BE%D0%B4%D0%B0",
        )

    def test_each_page_gets_its_own_link_from_the_shared_header(self, category):
        """The header is rendered once and kept (portal.pagecache.shared_fragment):
        the link must still be each page's own, on first views and on cache hits."""
        first, second = make_article(category=category), make_article(category=category)
        client = reader()
        for _ in range(2):  # a first view, then a hit
            for article in (first, second):
                url = article.get_absolute_url()
                assert switch_link(client.get(f"/en{url}"))[1] == url
                assert switch_link(client.get(url))[1] == f"/en{url}"

    def test_a_missing_page_links_to_the_other_languages_home(self, db):
        client = reader()
        assert switch_link(client.get("/en/no-such-page/")) == ("uk", "/")
        assert switch_link(client.get("/no-such-page/")) == ("en", "/en/")

    def test_following_the_link_opens_the_page_in_that_language(self, article):
        client = reader()
        _, href = switch_link(client.get(f"/en{article.get_absolute_url()}"))
        page = client.get(href)
        assert page.status_code == 200
        assert '<html lang="uk"' in page.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/news/",
        "/news/?page=2",
        "/news/roads/repair-of-the-bridge/",
        "/news/roads/",
        "/polls/",
        "/documents/?kind=rishennia&year=2024",
        "/documents/15/",
        "/search/?q=%D0%B2%D0%BE%D0%B4%D0%B0",
        "/search/documents/",
        "/newsletter/",
    ],
)
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_the_shortcut_for_a_found_page_gives_what_translate_url_gives(path, prefix):
    """portal.links.translated_path swaps the prefix of an address a view was found for
    instead of resolving and reversing it: the same address in both directions, as long
    as the URL patterns are not translated."""
    from django.urls import resolve, translate_url
    from django.utils.translation import override

    from portal.links import translated_path

    address = prefix + path
    current, other = ("en", "uk") if prefix else ("uk", "en")
    with override(current):
        resolve(address.split("?")[0])  # an address of a page, as the shortcut assumes
        assert translated_path(address, other, found=True) == translate_url(address, other)
        assert translated_path(address, current, found=True) == address


@pytest.mark.django_db
@pytest.mark.parametrize("front", [True, False], ids=["cached", "rendered"])
def test_the_address_alone_sets_the_language_whatever_the_browser_prefers(article, front):
    """A browser that asks for English (Accept-Language, the language cookie) still gets
    the Ukrainian page at an address without a prefix, and English under /en/: one page
    per address, as the page cache and search engines keep it."""
    from django.test import Client

    english = {"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.9", "HTTP_COOKIE": "django_language=en"}
    client = reader(**english) if front else Client(**english)
    ukrainian = client.get(article.get_absolute_url())
    assert ukrainian.status_code == 200 and ukrainian["Content-Language"] == "uk"
    assert '<html lang="uk">' in ukrainian.content.decode()
    in_english = client.get(f"/en{article.get_absolute_url()}")
    assert in_english.status_code == 200 and in_english["Content-Language"] == "en"
    assert '<html lang="en">' in in_english.content.decode()
