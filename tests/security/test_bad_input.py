"""Issue #7: bad input everywhere. Arbitrary text, huge numbers, NUL bytes and
invalid UTF-8 in every public query string, path parameter and form: always a
2xx/3xx/4xx with a page that says what happened, never a 500, nothing written."""

from urllib.parse import quote, quote_from_bytes

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsletter.models import Subscriber
from polls.models import Choice, Vote
from tests.conftest import make_article, make_category
from tests.polls.factories import make_poll

examples = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# What a resident, a crawler or an attacker may put after "=" or in a path
# segment, already percent-encoded as it travels in the URL.
hostile_text = st.one_of(
    st.text(max_size=300),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.sampled_from(
        ["", "0", "-1", "1e9", "last", "NaN", "\x00", "1\x00", "' OR 1=1 --", "<script>"]
    ),
    st.text(min_size=5000, max_size=20000, alphabet="9a%"),
).map(lambda text: quote(text, safe=""))
invalid_utf8 = st.binary(min_size=1, max_size=40).map(quote_from_bytes) | st.sampled_from(
    ["%ff%fe", "%c3%28", "%80", "%ed%a0%80", "%00", "%e2%82"]
)
url_value = hostile_text | invalid_utf8


def assert_clear_answer(response):
    """No server error, and an HTML answer is a page with a heading."""
    assert response.status_code < 500, response.status_code
    content_type = response.get("Content-Type", "")
    if response.status_code >= 400 and content_type.startswith("text/html"):
        page = response.content.decode()
        assert "<h1" in page, page[:500]
        assert "Traceback" not in page


@pytest.fixture
def site(db):
    category = make_category(name="Події", slug="podii")
    for _ in range(3):
        make_article(category=category)
    return category


@pytest.mark.parametrize(
    "template",
    [
        "/?page={}",
        "/news/?page={}",
        "/en/news/?page={}",
        "/news/podii/?page={}",
        "/news/{}/",
        "/news/podii/{}/",
        "/feeds/news/?page={}",
        "/feeds/news/{}/",
        "/sitemap.xml?p={}",
        "/sitemap-news.xml?p={}",
        "/sitemap-{}.xml",
        "/polls/?page={}",
        "/polls/{}/",
        "/documents/?page={}",
        "/documents/?q={}&year={}&kind={}",
        "/search/?q={}&page={}",
        "/search/documents/?q={}&page={}",
        "/newsletter/confirm/{}/",
        "/newsletter/preferences/{}/",
        "/newsletter/unsubscribe/{}/",
    ],
)
@examples
@given(values=st.lists(url_value, min_size=3, max_size=3))
def test_query_strings_and_path_parameters(client, site, template, values):
    response = client.get(template.format(*values))
    assert_clear_answer(response)


@examples
@given(choice=url_value, next_url=url_value, extra=st.binary(max_size=200))
def test_voting_with_any_choice_changes_nothing_unless_it_is_a_real_choice(
    client, db, choice, next_url, extra
):
    poll = make_poll()
    before = (Vote.objects.count(), sorted(Choice.objects.values_list("pk", "votes")))
    body = f"choice={choice}&next={next_url}".encode() + b"&junk=" + extra
    response = client.post(
        f"/polls/{poll.pk}/vote/", body, content_type="application/x-www-form-urlencoded"
    )
    assert_clear_answer(response)
    real = {str(pk) for pk in poll.choices.values_list("pk", flat=True)}
    if choice not in real:
        assert (Vote.objects.count(), sorted(Choice.objects.values_list("pk", "votes"))) == before
    if response.status_code in (301, 302, 303):
        assert response["Location"].startswith("/"), "never sent to another site"


@examples
@given(email=st.one_of(st.text(max_size=400), st.emails().map(lambda e: e + "\x00")))
def test_signup_with_anything_but_an_address_writes_nothing(client, db, email):
    before = Subscriber.objects.count()
    response = client.post("/newsletter/", {"email": email, "website": ""})
    assert_clear_answer(response)
    try:
        validate_email(email.strip())
        valid = len(email) <= 254 and "\x00" not in email
    except ValidationError:
        valid = False
    if not valid:
        assert response.status_code == 400
        assert Subscriber.objects.count() == before


@examples
@given(token=url_value)
def test_forged_unsubscribe_and_preferences_links_change_nothing(client, db, token):
    subscriber = Subscriber.objects.create(
        email="olena@example.org", status=Subscriber.Status.CONFIRMED
    )
    for path in (f"/newsletter/unsubscribe/{token}/", f"/newsletter/preferences/{token}/"):
        response = client.post(path, {"categories": ["1", "x", "\x00"]})
        assert_clear_answer(response)
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED
    assert not subscriber.categories.exists()
    subscriber.delete()


@pytest.mark.django_db
def test_invalid_utf8_and_nul_bytes_get_a_clear_404_page(client, site):
    for path in ("/news/%ff%fe/", "/news/podii/%00/", "/%c3%28/"):
        response = client.get(path)
        assert response.status_code == 404
        assert "Пошук по сайту" in response.content.decode()


@examples
@given(
    username=st.one_of(st.text(max_size=400), st.just("a\x00b"), st.just("x" * 1000)),
    password=st.one_of(st.text(max_size=400), st.just("\x00")),
)
def test_the_admin_login_answers_any_credentials_without_a_server_error(
    client, db, username, password
):
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.count()
    response = client.post("/admin/login/", {"username": username, "password": password})
    assert response.status_code in (200, 429), response.status_code
    assert "_auth_user_id" not in client.session
    assert get_user_model().objects.count() == users
