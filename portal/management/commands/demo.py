"""``manage.py demo [addr:port]``: the portal with demo content, in one command.

Migrates the database, loads each app's original demo content once, creates
an administrator and prints the login, starts the task worker and serves the
site (as ``runserver`` does, without the autoreloader).
"""

import importlib
import os
import secrets
import signal
import subprocess
import sys

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

# The apps that bring demo content, in the order their content depends on.
DEMO_APPS = ["news", "documents", "polls", "newsletter"]
ADMIN_USERNAME = "admin"


class Command(BaseCommand):
    help = "Migrate, load demo content once, create an admin, start the worker and serve."

    def add_arguments(self, parser):
        parser.add_argument(
            "addrport", nargs="?", default="127.0.0.1:8000", help="[addr:]port to serve on"
        )
        parser.add_argument(
            "--no-serve", action="store_true", help="Prepare everything but do not serve."
        )

    def handle(self, *args, addrport, no_serve, **options):
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database is up to date.")
        self.load_content()
        password = self.ensure_admin()
        host, port = self.split_addrport(addrport)
        base = f"http://{host}:{port}"
        self.stdout.write(
            self.style.SUCCESS(
                f"Administrator: {base}/{settings.ADMIN_URL}  "
                f"login: {ADMIN_USERNAME}  password: {password}"
            )
        )
        if no_serve:
            return
        helpers = self.start_helpers()
        # Stop the helpers with the server, also when we are stopped by SIGTERM.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            call_command("runserver", addrport, use_reloader=False)
        finally:
            for process in helpers:
                process.terminate()
                process.wait(timeout=10)

    def load_content(self):
        for app in DEMO_APPS:
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError as error:
                if error.name != f"{app}.demo":
                    raise
                continue
            module.load(self.stdout)

    def ensure_admin(self) -> str:
        """Create the administrator once; its password is kept in var/ so that
        a second run prints the same login."""
        password_file = settings.VAR_DIR / "demo-admin-password"
        User = get_user_model()
        user = User.objects.filter(username=ADMIN_USERNAME).first()
        if user and password_file.exists():
            return password_file.read_text().strip()
        password = secrets.token_urlsafe(12)
        if user is None:
            user = User(username=ADMIN_USERNAME, email="admin@example.org")
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        password_file.write_text(password)
        password_file.chmod(0o600)
        return password

    def split_addrport(self, addrport: str) -> tuple[str, str]:
        if ":" in addrport and not addrport.startswith("["):
            host, port = addrport.rsplit(":", 1)
            return host or "127.0.0.1", port
        if addrport.isdigit():
            return "127.0.0.1", addrport
        return addrport, "8000"

    def start_helpers(self) -> list[subprocess.Popen]:
        """The background worker of django.tasks (RQ's when Redis is
        configured, else django-tasks-db's) and the flusher of buffered views
        (a systemd timer in production, see deploy/)."""
        worker = ["rqworker", "default"] if settings.REDIS_URL else ["db_worker", "--no-reload"]
        manage = os.path.join(settings.BASE_DIR, "manage.py")
        self.stdout.write(f"Starting the task worker ({worker[0]}) and the view flusher.")
        return [
            subprocess.Popen([sys.executable, manage, *command], env=os.environ.copy())
            for command in (worker, ["flush_view_counts", "--every", "30"])
        ]
