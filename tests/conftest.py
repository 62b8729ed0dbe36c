"""Shared fixtures and factories for every app's tests."""

import io
import itertools
import shutil
import tempfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from news.models import Article, Category

_counter = itertools.count(1)


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path_factory):
    """Fast hashing, mail kept in memory, media in a throw-away folder, a
    fresh cache: tests never touch var/ or each other's files."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    # Background tasks run at once (after the commit) unless a test asks otherwise.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    settings.PAGE_CACHE_GENERATION_FILE = tmp_path_factory.mktemp("pagecache") / "generation"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from django.core.cache import cache
    from django.utils import translation

    cache.clear()
    # A request under /en/ leaves English active in this thread; reverse()
    # in the next test would then build /en/ addresses.
    translation.activate("uk")
    yield
    translation.deactivate()
    cache.clear()


def make_image_bytes(width=640, height=360, color=(30, 90, 160), image_format="JPEG"):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, image_format)
    return buffer.getvalue()


def make_image_upload(name="picture.jpg", **kwargs):
    return SimpleUploadedFile(name, make_image_bytes(**kwargs), content_type="image/jpeg")


def make_category(**fields):
    number = next(_counter)
    fields.setdefault("name", f"Розділ {number}")
    fields.setdefault("position", number)
    return Category.objects.create(**fields)


def make_article(**fields):
    number = next(_counter)
    if "category" not in fields:
        fields["category"] = make_category()
    fields.setdefault("title", f"Новина номер {number}")
    fields.setdefault("lead", "Короткий опис новини для списку.")
    fields.setdefault("body", "<p>Текст новини громади.</p>")
    fields.setdefault("status", Article.Status.PUBLISHED)
    fields.setdefault("published_at", timezone.now() - timezone.timedelta(minutes=number))
    return Article.objects.create(**fields)


@pytest.fixture
def media_on_a_cdn(settings):
    """Media files served from another host, as from S3-compatible storage or a CDN
    (S3_CUSTOM_DOMAIN): their addresses are whole. Returns that host's address."""
    host = "https://media.hromada.example.net/"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": settings.MEDIA_ROOT, "base_url": host},
        },
    }
    return host


@pytest.fixture
def category(db):
    return make_category(name="Новини громад", description="Події громади.")


@pytest.fixture
def article(category):
    return make_article(category=category, title="Громада підписала угоду про співпрацю")


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user(
        "editor", "editor@example.com", "correct-horse-battery", is_staff=True
    )


@pytest.fixture
def browser_user_agent():
    return (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/130.0 Safari/537.36"
    )


@pytest.fixture
def tmp_dir():
    path = tempfile.mkdtemp()
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def editors_group(db):
    """The editors' group of the migration (re-created after a transactional
    test flushed the tables)."""
    from django.contrib.auth.models import Group, Permission

    from portal.roles import editors_group_sync

    return editors_group_sync(Group, Permission)
