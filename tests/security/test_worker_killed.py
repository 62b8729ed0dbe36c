"""Issue #7: the task worker killed (SIGKILL, no clean-up) in the middle of
sending a mailing; the rerun completes it and every subscriber receives the
mailing exactly once. A real SMTP server (aiosmtpd) counts what arrives."""

import asyncio
import email
import email.policy
import os
import socket
import subprocess
import sys
import threading

from aiosmtpd.controller import Controller

from tests.security.conftest import BASE_DIR, production_env, run_python

SUBSCRIBERS = 40
KILL_AFTER = 15


class StallingMailbox:
    """Accepts ``stall_after`` messages, then hangs on the next one so that
    the sender can be killed while it waits for the server."""

    def __init__(self, stall_after):
        self.messages = []
        self.stall_after = stall_after
        self.stalled = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        if self.stall_after is not None and len(self.messages) >= self.stall_after:
            self.stalled.set()
            await asyncio.sleep(60)
            return "421 4.3.2 Closing"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message["To"])
        return "250 Message accepted"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def worker_database_url() -> dict:
    """On a PostgreSQL run the worker uses PostgreSQL too (row locks with
    SKIP LOCKED), in a database of its own; otherwise a fresh SQLite file."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return {}
    import dj_database_url
    import psycopg2

    config = dj_database_url.parse(url)
    name = "hromada_security_worker"
    admin = psycopg2.connect(
        dbname="postgres",
        user=config["USER"],
        password=config["PASSWORD"],
        host=config["HOST"],
        port=config["PORT"] or 5432,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name}")
        cursor.execute(f"CREATE DATABASE {name}")
    admin.close()
    return {"DATABASE_URL": url.rsplit("/", 1)[0] + "/" + name}


def test_a_mailing_killed_mid_send_completes_exactly_once_on_rerun(tmp_path):
    mailbox = StallingMailbox(stall_after=KILL_AFTER)
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        env = production_env(
            tmp_path,
            DJANGO_DEBUG="1",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(port),
            EMAIL_TIMEOUT="120",
            **worker_database_url(),
        )
        assert run_python(
            "tests/security/mailing_probe.py", "setup", str(SUBSCRIBERS), env=env
        ) == {"queued": SUBSCRIBERS}
        worker = subprocess.Popen(
            [sys.executable, "tests/security/mailing_probe.py", "send"],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            assert mailbox.stalled.wait(timeout=120), "the worker never reached the stall"
        finally:
            worker.kill()  # SIGKILL: no finally blocks, no commit, no clean-up
            worker.wait(timeout=30)
        assert len(mailbox.messages) == KILL_AFTER

        mailbox.stall_after = None
        result = run_python("tests/security/mailing_probe.py", "send", env=env)
        assert result["status"] == "sent" and result["pending"] == 0, result
        assert len(mailbox.messages) == SUBSCRIBERS, "nobody got the mailing twice"
        assert len(set(mailbox.messages)) == SUBSCRIBERS, "everybody got it"

        again = run_python("tests/security/mailing_probe.py", "send", env=env)
        assert again["sent"] == 0 and len(mailbox.messages) == SUBSCRIBERS
    finally:
        controller.stop()


def test_rebuilding_the_search_index_killed_midway_leaves_it_whole_and_a_rerun_completes(
    tmp_path,
):
    """The rebuild runs in one transaction: SIGKILL in the middle leaves the
    previous index as it was (no half-empty search), and the rerun indexes
    every article exactly once."""
    env = production_env(tmp_path, DJANGO_DEBUG="1", **worker_database_url())
    articles = 3000
    before = run_python("tests/security/indexing_probe.py", "setup", str(articles), env=env)
    assert before == {"articles": articles, "entries": articles, "duplicates": 0}

    rebuild = subprocess.Popen(
        [sys.executable, "tests/security/indexing_probe.py", "rebuild"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    progress = b""
    try:
        while b"Article:" not in progress or b"%|" not in progress:
            chunk = rebuild.stderr.read1(256)
            assert chunk, "the rebuild ended before it showed progress"
            progress += chunk
        assert rebuild.poll() is None, "the rebuild finished before it could be killed"
    finally:
        rebuild.kill()  # SIGKILL in the middle of the rebuild
        rebuild.wait(timeout=30)

    assert run_python("tests/security/indexing_probe.py", "count", env=env) == before
    after = run_python("tests/security/indexing_probe.py", "rebuild", env=env, timeout=300)
    assert after == {"articles": articles, "entries": articles, "duplicates": 0}
