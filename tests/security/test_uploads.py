"""Issue #7: uploads attacked. Every hostile file is refused with a clear
admin message and nothing is stored, or stored inertly: under an image name,
served as an image with ``nosniff``, never as HTML from the site's origin."""

import io
import re
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from news.models import Article
from tests.conftest import make_image_bytes

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
POLYGLOT = make_image_bytes() + HTML  # a valid JPEG with a page appended


def bomb_png() -> bytes:
    """A PNG whose header claims 30 000 × 30 000 pixels in a few kilobytes."""
    buffer = io.BytesIO()
    Image.new("1", (30_000, 30_000)).save(buffer, "PNG")
    return buffer.getvalue()


# Django's own ImageField check speaks first ("не є малюнком"), then
# news.validators.validate_image ("не є зображенням", "забагато пікселів").
NOT_A_PICTURE = ("не є малюнком", "не є зображенням", "забагато пікселів")


def picture_files():
    return [
        ("drawing.svg", SVG, NOT_A_PICTURE),
        ("notice.pdf", HTML, NOT_A_PICTURE),
        ("page.jpg", HTML, NOT_A_PICTURE),
        ("empty.jpg", b"", ("порожній",)),
        ("truncated.png", make_image_bytes(image_format="PNG")[:300], NOT_A_PICTURE),
        ("bomb.png", bomb_png(), NOT_A_PICTURE),
        ("raw.jpg", zlib.compress(b"\0" * 10_000_000), NOT_A_PICTURE),
    ]


@pytest.fixture
def editor_client(client, django_user_model, category):
    client.force_login(django_user_model.objects.create_superuser("chief", password="x" * 14))
    return client


@pytest.mark.parametrize(("name", "content", "message"), picture_files(), ids=lambda v: "")
def test_hostile_article_pictures_are_refused_in_the_admin(
    editor_client, category, name, content, message
):
    response = editor_client.post(
        reverse("admin:news_article_add"),
        {
            "title": "Спроба завантаження",
            "slug": "",
            "category": category.pk,
            "lead": "Анонс.",
            "body": "<p>Текст</p>",
            "status": "draft",
            "published_at_0": "2026-11-20",
            "published_at_1": "10:00:00",
            "picture": SimpleUploadedFile(name, content),
            "picture_alt": "Опис",
        },
    )
    assert response.status_code == 200, "the form comes back with the error"
    page = response.content.decode()
    error = page[page.find('id="id_picture_error"') :][:400]
    assert any(text in error for text in message), error
    assert not Article.objects.exists()


def test_a_picture_over_the_limit_is_refused_with_its_size(editor_client, category, settings):
    settings.IMAGE_UPLOAD_MAX_BYTES = 20_000
    response = editor_client.post(
        reverse("news:editor_image_upload"),
        {"upload": SimpleUploadedFile("big.jpg", make_image_bytes(2000, 2000))},
    )
    assert response.status_code == 400
    assert "завелике" in response.json()["error"]["message"]


@pytest.mark.parametrize("name", ["evil.html", "evil.svg", "evil.xhtml", "evil.htm", "evil"])
def test_a_jpeg_polyglot_is_stored_only_under_an_image_name(editor_client, settings, name):
    """The editor's upload accepts a JPEG with HTML appended (it is a valid
    picture), but it must never be stored under a name a server would send
    as HTML."""
    response = editor_client.post(
        reverse("news:editor_image_upload"), {"upload": SimpleUploadedFile(name, POLYGLOT)}
    )
    if response.status_code == 400:
        return  # refused outright: fine
    url = response.json()["url"]
    assert Path(url).suffix in {".jpg", ".jpeg", ".png", ".gif", ".webp"}, url


def test_a_stored_polyglot_is_served_as_an_image_with_nosniff(editor_client, settings):
    response = editor_client.post(
        reverse("news:editor_image_upload"),
        {"upload": SimpleUploadedFile("photo.jpg", POLYGLOT)},
    )
    url = response.json()["url"]
    settings.ROOT_URLCONF = "tests.security.urls"  # with MEDIA served as while developing
    served = editor_client.get(url)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert served["X-Content-Type-Options"] == "nosniff"


def test_nginx_serves_media_with_nosniff_and_a_safe_default_type():
    config_dir = Path(__file__).resolve().parents[2] / "deploy" / "nginx"
    configs = list(config_dir.glob("*.conf")) if config_dir.is_dir() else []
    if not configs:
        pytest.skip("deploy/nginx/ is not there yet (issue #6)")
    text = "\n".join(path.read_text() for path in configs)
    media = text[text.find("location /media/") :]
    media = media[: media.find("}") + 1]
    assert "add_header X-Content-Type-Options nosniff" in media, media
    # A file that a browser would still take for a page cannot act as one: a
    # sandboxed policy (own origin, no scripts) or a download by default.
    assert "sandbox" in media or "default_type application/octet-stream" in media, media
    assert re.search(r"location ~\*? .*html.*svg.*\{\s*return 404;", media), media
