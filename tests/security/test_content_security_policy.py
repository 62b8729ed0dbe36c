"""The Content-Security-Policy header (portal.middleware.ContentSecurityPolicyMiddleware,
each policy's header built once): the same header as Django's, each response with its
own nonce, and a changed policy in force at once."""

import re

import pytest
from django.http import HttpResponse
from django.utils.csp import CSP, build_policy

from portal.middleware import ContentSecurityPolicyMiddleware

pytestmark = pytest.mark.django_db

NONCE_SOURCE = re.compile(r"'nonce-([^']+)'")


def test_a_page_gets_django_s_header_and_a_nonce_only_when_it_used_one(rf, settings):
    """The portal's templates use no nonce today; a page that does (a view that puts
    one into an inline script) gets it in its header, a fresh one each response."""

    def view(request):
        if request.path == "/with-script/":
            return HttpResponse(f'<script nonce="{request._csp_nonce}">go()</script>')
        return HttpResponse("<p>no script</p>")

    middleware = ContentSecurityPolicyMiddleware(view)
    nonces = []
    for _ in range(3):
        response = middleware(rf.get("/with-script/"))
        (nonce,) = set(NONCE_SOURCE.findall(response["Content-Security-Policy"]))
        assert response["Content-Security-Policy"] == build_policy(settings.SECURE_CSP, nonce)
        assert f'nonce="{nonce}"'.encode() in response.content
        nonces.append(nonce)
        without = middleware(rf.get("/without/"))["Content-Security-Policy"]
        assert without == build_policy(settings.SECURE_CSP)
        assert "nonce" not in without
    assert len(set(nonces)) == 3


def test_a_changed_policy_is_sent_from_the_next_response(client, settings):
    client.get("/news/")
    settings.SECURE_CSP = {**settings.SECURE_CSP, "img-src": [CSP.SELF, "https://maps.example"]}
    header = client.get("/news/")["Content-Security-Policy"]
    assert "img-src 'self' https://maps.example" in header


def test_the_admin_gets_its_own_policy(client, staff_user):
    client.force_login(staff_user)
    admin = client.get("/admin/")["Content-Security-Policy"]
    public = client.get("/news/")["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in admin
    assert "'unsafe-inline'" not in public
