"""Issue #7: faults. The database down or locked gives residents a short
Ukrainian 503 page and the site recovers by itself; the 404 and 500 pages are
friendly, in Ukrainian, with the site's layout and the search box."""

import json

import pytest
from django.db import OperationalError, connection
from django.test import Client

from portal.middleware import is_database_unavailable
from tests.conftest import make_article
from tests.security.conftest import production_env, run_python

DOWN_MESSAGE = "Сайт тимчасово недоступний"


def assert_friendly_503(status, body, retry_after):
    assert status == 503
    assert retry_after == "30"
    assert DOWN_MESSAGE in body
    assert 'lang="uk"' in body
    for leak in ("Traceback", "OperationalError", "SECRET_KEY", "DATABASES", "127.0.0.1"):
        assert leak not in body


def test_residents_get_a_503_when_postgresql_is_unreachable(tmp_path):
    pages = ["/", "/news/", "/news/rozdil/stattia/", "/feeds/news/", "/admin/login/"]
    result = run_python(
        "tests/security/dead_database_probe.py",
        json.dumps(pages),
        env=production_env(tmp_path, DATABASE_URL="postgres://postgres@127.0.0.1:1/hromada"),
    )
    for path in pages:
        page = result[path]
        assert_friendly_503(page["status"], page["body"], page["retry_after"]), path


@pytest.mark.django_db(transaction=True)
def test_the_site_recovers_by_itself_when_the_database_returns(client, settings):
    """Point the live connection at a database that cannot be reached, then
    back: no restart, no manual step."""
    article = make_article(title="Ремонт мосту завершено")
    saved = dict(connection.settings_dict)
    try:
        connection.close()
        if connection.vendor == "sqlite":
            connection.settings_dict["NAME"] = "/nonexistent-directory/portal.sqlite3"
        else:
            connection.settings_dict["PORT"] = "1"
            connection.settings_dict["HOST"] = "127.0.0.1"
        for _ in range(2):
            response = client.get(article.get_absolute_url())
            assert_friendly_503(
                response.status_code, response.content.decode(), response.get("Retry-After")
            )
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert "Ремонт мосту завершено" in response.content.decode()


@pytest.fixture
def failing_site(settings):
    settings.ROOT_URLCONF = "tests.security.urls"
    settings.DEBUG = False
    return Client(raise_request_exception=False)


@pytest.mark.django_db
def test_a_locked_database_gives_the_503_page(failing_site):
    response = failing_site.get("/test-locked/")
    assert_friendly_503(response.status_code, response.content.decode(), response["Retry-After"])
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_a_bug_gives_the_friendly_500_page_with_the_search_box(failing_site):
    response = failing_site.get("/test-broken/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Сталася помилка на сервері" in page
    assert 'action="/search/"' in page and "Пошук по сайту" in page
    assert 'class="site-header"' in page and 'class="site-footer"' in page
    assert "a bug in a view" not in page and "Traceback" not in page


@pytest.mark.django_db
def test_a_missing_page_gives_the_friendly_404_with_layout_and_search(failing_site):
    response = failing_site.get("/news/nemaie-takoho-rozdilu/")
    assert response.status_code == 404
    page = response.content.decode()
    assert 'lang="uk"' in page
    assert "Пошук по сайту" in page and "Пошук по документах" in page
    assert 'class="site-header' in page and "site-footer" in page


def test_only_outages_count_as_the_database_being_unavailable():
    from django.db import DatabaseError, IntegrityError, InterfaceError, ProgrammingError

    assert is_database_unavailable(OperationalError("could not connect to server"))
    assert is_database_unavailable(InterfaceError("connection already closed"))
    assert is_database_unavailable(DatabaseError("database is locked"))
    assert not is_database_unavailable(ProgrammingError("relation does not exist"))
    assert not is_database_unavailable(IntegrityError("duplicate key"))
    assert not is_database_unavailable(ValueError("locked"))
    assert not is_database_unavailable(None)


def test_redis_away_counts_as_an_outage_too():
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import ResponseError

    assert is_database_unavailable(RedisConnectionError("Error 111 connecting to 127.0.0.1:6379"))
    assert not is_database_unavailable(ResponseError("WRONGTYPE"))


class FailingSessionMiddleware:
    """Stands for a middleware whose database query fails (e.g. sessions)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raise OperationalError("server closed the connection unexpectedly")


@pytest.mark.django_db
def test_an_outage_inside_a_middleware_also_gives_the_503_page(failing_site, settings):
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE,
        "tests.security.test_faults.FailingSessionMiddleware",
    ]
    response = failing_site.get("/news/")
    assert_friendly_503(response.status_code, response.content.decode(), response["Retry-After"])


@pytest.mark.django_db(transaction=True)
def test_postgresql_restarted_under_a_live_connection_costs_at_most_one_503(client):
    """The server side of the portal's persistent connection goes away (as
    when PostgreSQL restarts): at most the request that finds out gets the 503
    page, the next one reconnects by itself."""
    from django.db import close_old_connections

    if connection.vendor != "postgresql":
        pytest.skip("terminating a server backend is a PostgreSQL test")
    article = make_article(title="Новий графік руху автобусів")

    def fetch():
        response = client.get(article.get_absolute_url())
        # What Django's WSGI handler does after every request; the test
        # client leaves it out, so the test does it.
        close_old_connections()
        return response

    assert fetch().status_code == 200
    pid = connection.connection.info.backend_pid
    import psycopg2

    params = {
        key: value
        for key, value in connection.get_connection_params().items()
        if key in {"dbname", "user", "password", "host", "port"}
    }
    with psycopg2.connect(**params) as other, other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        assert cursor.fetchone()[0] is True
    other.close()
    first = fetch()
    if first.status_code != 200:
        assert_friendly_503(first.status_code, first.content.decode(), first.get("Retry-After"))
    response = fetch()
    assert response.status_code == 200
    assert "Новий графік руху автобусів" in response.content.decode()


@pytest.mark.django_db
def test_a_form_without_its_csrf_token_gets_a_clear_ukrainian_page():
    from newsletter.models import Subscriber

    client = Client(enforce_csrf_checks=True)
    response = client.post("/newsletter/", {"email": "olha@example.org"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Форму не прийнято" in page and "Пошук по сайту" in page
    assert "CSRF" not in page
    assert not Subscriber.objects.exists()
