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


def photo_with_location(orientation: int = 1, image_format: str = "JPEG") -> bytes:
    """A phone's photo: EXIF with the camera, its owner and the GPS position."""
    exif = Image.Exif()
    exif[0x010F] = "Samsung"  # Make
    exif[0x013B] = "Марія Коваленко"  # Artist
    exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (50.0, 27.0, 1.0), 3: "E", 4: (30.0, 31.0, 2.0)})
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (200, 40, 40)).save(buffer, image_format, exif=exif)
    return buffer.getvalue()


def stored_metadata(path: Path) -> tuple[dict, dict, tuple[int, int]]:
    raw = path.read_bytes()
    with Image.open(path) as image:
        exif = dict(image.getexif())
        return exif, {"gps": exif.get(0x8825), "text": b"Samsung" in raw}, image.size


def article_form(category, picture):
    return {
        "title": "Укриття у школі № 3",
        "slug": "",
        "category": category.pk,
        "lead": "Анонс.",
        "body": "<p>Текст</p>",
        "status": "published",
        "published_at_0": "2026-11-20",
        "published_at_1": "10:00:00",
        "picture": picture,
        "picture_alt": "Вхід до укриття",
    }


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
def test_an_article_picture_is_published_without_its_location(
    editor_client, category, settings, image_format
):
    """Where a photo was taken (a shelter, a resident's home) must not be public."""
    upload = SimpleUploadedFile("ukryttia.jpg", photo_with_location(image_format=image_format))
    response = editor_client.post(reverse("admin:news_article_add"), article_form(category, upload))
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get()
    exif, found, size = stored_metadata(Path(settings.MEDIA_ROOT) / article.picture.name)
    assert exif == {} and found == {"gps": None, "text": False}
    assert size == (800, 600)
    with Image.open(Path(settings.MEDIA_ROOT) / article.picture.name) as stored:
        assert stored.format == image_format


def test_a_turned_photo_is_stored_upright_without_its_tags(editor_client, category, settings):
    upload = SimpleUploadedFile("portret.jpg", photo_with_location(orientation=6))
    editor_client.post(reverse("admin:news_article_add"), article_form(category, upload))
    article = Article.objects.get()
    exif, found, size = stored_metadata(Path(settings.MEDIA_ROOT) / article.picture.name)
    assert exif == {} and not found["text"]
    assert size == (600, 800), "turned as the phone meant it"
    assert (article.picture_width, article.picture_height) == (600, 800)


def test_a_picture_in_the_text_is_published_without_its_location(editor_client, settings):
    response = editor_client.post(
        reverse("news:editor_image_upload"),
        {"upload": SimpleUploadedFile("ukryttia.jpg", photo_with_location())},
    )
    assert response.status_code == 200
    name = response.json()["url"].removeprefix(settings.MEDIA_URL)
    exif, found, size = stored_metadata(Path(settings.MEDIA_ROOT) / name)
    assert exif == {} and found == {"gps": None, "text": False}
    assert size == (800, 600)


def test_an_animated_gif_keeps_its_frames(editor_client, settings):
    colors = ((200, 0, 0), (0, 200, 0), (0, 0, 200))
    frames = [Image.new("RGB", (40, 40), color) for color in colors]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=200, loop=0)
    response = editor_client.post(
        reverse("news:editor_image_upload"),
        {"upload": SimpleUploadedFile("kartka.gif", buffer.getvalue())},
    )
    name = response.json()["url"].removeprefix(settings.MEDIA_URL)
    with Image.open(Path(settings.MEDIA_ROOT) / name) as stored:
        assert stored.n_frames == 3
        assert stored.info["duration"] == 200


def test_a_phones_multi_picture_jpeg_is_accepted_as_a_jpeg(editor_client, category, settings):
    """Phones write JPEGs with a second picture inside (MPO: a preview, a depth map);
    Pillow names the format MPO, and it is a JPEG to every browser."""
    first, preview = Image.new("RGB", (800, 600), (20, 120, 60)), Image.new("RGB", (160, 120))
    buffer = io.BytesIO()
    first.save(buffer, "MPO", save_all=True, append_images=[preview])
    upload = SimpleUploadedFile("IMG_2041.jpg", buffer.getvalue())
    response = editor_client.post(reverse("admin:news_article_add"), article_form(category, upload))
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.picture.name.endswith(".jpg")
    with Image.open(Path(settings.MEDIA_ROOT) / article.picture.name) as stored:
        assert stored.format == "JPEG" and stored.size == (800, 600)
