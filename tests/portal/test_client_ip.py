"""The visitor's address for rate limits: behind nginx on TCP or a unix socket."""

import logging

import pytest
from django.test import Client, RequestFactory

from newsletter.models import Subscriber
from portal.client_ip import client_ip, limit_key

factory = RequestFactory()


def request_with(**meta):
    request = factory.get("/")
    request.META.pop("REMOTE_ADDR", None)
    request.META.update(meta)
    return request


def test_behind_a_unix_socket_the_forwarded_address_is_the_visitor():
    """Over a unix socket REMOTE_ADDR is empty: only a process on this host (nginx) can
    connect, so its X-Forwarded-For speaks for the visitor."""
    request = request_with(REMOTE_ADDR="", HTTP_X_FORWARDED_FOR="198.51.100.4, 203.0.113.7")
    assert client_ip(request) == "203.0.113.7"


def test_behind_a_unix_socket_x_real_ip_serves_when_there_is_no_forwarded_for():
    assert client_ip(request_with(REMOTE_ADDR="", HTTP_X_REAL_IP="203.0.113.9")) == "203.0.113.9"


@pytest.mark.parametrize(
    "meta", [{}, {"REMOTE_ADDR": ""}, {"REMOTE_ADDR": "", "HTTP_X_FORWARDED_FOR": "unknown"}]
)
def test_no_address_at_all_is_none_not_an_empty_bucket(meta):
    assert client_ip(request_with(**meta)) is None


def test_a_unix_socket_is_trusted_only_when_the_settings_say_so(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "::1"]
    request = request_with(REMOTE_ADDR="", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert client_ip(request) is None


def test_a_visitor_cannot_forge_the_headers():
    request = request_with(
        REMOTE_ADDR="198.51.100.20", HTTP_X_FORWARDED_FOR="203.0.113.7", HTTP_X_REAL_IP="1.2.3.4"
    )
    assert client_ip(request) == "198.51.100.20"


@pytest.mark.django_db
def test_signups_over_a_unix_socket_are_limited_per_visitor(settings, caplog):
    settings.NEWSLETTER_SIGNUPS_PER_IP_PER_HOUR = 1
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    answers = [
        Client(REMOTE_ADDR="", HTTP_X_FORWARDED_FOR=address)
        .post("/newsletter/", {"email": f"{name}@example.org", "website": ""})
        .status_code
        for name, address in [("a", "203.0.113.1"), ("b", "203.0.113.2"), ("c", "203.0.113.2")]
    ]
    assert answers == [302, 302, 429]
    # A request whose address nobody knows is not limited with everyone else's, and
    # the misconfiguration is logged.
    with caplog.at_level(logging.WARNING):
        for name in ("d", "e"):
            response = Client(REMOTE_ADDR="").post(
                "/newsletter/", {"email": f"{name}@example.org", "website": ""}
            )
            assert response.status_code == 302
    assert "no client address" in caplog.text
    assert Subscriber.objects.count() == 4


@pytest.mark.django_db
def test_votes_over_a_unix_socket_are_limited_per_visitor(settings):
    from polls.models import Vote
    from tests.polls.factories import make_poll

    settings.POLLS_VOTES_PER_IP_PER_HOUR = 1
    poll = make_poll()
    for address in ("203.0.113.1", "203.0.113.2", "203.0.113.2", None):
        meta = {"REMOTE_ADDR": ""} | ({"HTTP_X_FORWARDED_FOR": address} if address else {})
        Client(**meta).post(f"/polls/{poll.pk}/vote/", {"choice": poll.choices.first().pk})
    assert Vote.objects.count() == 3  # the second vote of 203.0.113.2 is refused


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::"),
        ("2001:DB8:1:2::1", "2001:db8:1:2::"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("203.0.113.7", "203.0.113.7"),
        (None, None),
    ],
)
def test_limits_key_an_ipv6_address_on_its_slash_64(address, key):
    assert limit_key(address) == key


@pytest.mark.django_db
def test_signups_from_one_ipv6_slash_64_share_the_limit(settings):
    settings.NEWSLETTER_SIGNUPS_PER_IP_PER_HOUR = 2
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    addresses = ["2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ffff::3", "2001:db8:1:3::1"]
    answers = [
        Client(REMOTE_ADDR=address)
        .post("/newsletter/", {"email": f"p{n}@example.org", "website": ""})
        .status_code
        for n, address in enumerate(addresses)
    ]
    assert answers == [302, 302, 429, 302]


@pytest.mark.django_db
def test_votes_from_one_ipv6_slash_64_share_the_limit(settings):
    from polls.models import Vote
    from tests.polls.factories import make_poll

    settings.POLLS_VOTES_PER_IP_PER_HOUR = 1
    poll = make_poll()
    for address in ("2001:db8:5:6::1", "2001:db8:5:6::2", "2001:db8:5:7::1"):
        Client(REMOTE_ADDR=address).post(
            f"/polls/{poll.pk}/vote/", {"choice": poll.choices.first().pk}
        )
    assert Vote.objects.count() == 2
