"""Voting from a resident's side: form, results, refusals."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from polls.checks import check_votes_per_ip_per_hour
from polls.models import Choice, Poll, Vote
from tests.conftest import make_article
from tests.polls.factories import make_poll

pytestmark = pytest.mark.django_db


def choice_of(poll, position=0):
    return poll.choices.all()[position]


def post_vote(client, poll, choice_id, **extra):
    return client.post(f"/polls/{poll.pk}/vote/", {"choice": choice_id, "next": "/news/"}, **extra)


def counts(poll):
    return list(poll.choices.values_list("votes", flat=True))


def test_sidebar_shows_the_form_then_the_results_after_voting(client):
    poll = make_poll(question="Що ремонтувати першим?", votes=[3, 1, 0])
    html = client.get("/").content.decode()
    assert "Що ремонтувати першим?" in html
    assert 'type="radio"' in html and "Голосувати" in html
    # The closing date as residents read it: in Kyiv time, not UTC.
    assert f"Триває до {timezone.localtime(poll.closes_at):%d/%m/%Y}" in html

    response = post_vote(client, poll, choice_of(poll, 1).pk)
    assert response.status_code == 302
    assert response["Location"] == "/news/"
    page = client.get("/news/").content.decode()
    assert "Дякуємо, ваш голос враховано." in page
    assert 'type="radio"' not in page
    assert "60,00%" in page and "40,00%" in page and "0,00%" in page
    assert "5 голосів" in page
    assert counts(poll) == [3, 2, 0]


def test_a_second_vote_is_refused_and_not_counted(client):
    poll = make_poll()
    post_vote(client, poll, choice_of(poll).pk)
    response = post_vote(client, poll, choice_of(poll, 2).pk)
    assert response.status_code == 302
    page = client.get("/news/").content.decode()
    assert "Ви вже голосували в цьому опитуванні" in page
    assert counts(poll) == [1, 0, 0]
    assert Vote.objects.count() == 1


def test_a_choice_of_another_poll_is_refused(client):
    poll = make_poll()
    other = make_poll(question="Інше", opens_in=-100, closes_in=-90)
    response = post_vote(client, poll, choice_of(other).pk)
    assert response.status_code == 302
    assert "Оберіть одну з відповідей" in client.get("/news/").content.decode()
    assert Vote.objects.count() == 0
    assert sum(counts(other)) == 0


@pytest.mark.parametrize("choice", ["", "abc", "-1", "99999999999999999999999", "1 OR 1=1", "\x00"])
def test_a_missing_or_forged_choice_is_refused(client, choice):
    poll = make_poll()
    response = client.post(f"/polls/{poll.pk}/vote/", {"choice": choice})
    assert response.status_code == 302
    assert Vote.objects.count() == 0


def test_no_choice_at_all_is_refused(client):
    poll = make_poll()
    assert client.post(f"/polls/{poll.pk}/vote/", {}).status_code == 302
    assert Vote.objects.count() == 0


def test_a_vote_after_closing_is_refused_whatever_the_form_says(client):
    poll = make_poll()
    with time_machine.travel(poll.closes_at):
        response = post_vote(client, poll, choice_of(poll).pk)
        assert response.status_code == 302
        page = client.get("/news/").content.decode()
    assert "Опитування завершено" in page
    assert "голоси більше не приймаються" in page
    assert Vote.objects.count() == 0


def test_closed_poll_shows_final_results_and_says_so(client):
    make_poll(opens_in=-10, closes_in=-1, votes=[1, 1, 1])
    html = client.get("/").content.decode()
    assert "Опитування завершено" in html
    assert "33,34%" in html and "33,33%" in html
    assert 'type="radio"' not in html


def test_a_vote_on_an_unpublished_poll_is_404(client):
    poll = make_poll(published=False)
    assert post_vote(client, poll, choice_of(poll).pk).status_code == 404
    assert Vote.objects.count() == 0


def test_a_get_to_the_vote_address_gets_a_clear_405(client):
    poll = make_poll()
    response = client.get(f"/polls/{poll.pk}/vote/")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert "форми опитування" in response.content.decode()


def test_redirect_back_never_leaves_the_site(client):
    poll = make_poll()
    response = client.post(
        f"/polls/{poll.pk}/vote/", {"choice": choice_of(poll).pk, "next": "https://evil.example/"}
    )
    assert response["Location"] == poll.get_absolute_url()


def test_voting_in_place_returns_the_results_block(client):
    poll = make_poll(votes=[1, 0, 0])
    response = post_vote(client, poll, choice_of(poll, 1).pk, HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 200
    data = response.json()
    assert data["message"] == "Дякуємо, ваш голос враховано."
    assert "50,00%" in data["html"] and 'type="radio"' not in data["html"]
    again = post_vote(client, poll, choice_of(poll).pk, HTTP_X_REQUESTED_WITH="fetch")
    assert again.status_code == 409
    assert "Ви вже голосували" in again.json()["message"]


def test_the_voter_cookie_is_signed_and_long_lived(client):
    poll = make_poll()
    response = post_vote(client, poll, choice_of(poll).pk)
    cookie = response.cookies["voter"]
    assert cookie["httponly"]
    assert int(cookie["max-age"]) > 365 * 24 * 3600
    forged = Client()
    forged.cookies["voter"] = "someone-else"
    assert post_vote(forged, poll, choice_of(poll).pk).status_code == 302
    assert Vote.objects.count() == 2  # the forged cookie is a new voter, not someone else's vote


def test_the_rate_limit_per_address_stops_a_script_that_clears_cookies(settings):
    settings.POLLS_VOTES_PER_IP_PER_HOUR = 5
    poll = make_poll()
    for _ in range(7):
        Client().post(f"/polls/{poll.pk}/vote/", {"choice": choice_of(poll).pk})
    assert Vote.objects.count() == 5
    assert sum(counts(poll)) == 5
    blocked = Client().post(
        f"/polls/{poll.pk}/vote/", {"choice": choice_of(poll).pk}, HTTP_X_REQUESTED_WITH="fetch"
    )
    assert blocked.status_code == 429
    other_address = Client(REMOTE_ADDR="10.1.2.3").post(
        f"/polls/{poll.pk}/vote/", {"choice": choice_of(poll).pk}
    )
    assert other_address.status_code == 302
    assert Vote.objects.count() == 6


def test_the_default_rate_limit_is_generous_for_carrier_nat(settings):
    assert settings.POLLS_VOTES_PER_IP_PER_HOUR >= 100
    assert check_votes_per_ip_per_hour() == []


def test_a_rate_limit_below_one_hundred_fails_the_system_check(settings):
    settings.POLLS_VOTES_PER_IP_PER_HOUR = 99
    errors = check_votes_per_ip_per_hour()
    assert [error.id for error in errors] == ["polls.E001"]
    assert "at least 100" in errors[0].msg


def test_behind_the_proxy_the_forwarded_address_is_limited(settings):
    settings.POLLS_VOTES_PER_IP_PER_HOUR = 1
    poll = make_poll()
    for address in ("203.0.113.1", "203.0.113.2"):
        Client(HTTP_X_FORWARDED_FOR=address).post(
            f"/polls/{poll.pk}/vote/", {"choice": choice_of(poll).pk}
        )
    assert Vote.objects.count() == 2


def test_poll_page_and_archive(client):
    current = make_poll(question="Поточне")
    finished = make_poll(question="Минуле", opens_in=-40, closes_in=-30, votes=[2, 1, 1])
    detail = client.get(current.get_absolute_url())
    assert detail.status_code == 200
    assert detail.content.decode().count('name="choice"') == 3  # the sidebar does not repeat it
    response = client.get("/polls/")
    assert list(response.context["polls"]) == [finished]
    archive = response.content.decode()
    assert "50,00%" in archive and "25,00%" in archive and "4 голоси" in archive
    assert client.get(finished.get_absolute_url()).status_code == 200
    hidden = make_poll(published=False, question="x", opens_in=-60, closes_in=-50)
    assert client.get(hidden.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(("page", "shown"), [("abc", 1), ("0", 2), ("99999", 2), ("2", 2)])
def test_the_archives_page_as_the_news_and_search_pages_read_it(client, monkeypatch, page, shown):
    from polls.views import PollArchiveView

    monkeypatch.setattr(PollArchiveView, "paginate_by", 1)
    make_poll(question="Минуле", opens_in=-40, closes_in=-30)
    make_poll(question="Позаминуле", opens_in=-60, closes_in=-50)
    response = client.get("/polls/", {"page": page})
    assert response.status_code == 200
    assert response.context["page_obj"].number == shown


@pytest.mark.parametrize("url", ["/", "/news/", "/polls/", "article"])
def test_sidebar_poll_on_every_page_in_bounded_queries(client, django_assert_max_num_queries, url):
    poll = make_poll(votes=[5, 3, 2])
    article = make_article()
    url = article.get_absolute_url() if url == "article" else url
    post_vote(client, poll, choice_of(poll).pk)
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert poll.question in response.content.decode()


def test_an_article_page_shows_the_poll(client):
    poll = make_poll(question="Питання на сторінці новини")
    article = make_article()
    assert poll.question in client.get(article.get_absolute_url()).content.decode()


def test_choice_votes_are_not_editable_in_forms():
    assert not Choice._meta.get_field("votes").editable


KYIV = zoneinfo.ZoneInfo("Europe/Kyiv")


@pytest.mark.parametrize(
    ("closes", "shown"),
    [
        # 10 December 00:00 in Kyiv (22:00 UTC on the 9th): the 9th is the last day to vote.
        (datetime.datetime(2026, 12, 10, 0, 0, tzinfo=KYIV), "09/12/2026"),
        (datetime.datetime(2026, 12, 10, 18, 0, tzinfo=KYIV), "10/12/2026"),
        # 01:30 in Kyiv on the 10th is still the 9th in UTC: Kyiv's day counts.
        (datetime.datetime(2026, 12, 10, 1, 30, tzinfo=KYIV), "10/12/2026"),
    ],
)
@pytest.mark.parametrize("zone", [KYIV, datetime.UTC])
def test_the_sidebar_shows_the_last_kyiv_day_on_which_residents_can_vote(closes, shown, zone):
    with time_machine.travel(datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.UTC)):
        Poll.objects.create(
            question="Куди поставити ялинку?",
            opens_at=timezone.now() - datetime.timedelta(days=1),
            closes_at=closes,
            is_published=True,
        )
        with timezone.override(zone):  # whatever zone is active, Kyiv's day is shown
            html = Client().get("/").content.decode()
    assert f"Триває до {shown}" in html


def test_the_archive_names_the_last_day_of_voting():
    poll = make_poll(opens_in=-40, closes_in=-30)
    Poll.objects.filter(pk=poll.pk).update(
        opens_at=datetime.datetime(2026, 10, 1, 0, 0, tzinfo=KYIV),
        closes_at=datetime.datetime(2026, 11, 1, 0, 0, tzinfo=KYIV),
    )
    archive = Client().get("/polls/").content.decode()
    assert "З 1 жовтня 2026 до 31 жовтня 2026" in archive


@pytest.mark.parametrize("voted", [False, True], ids=["form", "results"])
def test_english_pages_mark_the_ukrainian_poll_as_ukrainian(client, voted):
    """A screen reader on /en/ reads the question and the answers with Ukrainian
    pronunciation, not English rules applied to Cyrillic."""
    poll = make_poll(question="Що ремонтувати першим?")
    if voted:
        client.post(f"/polls/{poll.pk}/vote/", {"choice": poll.choices.first().pk})
    english = client.get(f"/en/polls/{poll.pk}/").content.decode()
    ukrainian = client.get(f"/polls/{poll.pk}/").content.decode()
    assert 'class="poll__question" lang="uk">Що ремонтувати першим?<' in english
    assert english.count(' lang="uk">Дороги<') == 1
    sidebar = client.get("/en/").content.decode()
    assert 'class="poll__question" lang="uk">Що ремонтувати першим?<' in sidebar
    assert 'lang="uk">Що ремонтувати' not in ukrainian
    assert 'lang="uk">Дороги<' not in ukrainian
