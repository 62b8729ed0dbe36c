"""Poll rules: shares that add up, the closing moment, which poll is current."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from polls.models import Choice, Poll, PollResults
from tests.polls.factories import make_poll


def shares(counts):
    choices = [Choice(text=str(i), votes=count) for i, count in enumerate(counts)]
    return [item.share for item in PollResults.of(choices).choices]


def test_shares_of_the_seed_page_poll():
    assert shares([8, 4, 3, 2]) == [
        Decimal("47.06"),
        Decimal("23.53"),
        Decimal("17.65"),
        Decimal("11.76"),
    ]


def test_three_equal_thirds_still_add_up_to_one_hundred():
    assert shares([1, 1, 1]) == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]


def test_no_votes_gives_zero_shares_without_dividing_by_zero():
    result = PollResults.of([Choice(text="a", votes=0), Choice(text="b", votes=0)])
    assert result.total == 0
    assert [item.share for item in result.choices] == [Decimal("0.00"), Decimal("0.00")]


@given(st.lists(st.integers(min_value=0, max_value=10**7), min_size=1, max_size=12))
def test_shares_always_add_up_to_exactly_one_hundred(counts):
    result = shares(counts)
    if sum(counts) == 0:
        assert set(result) == {Decimal("0.00")}
        return
    assert sum(result) == Decimal("100.00")
    total = sum(counts)
    for count, share in zip(counts, result, strict=True):
        exact = Decimal(count) * 100 / total
        assert abs(share - exact) < Decimal("0.01")


@pytest.mark.django_db
class ClosingTests:
    def test_open_until_the_exact_closing_moment(self):
        poll = make_poll()
        closes = poll.closes_at
        assert poll.is_open(closes - datetime.timedelta(microseconds=1))
        assert not poll.is_open(closes)
        assert not poll.is_open(closes + datetime.timedelta(seconds=1))

    def test_not_open_before_opening_or_unpublished(self):
        future = make_poll(opens_in=1, closes_in=5)
        assert not future.is_open()
        hidden = make_poll(published=False, question="Чернетка")
        assert not hidden.is_open()


@pytest.mark.django_db
class CurrentPollTests:
    def test_current_is_the_newest_published_poll_that_has_opened(self):
        make_poll(question="Старе", opens_in=-30, closes_in=-20)
        newest = make_poll(question="Нове", opens_in=-2, closes_in=5)
        make_poll(question="Ще не відкрите", opens_in=10, closes_in=20)
        make_poll(question="Неопубліковане", opens_in=-1, closes_in=3, published=False)
        assert Poll.objects.current() == newest

    def test_a_closed_poll_stays_current_with_its_results_until_a_new_one_opens(self):
        closed = make_poll(opens_in=-10, closes_in=-1)
        assert Poll.objects.current() == closed

    def test_two_overlapping_published_polls_are_refused(self):
        make_poll(question="Перше", opens_in=-1, closes_in=10)
        now = datetime.datetime.now(datetime.UTC)
        second = Poll(
            question="Друге",
            opens_at=now + datetime.timedelta(days=2),
            closes_at=now + datetime.timedelta(days=20),
            is_published=True,
        )
        with pytest.raises(ValidationError) as error:
            second.full_clean()
        assert "Перше" in str(error.value)
        second.is_published = False
        second.full_clean()

    def test_closing_before_opening_is_refused(self):
        now = datetime.datetime.now(datetime.UTC)
        poll = Poll(question="?", opens_at=now, closes_at=now - datetime.timedelta(hours=1))
        with pytest.raises(ValidationError) as error:
            poll.full_clean()
        assert "closes_at" in error.value.message_dict
