"""Exactness under parallel requests (PostgreSQL in CI)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.test import Client

from polls.models import Vote
from tests.polls.factories import make_poll

pytestmark = pytest.mark.django_db(transaction=True)

# PostgreSQL allows 100 connections by default; 60 threads keep votes truly
# parallel without exhausting them.
WORKERS = 60


def require_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("parallel voting is proven on PostgreSQL (run with DATABASE_URL)")


def run_parallel(votes, worker):
    barrier = threading.Barrier(min(votes, WORKERS))

    def task(number):
        try:
            if number < WORKERS:
                barrier.wait(timeout=30)
            return worker(number)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(task, range(votes)))


def test_two_hundred_voters_in_parallel_are_all_counted(settings):
    require_postgresql()
    settings.POLLS_VOTES_PER_IP_PER_HOUR = 1000
    poll = make_poll(answers=("Так", "Ні"))
    yes, no = poll.choices.all()

    def vote(number):
        choice = yes if number % 2 else no
        return Client().post(f"/polls/{poll.pk}/vote/", {"choice": choice.pk}).status_code

    statuses = run_parallel(200, vote)
    assert statuses == [302] * 200
    yes.refresh_from_db()
    no.refresh_from_db()
    assert (yes.votes, no.votes) == (100, 100)
    assert Vote.objects.filter(poll=poll).count() == 200


def test_fifty_parallel_votes_from_one_voter_count_once(settings):
    require_postgresql()
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

    statuses = run_parallel(50, vote)
    assert sorted(statuses) == [200] + [409] * 49
    choice.refresh_from_db()
    assert choice.votes == 1
    assert Vote.objects.count() == 1
