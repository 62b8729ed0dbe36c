"""Voting: the rules a vote must pass before it is counted."""

import hashlib
import uuid

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from polls.models import Choice, Poll, Vote
from portal.client_ip import limit_key, limit_unknown

VOTER_COOKIE = "voter"
VOTER_COOKIE_SALT = "polls.voter"
VOTER_COOKIE_MAX_AGE = 5 * 365 * 24 * 3600


class VoteRefused(Exception):
    """A vote that is not counted; ``message`` is what the resident reads."""

    message = _("Your vote was not counted.")
    status = 400

    def __str__(self):
        return str(self.message)


class PollClosed(VoteRefused):
    message = _("This poll is closed: votes are no longer accepted.")
    status = 409


class AlreadyVoted(VoteRefused):
    message = _("You have already voted in this poll. Each resident votes once.")
    status = 409


class InvalidChoice(VoteRefused):
    message = _("Choose one of the answers of this poll.")
    status = 400


class TooManyVotes(VoteRefused):
    message = _("Too many votes from your network in the last hour. Please try again later.")
    status = 429


def voter_from_request(request) -> str | None:
    """The resident's voter id from the signed cookie, or None."""
    try:
        return request.get_signed_cookie(VOTER_COOKIE, salt=VOTER_COOKIE_SALT, default=None)
    except signing.BadSignature:
        return None


def voter_new() -> str:
    return uuid.uuid4().hex


def voter_cookie_set(response, voter: str, *, secure: bool) -> None:
    response.set_signed_cookie(
        VOTER_COOKIE,
        voter,
        salt=VOTER_COOKIE_SALT,
        max_age=VOTER_COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=secure,
    )


def has_voted(poll: Poll, voter: str | None) -> bool:
    return bool(voter) and Vote.objects.filter(poll=poll, voter=voter).exists()


def poll_state(poll: Poll, *, voter: str | None) -> dict:
    """What the poll block shows: the form while the resident may vote, else
    the results."""
    voted = has_voted(poll, voter)
    is_open = poll.is_open()
    return {
        "poll": poll,
        "results": poll.results(),
        "is_open": is_open,
        "voted": voted,
        "show_form": is_open and not voted,
    }


def _ip_hash(ip: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:{ip}".encode()).hexdigest()


def _rate_limit_key(poll: Poll, ip_hash: str) -> str:
    return f"polls:votes:{poll.pk}:{ip_hash}:{timezone.now():%Y%m%d%H}"


@transaction.atomic
def vote_cast(*, poll: Poll, choice_id, voter: str, ip: str | None, now=None) -> Choice:
    """Count one vote of ``voter`` for the choice, or raise ``VoteRefused``.

    Refused: a closed or unpublished poll (whatever the form says), a choice
    that is missing, forged or of another poll, a second vote of the same voter
    (the unique constraint decides, so parallel requests cannot both count),
    and more votes from one address in an hour than
    ``POLLS_VOTES_PER_IP_PER_HOUR`` — generous, since a mobile carrier's NAT puts
    thousands of residents behind one address.
    """
    if not poll.is_open(now):
        raise PollClosed
    try:
        choice = poll.choices.get(pk=int(choice_id))
    except (TypeError, ValueError, OverflowError, Choice.DoesNotExist):
        raise InvalidChoice from None

    ip_hash = key = ""
    ip = limit_key(ip)  # an IPv6 visitor counts by the /64
    if ip is None:
        limit_unknown("poll vote")
    else:
        ip_hash = _ip_hash(ip)
        key = _rate_limit_key(poll, ip_hash)
        cache.add(key, 0, timeout=3600)
        if cache.incr(key) > settings.POLLS_VOTES_PER_IP_PER_HOUR:
            raise TooManyVotes

    try:
        with transaction.atomic():
            Vote.objects.create(poll=poll, choice=choice, voter=voter, ip_hash=ip_hash)
            Choice.objects.filter(pk=choice.pk).update(votes=F("votes") + 1)
    except IntegrityError:
        if key:
            cache.decr(key)
        raise AlreadyVoted from None
    return choice
