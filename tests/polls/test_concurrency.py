"""Exactness under parallel requests: the full sizes on PostgreSQL (CI), a
smaller run on SQLite, whose writers queue on one file lock."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.test import Client

from polls.models import Vote
from tests.polls.factories import make_poll

pytestmark = pytest.mark.django_db(transaction=True)

# PostgreSQL allows 100 connections by default; 60 threads keep votes truly
# parallel without exhausting them. SQLite serialises writers, so fewer.
POSTGRES_WORKERS = 60
SQLITE_WORKERS = 8


def sizes(full: int, small: int) -> tuple[int, int]:
    """(votes, workers): the issue's numbers on PostgreSQL, fewer on SQLite."""
    if connection.vendor == "postgresql":
        return full, POSTGRES_WORKERS
    return small, SQLITE_WORKERS


def run_parallel(votes, worker, workers):
    barrier = threading.Barrier(min(votes, workers))

    def task(number):
        try:
            if number < workers:
                barrier.wait(timeout=30)
            return worker(number)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(task, range(votes)))


def test_two_hundred_voters_in_parallel_are_all_counted(settings):
    votes, workers = sizes(200, 40)
    settings.POLLS_VOTES_PER_IP_PER_HOUR = 1000
    poll = make_poll(answers=("Так", "Ні"))
    yes, no = poll.choices.all()

    def vote(number):
        choice = yes if number % 2 else no
        return Client().post(f"/polls/{poll.pk}/vote/", {"choice": choice.pk}).status_code

    statuses = run_parallel(votes, vote, workers)
    assert statuses == [302] * votes
    yes.refresh_from_db()
    no.refresh_from_db()
    assert (yes.votes, no.votes) == (votes // 2, votes // 2)
    assert Vote.objects.filter(poll=poll).count() == votes


def test_fifty_parallel_votes_from_one_voter_count_once(settings):
    votes, workers = sizes(50, 20)
    poll = make_poll()
    choice = poll.choices.first()
    first = Client()
    first.post(f"/polls/{poll.pk}/vote/", {"choice": poll.choices.last().pk})
    cookie = first.cookies["voter"].value
    Vote.objects.all().delete()
    poll.choices.update(votes=0)

    def vote(_):
        client = Client()
        client.cookies["voter"] = cookie
        return client.post(
            f"/polls/{poll.pk}/vote/", {"choice": choice.pk}, HTTP_X_REQUESTED_WITH="fetch"
        ).status_code

    statuses = run_parallel(votes, vote, workers)
    assert sorted(statuses) == [200] + [409] * (votes - 1)
    choice.refresh_from_db()
    assert choice.votes == 1
    assert Vote.objects.count() == 1
