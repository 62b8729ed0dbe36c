"""The demo polls: one open with votes, two closed in the archive, loaded once."""

import io

import pytest

from polls import demo
from polls.models import Choice, Poll, Vote

pytestmark = pytest.mark.django_db


def test_demo_polls_are_consistent_and_loaded_once(client):
    demo.load(io.StringIO())
    demo.load(io.StringIO())
    assert Poll.objects.count() == 3
    current = Poll.objects.current()
    assert current.is_open()
    assert Poll.objects.closed().count() == 2
    for choice in Choice.objects.all():
        assert choice.votes == Vote.objects.filter(choice=choice).count()
    archive = client.get("/polls/").content.decode()
    for poll in Poll.objects.closed():
        assert poll.question in archive
