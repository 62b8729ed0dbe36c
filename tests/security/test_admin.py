"""Issue #7: the admin login is throttled per address and per username
(django-axes), staff passwords are validated, the admin URL is configurable
and CKEditor 5 still loads under the admin's Content-Security-Policy."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.security.conftest import production_env, run_python

PASSWORD = "correct-horse-battery"


def attempt(client, username, password, address):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=address,
    )


def fail_five_times(client, *, usernames, addresses):
    statuses = [
        attempt(client, username, "wrong password", address).status_code
        for username, address in zip(usernames, addresses, strict=True)
    ]
    # The form comes back four times; the fifth failure locks out.
    assert statuses == [200, 200, 200, 200, 429]


@pytest.mark.django_db
def test_five_failures_for_one_username_lock_it_out_from_any_address(client, staff_user):
    fail_five_times(
        client, usernames=["editor"] * 5, addresses=[f"203.0.113.{n}" for n in range(5)]
    )
    response = attempt(client, "editor", PASSWORD, "198.51.100.7")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Вхід тимчасово заблоковано" in page
    assert "15 хв." in page
    assert "_auth_user_id" not in client.session, "the right password does not get through"


@pytest.mark.django_db
def test_five_failures_from_one_address_lock_it_out_for_any_username(
    client, staff_user, django_user_model
):
    django_user_model.objects.create_user("other", password=PASSWORD, is_staff=True)
    fail_five_times(
        client, usernames=[f"guess{n}" for n in range(5)], addresses=["203.0.113.9"] * 5
    )
    assert attempt(client, "other", PASSWORD, "203.0.113.9").status_code == 429
    # Another address and the right password still work: the lockout is targeted.
    response = attempt(client, "other", PASSWORD, "198.51.100.8")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


@pytest.mark.django_db
def test_the_lockout_ends_after_the_cool_off(client, staff_user):
    from axes.models import AccessAttempt
    from django.utils import timezone

    fail_five_times(client, usernames=["editor"] * 5, addresses=["203.0.113.20"] * 5)
    assert attempt(client, "editor", PASSWORD, "203.0.113.20").status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timezone.timedelta(minutes=16))
    assert attempt(client, "editor", PASSWORD, "203.0.113.20").status_code == 302


@pytest.mark.django_db
def test_force_login_in_tests_is_not_affected(client, staff_user):
    client.force_login(staff_user)
    assert client.get(reverse("admin:index")).status_code == 200


def test_weak_staff_passwords_are_refused():
    for weak in ("short1", "123456789012", "password1234"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("громада-весна-ліхтар-2026")


def test_the_admin_address_comes_from_the_environment(tmp_path):
    result = run_python(
        "tests/security/admin_url_probe.py",
        env=production_env(tmp_path, DJANGO_ADMIN_URL="kabinet-redaktora/"),
    )
    # robots.txt, public, does not give the address away.
    assert result == {"index": "/kabinet-redaktora/", "old": 404, "robots_disallows": False}


@pytest.mark.django_db
def test_ckeditor_loads_under_the_admin_policy(client, staff_user, django_user_model):
    admin = django_user_model.objects.create_superuser("chief", password=PASSWORD)
    client.force_login(admin)
    response = client.get(reverse("admin:news_article_add"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "django_ckeditor_5/dist/bundle.js" in page
    policy = response["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in policy
    assert (
        "script-src 'self'" in policy
        and "unsafe" not in policy.split("script-src")[1].split(";")[0]
    )


@pytest.mark.django_db
def test_failures_from_one_ipv6_slash_64_lock_out_the_whole_prefix(
    client, staff_user, django_user_model
):
    """One host has a whole /64: hopping between its addresses gains no more guesses."""
    django_user_model.objects.create_user("other", password=PASSWORD, is_staff=True)
    fail_five_times(
        client,
        usernames=[f"guess{n}" for n in range(5)],
        addresses=[f"2001:db8:1:2::{n + 1:x}" for n in range(5)],
    )
    assert attempt(client, "other", PASSWORD, "2001:db8:1:2:ffff::9").status_code == 429
    assert attempt(client, "other", PASSWORD, "2001:db8:1:3::1").status_code == 302
