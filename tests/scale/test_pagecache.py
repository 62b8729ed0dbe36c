"""The page cache for anonymous readers (issue #6): hits, invalidation,
scheduled articles, per-visitor CSRF tokens, counting on hits, the voted poll."""

import datetime
import os
import re

import pytest
import time_machine
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.client import ClientHandler
from django.utils import timezone

from news.models import Article
from news.services import view_counts_flush
from newsletter.models import Subscriber
from polls.models import Vote
from portal.pagecache import STALE_SECONDS, hit_response
from tests.conftest import make_article, make_category
from tests.polls.factories import make_poll

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class FrontHandler(ClientHandler):
    """The test client's handler behind portal.wsgi's PageCacheHandler: a hit it
    can answer never reaches Django."""

    def __call__(self, environ):
        hit = hit_response(environ)
        if hit is None:
            return super().__call__(environ)
        response = HttpResponse(hit.body, status=int(hit.status.split()[0]))
        for name, value in hit.headers:
            if name == "Set-Cookie":
                response.cookies.load(value)
            else:
                response[name] = value
        response.wsgi_request = None
        response.answered_before_django = True
        return response


class Reader(Client):
    def __init__(self, enforce_csrf_checks=False, **defaults):
        super().__init__(enforce_csrf_checks, **defaults)
        self.handler = FrontHandler(enforce_csrf_checks)


def reader(**extra):
    """A resident's browser, served the way portal.wsgi serves it."""
    return Reader(HTTP_USER_AGENT=BROWSER, **extra)


def before_django(response) -> bool:
    return getattr(response, "answered_before_django", False)


def flushed_views(article) -> int:
    """The article's views once the buffer is flushed into the row."""
    view_counts_flush()
    article.refresh_from_db()
    return article.views


def is_hit(response):
    return response.get("X-Page-Cache") == "hit"


@pytest.mark.django_db
class TestPageCache:
    @pytest.mark.parametrize("page", ["home", "list", "category", "article"])
    def test_the_second_anonymous_request_is_a_hit(self, article, page):
        url = {
            "home": "/",
            "list": "/news/",
            "category": article.category.get_absolute_url(),
            "article": article.get_absolute_url(),
        }[page]
        first = reader().get(url)
        second = reader().get(url)
        assert (first.status_code, second.status_code) == (200, 200)
        assert not is_hit(first) and is_hit(second)
        assert article.title in second.content.decode()

    def test_a_hit_on_the_home_page_needs_no_query(self, article, django_assert_num_queries):
        reader().get("/")
        with django_assert_num_queries(0):
            assert is_hit(reader().get("/"))

    def test_logged_in_readers_are_never_served_from_the_cache(self, article, staff_user):
        reader().get("/")
        client = reader()
        client.force_login(staff_user)
        response = client.get("/")
        assert not is_hit(response)
        assert not is_hit(client.get("/"))

    def test_english_and_ukrainian_pages_are_kept_apart(self, article):
        reader().get("/")
        english = reader().get("/en/")
        assert not is_hit(english)
        assert english["Content-Language"] == "en"

    def test_a_not_found_page_is_not_cached(self, category):
        reader().get("/news/no-such-section/")
        assert reader().get("/news/no-such-section/").status_code == 404

    def test_a_page_with_a_message_is_not_cached_or_served_from_the_cache(self, article):
        poll = make_poll()
        client = reader()
        client.get("/news/")
        choice = poll.choices.first().pk
        client.post(f"/polls/{poll.pk}/vote/", {"choice": choice, "next": "/news/"})
        with_message = client.get("/news/")
        assert not is_hit(with_message)
        assert "Дякуємо, ваш голос враховано." in with_message.content.decode()
        assert "Дякуємо" not in reader().get("/news/").content.decode()


@pytest.mark.django_db
class TestInvalidation:
    def test_a_published_article_appears_at_once(self, article):
        reader().get("/")
        reader().get("/news/")
        fresh = make_article(category=article.category, title="Вода повернулася у Заріччя")
        assert fresh.title in reader().get("/").content.decode()
        assert fresh.title in reader().get("/news/").content.decode()

    def test_an_edited_title_appears_at_once(self, article):
        reader().get(article.get_absolute_url())
        article.title = "Уточнений графік вивезення сміття"
        article.save()
        assert article.title in reader().get(article.get_absolute_url()).content.decode()

    def test_an_unpublished_article_is_never_seen_again(self, article):
        urls = ["/", "/news/", article.category.get_absolute_url(), article.get_absolute_url()]
        for url in urls:
            reader().get(url)
            assert is_hit(reader().get(url))
        article.status = Article.Status.DRAFT
        article.save()
        assert reader().get(article.get_absolute_url()).status_code == 404
        for url in urls[:3]:
            assert article.title not in reader().get(url).content.decode()

    def test_a_deleted_article_is_never_seen_again(self, article):
        url = article.get_absolute_url()
        reader().get(url)
        article.delete()
        assert reader().get(url).status_code == 404

    def test_a_changed_poll_shows_at_once(self, article):
        poll = make_poll(question="Де облаштувати укриття?")
        assert "Де облаштувати укриття?" in reader().get("/").content.decode()
        poll.question = "Де облаштувати ще одне укриття?"
        poll.save()
        assert "Де облаштувати ще одне укриття?" in reader().get("/").content.decode()

    def test_a_scheduled_article_appears_within_a_minute_of_its_time(self, category):
        """Rule: entries live PAGE_CACHE_TIMEOUT = 60 s, so a scheduled
        article is on the cached pages at most 60 s after its time."""
        soon = make_article(
            category=category,
            title="Графік відключень на завтра",
            published_at=timezone.now() + datetime.timedelta(seconds=20),
        )
        assert soon.title not in reader().get("/").content.decode()
        assert is_hit(reader().get("/"))
        with time_machine.travel(timezone.now() + datetime.timedelta(seconds=61)):
            assert soon.title in reader().get("/").content.decode()


@pytest.mark.django_db
class TestPagesWhoseTimeRanOut:
    """In a burst every busy page runs out each minute: one request renders it again,
    while the other readers of this process get the page they had."""

    def later(self, seconds):
        return time_machine.travel(timezone.now() + datetime.timedelta(seconds=seconds))

    def test_one_reader_renders_it_again_and_the_others_get_the_old_page(self, article):
        reader().get("/")
        assert is_hit(reader().get("/"))
        # Changed without a save (no new generation): the page only runs out by time.
        Article.objects.filter(pk=article.pk).update(title="Розклад руху змінено")
        with self.later(61):
            first = RequestFactory(HTTP_USER_AGENT=BROWSER).get("/").environ
            assert hit_response(first) is None  # left to Django, to render it again
            meanwhile = reader().get("/")
            assert before_django(meanwhile)
            assert article.title in meanwhile.content.decode()
        with self.later(61 + STALE_SECONDS + 1):
            # That render never finished: after STALE_SECONDS readers stop waiting for it.
            assert "Розклад руху змінено" in reader().get("/").content.decode()

    def test_the_page_rendered_again_is_served_at_once(self, article):
        reader().get("/")
        assert before_django(reader().get("/"))
        Article.objects.filter(pk=article.pk).update(title="Розклад руху змінено")
        with self.later(61):
            again = reader().get("/")
            assert not is_hit(again)
            assert "Розклад руху змінено" in again.content.decode()
            next_reader = reader().get("/")
            assert before_django(next_reader)
            assert "Розклад руху змінено" in next_reader.content.decode()

    def test_a_changed_generation_never_serves_the_old_page(self, article):
        reader().get("/")
        assert is_hit(reader().get("/"))
        with self.later(61):
            assert hit_response(RequestFactory(HTTP_USER_AGENT=BROWSER).get("/").environ) is None
            article.title = "Розклад руху змінено"
            article.save()
            assert "Розклад руху змінено" in reader().get("/").content.decode()


@pytest.mark.django_db
class TestPerVisitorParts:
    def test_a_vote_from_a_cached_page_passes_the_csrf_check(self, article):
        poll = make_poll()
        reader(enforce_csrf_checks=True).get("/news/")
        visitor = reader(enforce_csrf_checks=True)
        page = visitor.get("/news/")
        assert is_hit(page)
        token = TOKEN.search(page.content.decode()).group(1)
        response = visitor.post(
            f"/polls/{poll.pk}/vote/",
            {"choice": poll.choices.first().pk, "next": "/news/", "csrfmiddlewaretoken": token},
        )
        assert response.status_code == 302
        assert Vote.objects.filter(poll=poll).count() == 1

    def test_a_signup_from_a_cached_page_passes_the_csrf_check(self, article):
        reader(enforce_csrf_checks=True).get("/")
        visitor = reader(enforce_csrf_checks=True)
        page = visitor.get("/")
        assert is_hit(page)
        token = TOKEN.search(page.content.decode()).group(1)
        visitor.post(
            "/newsletter/",
            {"email": "olena@example.com", "website": "", "csrfmiddlewaretoken": token},
        )
        assert Subscriber.objects.filter(email="olena@example.com").exists()

    def test_each_visitor_gets_a_token_of_their_own(self, article):
        first = reader().get("/")
        second = reader().get("/")
        assert is_hit(second)
        first_token = TOKEN.search(first.content.decode()).group(1)
        second_token = TOKEN.search(second.content.decode()).group(1)
        assert first_token != second_token
        assert second.cookies["csrftoken"].value

    def test_a_token_on_a_cached_page_is_the_visitors_secret_masked_afresh(self, article):
        from django.middleware.csrf import _unmask_cipher_token

        visitor = reader()
        visitor.get("/")
        tokens = set(TOKEN.findall(visitor.get("/").content.decode()))
        tokens |= set(TOKEN.findall(visitor.get("/").content.decode()))
        secret = visitor.cookies["csrftoken"].value
        assert len(tokens) == 2  # one per response, the same in every form of it
        assert {_unmask_cipher_token(token) for token in tokens} == {secret}

    def test_the_scripts_carry_this_responses_nonce(self, article):
        reader().get("/")
        hit = reader().get("/")
        nonces = set(re.findall(r'nonce="([^"]+)"', hit.content.decode()))
        for nonce in nonces:
            assert f"'nonce-{nonce}'" in hit["Content-Security-Policy"]
        assert "pagecache" not in re.sub(r"<!--/?pagecache:poll-->", "", hit.content.decode())

    def test_a_visitor_who_voted_sees_voted_on_a_cached_page(self, article):
        poll = make_poll(question="Чи потрібен новий сквер?", answers=("Так", "Ні"))
        reader().get("/news/")
        voter = reader()
        voter.post(f"/polls/{poll.pk}/vote/", {"choice": poll.choices.first().pk})
        voter.get("/news/")  # shows and uses up the thank-you message
        page = voter.get("/news/")
        assert is_hit(page)
        html = page.content.decode()
        assert 'name="choice"' not in html  # results, not the form
        assert 'name="choice"' in reader().get("/news/").content.decode()

    def test_a_page_first_rendered_for_a_voter_is_not_served_to_others(self, article):
        """The voter's render holds their results; the next resident must get the form."""
        poll = make_poll(question="Чи потрібен новий сквер?", answers=("Так", "Ні"))
        voter = reader()
        voter.post(f"/polls/{poll.pk}/vote/", {"choice": poll.choices.first().pk})
        voter.get("/")  # shows and uses up the thank-you message
        assert 'name="choice"' not in voter.get(article.get_absolute_url()).content.decode()
        html = reader().get(article.get_absolute_url()).content.decode()
        assert 'name="choice"' in html


@pytest.mark.django_db
class TestCountingOnHits:
    def test_hits_are_counted_once_per_visitor(self, article):
        url = article.get_absolute_url()
        visitors = [reader() for _ in range(4)]
        for visitor in visitors:
            visitor.get(url)
            visitor.get(url)
        assert flushed_views(article) == 4

    def test_a_hit_shows_the_count_with_this_visit(self, article):
        Article.objects.filter(pk=article.pk).update(views=260)
        url = article.get_absolute_url()
        first = reader().get(url)
        second = reader().get(url)
        assert is_hit(second)
        assert "Переглядів: </span>261" in first.content.decode()
        assert "Переглядів: </span>262" in second.content.decode()
        assert second.cookies["hv"].value

    def test_the_count_stays_right_after_a_flush(self, article):
        url = article.get_absolute_url()
        reader().get(url)
        reader().get(url)
        view_counts_flush()
        assert "Переглядів: </span>3" in reader().get(url).content.decode()

    def test_bots_on_a_hit_are_not_counted(self, article):
        url = article.get_absolute_url()
        reader().get(url)
        Client(HTTP_USER_AGENT="Googlebot/2.1").get(url)
        assert flushed_views(article) == 1


@pytest.mark.django_db
def test_a_database_flush_that_stops_midway_loses_nothing(article):
    """Without Redis the buffer rows are deleted and the articles updated in
    one transaction: a process that dies before the commit rolls both back."""
    from django.db import transaction

    from news.services import _flush_database_buffer

    for _ in range(3):
        reader().get(article.get_absolute_url())
    with pytest.raises(RuntimeError), transaction.atomic():
        _flush_database_buffer()
        raise RuntimeError("the process stops here")
    assert Article.objects.get(pk=article.pk).views == 0
    assert view_counts_flush() == 3
    assert Article.objects.get(pk=article.pk).views == 3


@pytest.mark.django_db
class TestServedBeforeDjango:
    """portal.wsgi answers a plain anonymous reader's hit without Django."""

    @pytest.mark.parametrize("page", ["home", "category", "article"])
    def test_a_plain_readers_hit_skips_django_and_keeps_every_header(self, article, page):
        url = {
            "home": "/",
            "category": article.category.get_absolute_url(),
            "article": article.get_absolute_url(),
        }[page]
        first = reader().get(url)
        hit = reader().get(url)
        assert before_django(hit) and is_hit(hit)
        for header in (
            "Content-Type",
            "Content-Language",
            "X-Frame-Options",
            "X-Content-Type-Options",
            "Referrer-Policy",
            "Permissions-Policy",
        ):
            assert hit[header] == first[header]
        assert int(hit["Content-Length"]) == len(hit.content)
        assert hit["Content-Security-Policy"] == first["Content-Security-Policy"]
        assert "pagecache" not in re.sub(r"<!--/?pagecache:poll-->", "", hit.content.decode())
        assert hit.cookies["csrftoken"].value

    def test_a_hit_before_django_needs_no_query(self, article, django_assert_num_queries):
        reader().get("/")
        with django_assert_num_queries(0):
            assert before_django(reader().get("/"))

    def test_a_returning_visitor_keeps_their_csrf_cookie(self, article):
        visitor = reader()
        visitor.get("/")
        cookie = visitor.cookies["csrftoken"].value
        hit = visitor.get("/")
        assert before_django(hit)
        assert "csrftoken" not in hit.cookies  # kept, not sent again
        assert visitor.cookies["csrftoken"].value == cookie

    def test_a_voter_is_served_by_django(self, article):
        poll = make_poll()
        reader().get("/news/")
        voter = reader()
        voter.post(f"/polls/{poll.pk}/vote/", {"choice": poll.choices.first().pk})
        voter.get("/news/")  # the thank-you message
        page = voter.get("/news/")
        assert is_hit(page) and not before_django(page)

    def test_a_counted_hit_before_django_shows_the_count(self, article):
        Article.objects.filter(pk=article.pk).update(views=9)
        url = article.get_absolute_url()
        reader().get(url)
        hit = reader().get(url)
        assert before_django(hit)
        assert "Переглядів: </span>11" in hit.content.decode()
        assert hit.cookies["hv"].value
        assert flushed_views(article) == 11

    def test_a_new_visitors_cookies_are_set_as_django_sets_them(self, article):
        url = article.get_absolute_url()
        by_django = reader().get(url)
        hit = reader().get(url)
        assert before_django(hit)
        for name in ("csrftoken", "hv"):
            expected, got = by_django.cookies[name], hit.cookies[name]
            for attribute in ("max-age", "path", "samesite", "httponly", "secure", "domain"):
                assert str(got[attribute]) == str(expected[attribute]), (name, attribute)
        # The view cookie it set is honoured: the next visit is not counted again.
        visitor = reader()
        visitor.get(url)
        visitor.get(url)
        assert flushed_views(article) == 3

    def test_readers_within_a_second_each_see_their_own_view(self, article):
        url = article.get_absolute_url()
        reader().get(url)
        figures = [
            re.search(r"Переглядів: </span>(\d+)", reader().get(url).content.decode())[1]
            for _ in range(3)
        ]
        assert figures == ["2", "3", "4"]

    def test_an_unknown_host_is_left_to_django(self, article):
        reader().get("/")
        assert reader().get("/", HTTP_HOST="evil.example").status_code == 400


def bump_in_another_process(var_dir, **environment):
    """``generation_bump()`` in another worker process of this machine, its database
    SQLite under var_dir (the bump touches no table, but Django connects to ask whether
    a transaction is open, and the suite's database may be elsewhere)."""
    import subprocess
    import sys

    subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); "
            "from portal.pagecache import generation_bump; generation_bump()",
        ],
        env={
            **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "PORTAL_VAR_DIR": str(var_dir),
            **environment,
        },
        check=True,
    )


@pytest.mark.django_db
class TestGenerationAcrossProcesses:
    def test_a_save_in_another_worker_process_makes_this_ones_pages_stale(
        self, article, settings, tmp_path
    ):
        """Without Redis each process caches pages in its own memory; the
        generation is a file they all read."""

        settings.PAGE_CACHE_GENERATION_FILE = tmp_path / "pagecache-generation"
        reader().get("/")
        assert is_hit(reader().get("/"))
        bump_in_another_process(tmp_path)
        assert not is_hit(reader().get("/"))

    def test_the_generation_moves_again_when_the_save_commits(
        self, article, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            article.title = "Новий графік руху автобусів"
            article.save()
            # A page built before the commit …
            reader().get(article.get_absolute_url())
            assert is_hit(reader().get(article.get_absolute_url()))
        # … is not kept once the save is committed.
        assert not is_hit(reader().get(article.get_absolute_url()))


@pytest.mark.django_db
def test_with_the_cache_away_a_reader_gets_djangos_answer_not_a_crash(article):
    """Redis down: the front handler steps aside; Django answers with its own
    outage page (503), as it does for every other request."""
    from django.test import override_settings

    away = {
        "default": {
            "BACKEND": "portal.redis_cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }
    with override_settings(CACHES=away):
        response = reader().get("/")
        assert not before_django(response)
        assert response.status_code == 503


@pytest.mark.django_db
class TestAddressesOfShares:
    """Links shared on social networks carry ?fbclid=… or ?utm_…: one per click."""

    def test_a_click_from_a_share_is_served_the_clean_page(self, article):
        reader().get("/")
        hit = reader().get("/?fbclid=IwAR3xY&utm_source=facebook")
        assert is_hit(hit)
        assert "fbclid" not in hit.content.decode()

    def test_a_shares_address_is_never_stored(self, article):
        first = reader().get("/?utm_source=viber")
        assert (
            'hreflang="en" href="/en/?utm_source=viber"' in first.content.decode()
        )  # this reader's own page
        assert not is_hit(reader().get("/?utm_source=telegram"))
        assert not is_hit(reader().get("/"))

    def test_pages_of_a_list_are_kept_apart(self, category):
        for number in range(25):
            make_article(category=category, title=f"Оголошення № {number}")
        reader().get("/news/")
        second_page = reader().get("/news/?page=2")
        assert not is_hit(second_page)
        assert is_hit(reader().get("/news/?page=2&utm_medium=email"))

    @pytest.mark.parametrize(
        "url", ["/news/?page=", "/news/podii/?page=", "/documents/?page=", "/search/?q=вода&page="]
    )
    def test_a_junk_page_number_is_served_but_never_stored(self, url):
        """A junk page ("?page=abc" shows the first page, "?page=99999" the last) stored
        under its own address would be one more copy of the same page for every value."""
        category = make_category(name="Події", slug="podii")
        for number in range(12):
            make_article(category=category, title=f"Вода: графік № {number}")
        for junk in ("abc", "0", "99999", "01"):
            reader().get(url + junk)
            again = reader().get(url + junk)
            assert again.status_code == 200 and not is_hit(again), junk
        reader().get(url + "1")
        assert is_hit(reader().get(url + "1"))

    def test_the_home_page_is_not_stored_again_for_a_page_number(self, article):
        reader().get("/?page=2")
        assert not is_hit(reader().get("/?page=2"))
        reader().get("/")
        assert is_hit(reader().get("/"))


@pytest.mark.django_db
class TestSearchPages:
    """In a burst residents search for the same word: a page of results is cached."""

    def test_the_same_search_again_is_a_hit_before_django(self, category):
        make_article(category=category, title="Графік подачі води на Заріччі")
        first = reader().get("/search/", {"q": "вода"})
        hit = reader().get("/search/", {"q": "вода"})
        assert not is_hit(first) and before_django(hit)
        assert "Заріччі" in hit.content.decode()

    def test_words_filters_and_pages_are_kept_apart(self, category):
        for number in range(12):
            make_article(category=category, title=f"Вода: графік № {number}")
        reader().get("/search/", {"q": "вода"})
        for params in ({"q": "графік"}, {"q": "вода", "page": 2}, {"q": "вода", "kind": "news"}):
            assert not is_hit(reader().get("/search/", params)), params
        assert is_hit(reader().get("/search/?page=2&q=%D0%B2%D0%BE%D0%B4%D0%B0"))

    def test_an_unknown_parameter_is_never_cached(self, category):
        make_article(category=category, title="Вода у Заріччі")
        reader().get("/search/", {"q": "вода", "x": "1"})
        assert not is_hit(reader().get("/search/", {"q": "вода", "x": "1"}))

    def test_an_unpublished_article_leaves_the_results_at_once(self, category):
        article = make_article(category=category, title="Вода у Заріччі з понеділка")
        reader().get("/search/", {"q": "вода"})
        assert "Заріччі" in reader().get("/search/", {"q": "вода"}).content.decode()
        article.status = Article.Status.DRAFT
        article.save()
        assert "Заріччі" not in reader().get("/search/", {"q": "вода"}).content.decode()

    def test_the_document_registry_is_cached_by_its_filters(self, category):
        reader().get("/documents/")
        assert before_django(reader().get("/documents/"))
        assert not is_hit(reader().get("/documents/", {"status": "valid"}))
        assert not is_hit(reader().get("/documents/", {"format": "csv"}))
        assert not is_hit(reader().get("/documents/", {"format": "csv"}))


# The child only draws bytes and writes them to a pipe: no lock another thread could hold.
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded")
def test_a_forked_worker_never_hands_out_its_parents_random_bytes():
    """gunicorn forks its workers from one loaded app: each must draw its own CSRF
    masks and nonces, not the rest of the parent's buffer."""
    from portal.pagecache import _random_bytes

    _random_bytes.take(16)  # the parent has a buffer with bytes left in it
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        os.write(write_end, _random_bytes.take(16))
        os._exit(0)
    os.close(write_end)
    os.waitpid(child, 0)
    from_child = os.read(read_end, 16)
    os.close(read_end)
    assert len(from_child) == 16
    assert from_child != _random_bytes.take(16)
