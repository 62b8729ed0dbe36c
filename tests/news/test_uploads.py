"""Pictures: only real images within limits, stored under unguessable names."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from news.models import Article
from news.services import article_picture_renditions
from news.validators import validate_image
from tests.conftest import make_article, make_image_bytes, make_image_upload


def test_a_real_jpeg_is_accepted():
    validate_image(make_image_upload())


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("page.jpg", b"<html><script>alert(1)</script></html>", "не є зображенням"),
        ("empty.png", b"", "не є зображенням"),
        ("truncated.jpg", make_image_bytes()[:200], "не є зображенням"),
        (
            "drawing.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "не є зображенням",
        ),
    ],
)
def test_files_that_are_not_pictures_are_refused(name, content, message):
    with pytest.raises(ValidationError) as error:
        validate_image(SimpleUploadedFile(name, content))
    assert message in " ".join(error.value.messages)


def test_a_decompression_bomb_is_refused_before_decoding(settings):
    """A small PNG that claims 20 000 × 20 000 pixels never expands in memory."""
    buffer = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(buffer, "PNG")
    assert buffer.tell() < 1_000_000
    with pytest.raises(ValidationError) as error:
        validate_image(SimpleUploadedFile("bomb.png", buffer.getvalue()))
    assert "забагато пікселів" in " ".join(error.value.messages)


def test_a_picture_over_the_size_limit_is_refused(settings):
    settings.IMAGE_UPLOAD_MAX_BYTES = 1000
    with pytest.raises(ValidationError) as error:
        validate_image(make_image_upload())
    assert "завелике" in " ".join(error.value.messages)


def test_a_tiff_is_refused_though_pillow_reads_it():
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "TIFF")
    with pytest.raises(ValidationError):
        validate_image(SimpleUploadedFile("scan.tiff", buffer.getvalue()))


@pytest.mark.django_db
def test_pictures_get_unguessable_names_and_webp_renditions(category):
    article = make_article(category=category)
    article.picture = make_image_upload(name="Секретний звіт.jpg", width=1600, height=900)
    article.picture_alt = "Опис"
    article.save()
    assert "Секретний" not in article.picture.name
    assert len(article.picture.name.rsplit("/", 1)[1]) == len("0123456789abcdef" * 2) + 4
    renditions = article_picture_renditions(article)
    assert [width for _, width in renditions] == [480, 800, 1200]
    for url, width in renditions:
        assert url.endswith(f"-{width}.webp")


@pytest.mark.django_db
def test_article_page_serves_srcset_and_lazy_loading(client, category):
    article = make_article(category=category)
    article.picture = make_image_upload(width=1600, height=900)
    article.picture_alt = "Новий сквер з лавками"
    article.save()
    article_picture_renditions(article)
    make_article(category=category)  # the home page lists this one with the picture lower down
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'alt="Новий сквер з лавками"' in html
    assert "-480.webp 480w" in html and "-1200.webp 1200w" in html
    home = client.get("/news/").content.decode()
    assert 'loading="lazy"' in home


@pytest.mark.django_db
def test_picture_without_description_is_refused(category):
    article = Article(category=category, title="Без опису", picture=make_image_upload())
    with pytest.raises(ValidationError) as error:
        article.full_clean()
    assert "picture_alt" in error.value.message_dict


class OpenCountingStorage(FileSystemStorage):
    """The media storage, counting the files it opens (with S3, each is a download)."""

    opened: list[str] = []

    def _open(self, name, mode="rb"):
        self.opened.append(name)
        return super()._open(name, mode)


def test_lists_and_pages_give_picture_sizes_without_opening_the_files(client, category, settings):
    """Every <img> carries the picture's size (no layout shift), read from the row: a
    list of twelve cards had opened twelve files on each render (on S3, downloads)."""
    settings.PAGE_CACHE_TIMEOUT = 0
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "tests.news.test_uploads.OpenCountingStorage"},
    }
    articles = [make_article(category=category, picture_alt="Сквер") for _ in range(12)]
    for article in articles:
        article.picture = make_image_upload(width=1600, height=900)
        article.save()
        article_picture_renditions(article)
    for address in ("/", "/news/", category.get_absolute_url(), articles[0].get_absolute_url()):
        OpenCountingStorage.opened.clear()
        html = client.get(address).content.decode()
        assert 'width="1600" height="900"' in html, address
        assert OpenCountingStorage.opened == [], address


def test_a_picture_turned_by_its_exif_orientation_is_measured_as_shown(category):
    """A phone's portrait photo is stored landscape with an orientation tag; a browser
    shows it upright, so the page must give it the upright size."""
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: turned a quarter clockwise
    Image.new("RGB", (800, 600), (30, 90, 160)).save(buffer, "JPEG", exif=exif)
    article = make_article(category=category, picture_alt="Портрет")
    article.picture = SimpleUploadedFile("portret.jpg", buffer.getvalue(), "image/jpeg")
    article.save()
    article_picture_renditions(article)
    article.refresh_from_db()
    assert (article.picture_width, article.picture_height) == (600, 800)


@pytest.mark.django_db(transaction=True)
def test_the_migration_measures_the_pictures_saved_before_it(category):
    """Pictures of an installation older than the size fields get them on migrate; a
    missing file leaves its article without (and the page without width/height)."""
    from django.core.management import call_command

    kept = make_article(category=category, picture=make_image_upload(width=640, height=360))
    lost = make_article(category=category, picture="news/2026/11/gone.jpg")
    Article.objects.update(picture_width=None, picture_height=None)
    call_command("migrate", "news", "0003", verbosity=0)
    call_command("migrate", "news", verbosity=0)
    kept.refresh_from_db()
    lost.refresh_from_db()
    assert (kept.picture_width, kept.picture_height) == (640, 360)
    assert lost.picture_width is None


@pytest.mark.django_db
class EditorImageUploadTests:
    url = "/editor/image-upload/"

    def test_anonymous_visitors_cannot_upload(self, client):
        response = client.post(self.url, {"upload": make_image_upload()})
        assert response.status_code == 403

    def test_staff_without_the_permission_cannot_upload(self, client, staff_user):
        client.force_login(staff_user)
        response = client.post(self.url, {"upload": make_image_upload()})
        assert response.status_code == 403

    def test_an_editor_uploads_a_picture_under_an_unguessable_name(self, client, staff_user):
        staff_user.user_permissions.add(Permission.objects.get(codename="change_article"))
        client.force_login(staff_user)
        response = client.post(self.url, {"upload": make_image_upload(name="фото.jpg")})
        assert response.status_code == 200
        url = response.json()["url"]
        assert url.startswith("/media/editor/") and "фото" not in url

    def test_an_editor_gets_a_clear_error_for_a_non_image(self, client, staff_user):
        staff_user.user_permissions.add(Permission.objects.get(codename="change_article"))
        client.force_login(staff_user)
        fake = SimpleUploadedFile("x.png", b"<html>not a picture</html>")
        response = client.post(self.url, {"upload": fake})
        assert response.status_code == 400
        assert "не є зображенням" in response.json()["error"]["message"]
