"""Issue #7: the production security headers on every page type, measured on
the portal started with its real production settings (DJANGO_DEBUG=0)."""

import json

import pytest

from tests.security.conftest import production_env, run_python

PAGE_TYPES = [
    "/",
    "/news/",
    "/en/news/",
    "/feeds/news/",
    "/sitemap.xml",
    "/sitemap-news.xml",
    "/robots.txt",
    "/polls/",
    "/documents/",
    "/search/?q=бюджет",
    "/search/documents/?q=рішення",
    "/newsletter/",
    "/news/no-such-section/",
    "/news/%ff%fe/",
    "/admin/login/",
    "/admin/",
]


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("production")
    return run_python(
        "tests/security/production_probe.py", json.dumps(PAGE_TYPES), env=production_env(tmp_path)
    )


def test_every_page_type_answers_without_a_server_error(production):
    statuses = {path: page["status"] for path, page in production["pages"].items()}
    assert all(status < 500 for status in statuses.values()), statuses
    assert statuses["/"] == 200
    assert statuses["/news/no-such-section/"] == 404
    assert statuses["/news/%ff%fe/"] == 404


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Strict-Transport-Security", "max-age=31536000; includeSubDomains; preload"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
    ],
)
def test_every_page_type_sends_the_header(production, header, expected):
    missing = {
        path: page["headers"].get(header)
        for path, page in production["pages"].items()
        if page["headers"].get(header) != expected
    }
    assert not missing, f"{header} differs on {missing}"


def test_every_page_type_switches_off_device_apis(production):
    for path, page in production["pages"].items():
        policy = page["headers"].get("Permissions-Policy", "")
        for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
            assert feature in policy, (path, policy)


def test_every_html_page_has_a_strict_content_security_policy(production):
    for path, page in production["pages"].items():
        if not page["headers"].get("Content-Type", "").startswith("text/html"):
            continue
        policy = page["headers"].get("Content-Security-Policy", "")
        directives = dict(
            (part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";") if part.strip()
        )
        assert directives.get("default-src") == "'self'", (path, policy)
        assert directives["script-src"].startswith("'self'"), (path, policy)
        assert "unsafe" not in directives["script-src"], (path, policy)
        assert directives.get("object-src") == "'none'", (path, policy)
        assert directives.get("frame-ancestors") == "'none'", (path, policy)
        if path.startswith("/admin/"):
            # CKEditor 5 injects <style> elements at run time (portal.middleware).
            assert "'unsafe-inline'" in directives["style-src"]
        else:
            assert "'unsafe-inline'" not in directives["style-src"], (path, policy)


def test_plain_http_is_redirected_to_https(production):
    assert production["plain_http"]["status"] == 301
    assert production["plain_http"]["location"] == "https://hromada.example.org/news/"


def test_session_and_csrf_cookies_are_secure_and_the_session_is_httponly(production):
    assert production["login_status"] == 302, "the staff login through the form works"
    cookies = production["cookies"]
    assert cookies["sessionid"] == {"secure": True, "httponly": True, "samesite": "Lax"}
    # The CSRF cookie is Secure; it stays readable to scripts by Django's design
    # (it is no secret: an attacker cannot read another origin's cookies).
    assert cookies["csrftoken"]["secure"] is True
