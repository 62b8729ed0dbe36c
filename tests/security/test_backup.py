"""Issue #7: ``manage.py backup`` and ``manage.py restore`` round-trip the
database and the uploaded files into an empty installation."""

import io
import json
import os
import re
import subprocess
import sys
import tarfile
import threading
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from documents.models import Document
from news.models import Article
from news.services import article_picture_renditions
from newsletter.models import Subscriber
from polls.models import Choice, Vote
from polls.services import vote_cast, voter_new
from search.backends import get_search_backend
from tests.conftest import make_article, make_category, make_image_upload
from tests.documents.test_documents import make_document, pdf_bytes
from tests.polls.factories import make_poll
from tests.security.conftest import BASE_DIR, production_env


def fill_portal():
    category = make_category(name="Освіта")
    with_picture = make_article(
        category=category,
        title="Нова школа відкрилась",
        picture=make_image_upload("shkola.jpg"),
        picture_alt="Фасад школи",
    )
    article_picture_renditions(with_picture)
    make_article(category=category, title="Канікули подовжено")
    poll = make_poll(question="Де облаштувати сквер?", answers=("Центр", "Набережна"))
    first = poll.choices.order_by("position").first()
    for number in range(3):
        vote_cast(poll=poll, choice_id=first.pk, voter=voter_new(), ip=f"192.0.2.{number}")
    subscriber = Subscriber.objects.create(
        email="mariia@example.org", status=Subscriber.Status.CONFIRMED
    )
    subscriber.categories.add(category)
    Subscriber.objects.create(email="petro@example.org")
    make_document(pdf_bytes(), title="Про бюджет громади на 2027 рік")
    return with_picture


def page_text(response) -> str:
    """What a reader reads: the words without the markup (found words are <mark>ed)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", response.content.decode()))


def snapshot(media_root: Path):
    return {
        "articles": sorted(Article.objects.values_list("pk", "title", "slug", "picture")),
        "votes": Vote.objects.count(),
        "documents": sorted(Document.objects.values_list("pk", "title", "file", "text")),
        "choices": sorted(Choice.objects.values_list("text", "votes")),
        "subscribers": sorted(
            (s.email, s.status, [c.slug for c in s.categories.all()])
            for s in Subscriber.objects.all()
        ),
        "files": {
            path.relative_to(media_root).as_posix(): path.read_bytes()
            for path in media_root.rglob("*")
            if path.is_file()
        },
    }


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_into_an_emptied_installation(settings, tmp_path):
    fill_portal()
    media_root = Path(settings.MEDIA_ROOT)
    before = snapshot(media_root)
    assert len(before["files"]) >= 2, "the picture and its renditions"
    archive = tmp_path / "hromada.tar.gz"
    out = io.StringIO()
    call_command("backup", str(archive), stdout=out)
    assert "Backup written" in out.getvalue()

    call_command("flush", interactive=False, verbosity=0)
    get_search_backend().clear()  # as on a freshly migrated installation
    for path in media_root.rglob("*"):
        if path.is_file():
            path.unlink()
    assert Article.objects.count() == 0

    call_command("restore", str(archive), stdout=io.StringIO())
    assert snapshot(media_root) == before
    # The restored site serves the restored article, and its search finds it.
    assert "Нова школа відкрилась" in (Article.objects.get(title="Нова школа відкрилась").title)
    assert "Нова школа відкрилась" in page_text(Client().get("/search/", {"q": "школа"}))
    documents = Client().get("/search/documents/", {"q": "бюджет"})
    assert "Про бюджет громади на 2027 рік" in page_text(documents)


@pytest.mark.django_db(transaction=True)
def test_media_in_a_bucket_are_backed_up_and_restored_there(settings, tmp_path):
    """With S3-compatible storage the files are not under MEDIA_ROOT: the backup reads
    them through the media storage and the restore writes them back through it, also
    into the very bucket they came from (the files still there)."""
    bucket = tmp_path / "bucket"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": bucket, "base_url": "https://media.hromada.example.net/"},
        },
    }
    fill_portal()
    before = snapshot(bucket)
    assert len(before["files"]) >= 3, "the picture, its renditions and the document"
    archive = tmp_path / "hromada.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    with tarfile.open(archive, "r:gz") as tar:
        assert {f"media/{name}" for name in before["files"]} <= set(tar.getnames())

    call_command("flush", interactive=False, verbosity=0)
    kept = sorted(before["files"])[0]  # the restore replaces a file left in the bucket
    for path in bucket.rglob("*"):
        if path.is_file() and path.relative_to(bucket).as_posix() != kept:
            path.unlink()
    call_command("restore", str(archive), stdout=io.StringIO())
    assert snapshot(bucket) == before
    assert not any(Path(settings.MEDIA_ROOT).rglob("*.*")), "nothing written beside the bucket"


@pytest.mark.django_db(transaction=True)
def test_an_editor_publishing_during_the_dump_neither_waits_nor_breaks_the_archive(
    monkeypatch, tmp_path
):
    """A new section and its article committed by another request while the sections are
    being dumped: the write goes through at once (the dump holds no write lock), and the
    archive is one moment's — both or neither, so that it restores (an article without
    its section did not)."""
    from django.core.serializers import json as json_serializer
    from django.db import connections

    make_article(category=make_category(name="Освіта"), title="Канікули подовжено")
    waited = []

    def editor_publishes():
        started = time.monotonic()
        section = make_category(name="Оголошення")
        make_article(category=section, title="Відключення води в четвер")
        waited.append(time.monotonic() - started)
        connections.close_all()

    start_object = json_serializer.Serializer.start_object

    def start_object_with_a_write_meanwhile(serializer, obj):
        if not waited and obj._meta.label == "news.Category":
            editor = threading.Thread(target=editor_publishes)
            editor.start()
            editor.join(timeout=30)
        return start_object(serializer, obj)

    monkeypatch.setattr(
        json_serializer.Serializer, "start_object", start_object_with_a_write_meanwhile
    )
    archive = tmp_path / "hromada.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    monkeypatch.undo()
    assert waited and waited[0] < 5, "the editor's save waited for the backup"
    with tarfile.open(archive, "r:gz") as tar:
        data = json.load(tar.extractfile("data.json"))
    sections = {item["fields"]["name"] for item in data if item["model"] == "news.category"}
    articles = {item["fields"]["title"] for item in data if item["model"] == "news.article"}
    assert sections == {"Освіта"} and articles == {"Канікули подовжено"}

    call_command("flush", interactive=False, verbosity=0)
    call_command("restore", str(archive), stdout=io.StringIO())
    assert list(Article.objects.values_list("title", flat=True)) == ["Канікули подовжено"]


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_an_installation_that_has_content(tmp_path):
    make_article()
    archive = tmp_path / "a.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive), stdout=io.StringIO())


@pytest.mark.django_db
def test_restore_refuses_an_archive_that_escapes_its_folder(tmp_path):
    archive = tmp_path / "evil.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        payload = b"owned"
        info = tarfile.TarInfo("../../escaped.txt")
        info.size = len(payload)
        tar.addfile(info, io.BytesIO(payload))
    with pytest.raises(tarfile.TarError):
        call_command("restore", str(archive), stdout=io.StringIO())
    assert not (tmp_path.parent / "escaped.txt").exists()


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_new_installation_with_manage_py(settings, tmp_path):
    """The documented procedure on a fresh server: migrate, restore."""
    fill_portal()
    archive = tmp_path / "hromada.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())

    new = tmp_path / "new"
    env = production_env(new, DJANGO_DEBUG="1")
    for command in (["migrate", "--noinput", "-v0"], ["restore", str(archive)]):
        result = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert result.returncode == 0, result.stdout + result.stderr
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "import json; from news.models import Article; from polls.models import Vote; "
            "from newsletter.models import Subscriber; from documents.models import Document; "
            "print(json.dumps([Article.objects.count(), Vote.objects.count(), "
            "Subscriber.objects.count(), Document.objects.count()]))",
        ],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [2, 3, 2, 1], result.stderr
    restored = {
        path.relative_to(new / "media").as_posix()
        for path in (new / "media").rglob("*")
        if path.is_file()
    }
    original = {
        path.relative_to(settings.MEDIA_ROOT).as_posix()
        for path in Path(settings.MEDIA_ROOT).rglob("*")
        if path.is_file()
    }
    assert restored == original and restored
    assert os.path.getsize(archive) > 0
