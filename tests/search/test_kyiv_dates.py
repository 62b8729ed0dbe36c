"""Dates in the index and its filters by Kyiv's calendar, not UTC's."""

import datetime
import io
import zoneinfo

import pytest
from django.core.management import call_command
from django.urls import reverse

from search.models import IndexEntry
from search.selectors import search_entries
from tests.conftest import make_article

KYIV = zoneinfo.ZoneInfo("Europe/Kyiv")


def titles(text, **kwargs):
    return [entry.title for entry in search_entries(text, **kwargs).results]


@pytest.mark.django_db
class TestKyivCalendar:
    def published_at_half_past_midnight(self):
        # As the database gives it back: in UTC, 22:30 on 30 November.
        return datetime.datetime(2026, 12, 1, 0, 30, tzinfo=KYIV).astimezone(datetime.UTC)

    def test_an_article_after_kyiv_midnight_is_on_that_kyiv_day(self, client):
        make_article(title="Нічна новина", published_at=self.published_at_half_past_midnight())
        assert IndexEntry.objects.get().date == datetime.date(2026, 12, 1)
        call_command("rebuild_search_index", stdout=io.StringIO(), stderr=io.StringIO())
        assert IndexEntry.objects.get().date == datetime.date(2026, 12, 1)
        url = reverse("search:results")
        response = client.get(url, {"q": "новина", "date_from": "2026-12-01"})
        assert [e.title for e in response.context["results"]] == ["Нічна новина"]
        assert "1 грудня 2026" in response.content.decode()
        response = client.get(url, {"q": "новина", "date_to": "2026-11-30"})
        assert list(response.context["results"]) == []

    def test_the_day_does_not_follow_the_active_time_zone(self):
        from django.utils import timezone

        for zone in ("UTC", "America/New_York", "Asia/Tokyo"):
            with timezone.override(zone):
                moment = self.published_at_half_past_midnight()
                article = make_article(title=f"Нічна новина {zone}", published_at=moment)
            entry = IndexEntry.objects.get(object_id=article.pk)
            assert entry.date == datetime.date(2026, 12, 1), zone
