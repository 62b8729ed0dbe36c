"""Backups of the portal: the database and the uploaded files in one archive.

The archive is a gzipped tar with three members: ``manifest.json`` (format,
date, object counts), ``data.json`` (``dumpdata`` of every app's data, with
natural foreign keys so that content types and permissions need not match
between installations) and ``media/`` (every uploaded file, read through the media
storage: ``MEDIA_ROOT``, or the S3-compatible bucket when one is configured). Restoring
needs an empty, migrated installation: ``migrate`` then ``restore`` (issue #7).
"""

import json
import tarfile
import tempfile
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from portal.storage import stored_files
from search.backends import get_search_backend

FORMAT = "hromada-backup/1"

# Rebuilt by ``migrate`` (content types, permissions), short-lived (sessions,
# task results) or security logs that belong to the old server (axes).
EXCLUDED = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "axes",
    "django_tasks_db",
]

# An installation counts as empty when none of these hold a row.
CONTENT_MODELS = ["auth.User", "news.Article", "news.Category"]


class BackupError(Exception):
    """A backup cannot be made or restored; the message says why."""


@dataclass(frozen=True)
class BackupSummary:
    archive: Path
    objects: dict[str, int]
    media_files: int


def _excluded_labels() -> list[str]:
    installed = {config.label for config in apps.get_app_configs()}
    return [label for label in EXCLUDED if label.split(".")[0] in installed]


@contextmanager
def _snapshot():
    """One read-only view of the database for the whole dump, while residents go on
    voting and editors publishing: PostgreSQL reads each table at another moment under
    its default READ COMMITTED (an article could be dumped without its new section),
    so the transaction is REPEATABLE READ; SQLite's transactions here are IMMEDIATE,
    which would hold the write lock for the whole dump, so this one is DEFERRED (in WAL
    mode a reading transaction sees one snapshot and blocks no writer)."""
    if connection.vendor == "sqlite":
        mode, connection.transaction_mode = connection.transaction_mode, "DEFERRED"
        try:
            with transaction.atomic():
                yield
        finally:
            connection.transaction_mode = mode
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def backup_create(*, archive: Path) -> BackupSummary:
    """Write the database and the uploaded files to ``archive`` (a .tar.gz).

    The data is dumped from one snapshot (``_snapshot``), consistent even while
    residents vote and editors publish, and blocking neither; the archive is written next to its
    final name and renamed, so that a crash never leaves half an archive."""
    archive = Path(archive)
    archive.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as workdir:
        data_file = Path(workdir) / "data.json"
        with _snapshot():
            call_command(
                "dumpdata",
                exclude=_excluded_labels(),
                natural_foreign=True,
                output=str(data_file),
                indent=None,
                verbosity=0,
            )
        objects = Counter(item["model"] for item in json.loads(data_file.read_text()))
        media_files = sorted(stored_files(default_storage))
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "objects": dict(sorted(objects.items())),
            "media_files": len(media_files),
        }
        manifest_file = Path(workdir) / "manifest.json"
        manifest_file.write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
        partial = archive.with_name(archive.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(manifest_file, arcname="manifest.json")
            tar.add(data_file, arcname="data.json")
            for name in media_files:
                with default_storage.open(name, "rb") as stored:
                    member = tarfile.TarInfo(f"media/{name}")
                    member.size = stored.size
                    member.mtime = int(timezone.now().timestamp())
                    tar.addfile(member, stored)
        partial.replace(archive)
    return BackupSummary(archive=archive, objects=dict(objects), media_files=len(media_files))


def _check_empty() -> None:
    for label in CONTENT_MODELS:
        if apps.get_model(label).objects.exists():
            raise BackupError(
                f"The installation is not empty ({label} has rows): restore only into a "
                "freshly migrated database."
            )


def backup_restore(*, archive: Path) -> BackupSummary:
    """Load ``archive`` into an empty, migrated installation: the data in one
    transaction (all or nothing), then the files into the media storage (a file of the
    same name there is replaced: restoring into the bucket the backup came from)."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"No archive at {archive}.")
    _check_empty()
    with tempfile.TemporaryDirectory() as workdir, tarfile.open(archive, "r:gz") as tar:
        # The "data" filter refuses absolute paths, "..", links out of the
        # folder and device files: an archive cannot write outside workdir.
        tar.extractall(workdir, filter="data")
        manifest_file = Path(workdir) / "manifest.json"
        data_file = Path(workdir) / "data.json"
        if not manifest_file.is_file() or not data_file.is_file():
            raise BackupError(f"{archive} is not a portal backup (no manifest or data).")
        manifest = json.loads(manifest_file.read_text())
        if manifest.get("format") != FORMAT:
            raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
        with transaction.atomic():
            call_command("loaddata", str(data_file), verbosity=0)
            # loaddata saves raw rows, which the search index does not follow; SQLite's
            # full-text table is not a model's and is not in the dump.
            search_backend = get_search_backend()
            search_backend.clear()
            search_backend.fill_from_table()
        media_files = 0
        extracted_media = Path(workdir) / "media"
        if extracted_media.is_dir():
            for path in sorted(extracted_media.rglob("*")):
                if path.is_file():
                    name = path.relative_to(extracted_media).as_posix()
                    if default_storage.exists(name):
                        default_storage.delete(name)
                    with path.open("rb") as content:
                        saved = default_storage.save(name, File(content))
                    if saved != name:
                        raise BackupError(f"The media storage saved {name} as {saved}.")
                    media_files += 1
    return BackupSummary(archive=archive, objects=manifest["objects"], media_files=media_files)
