"""Lighthouse on the home page and an article, served as in production.

Usage (from the repository root, after ``npm ci --prefix tools/a11y``)::

    uv run python tools/a11y/lighthouse.py

Prepares a throw-away SQLite database with the demo content and a collected,
compressed static root, serves the portal with gunicorn (DEBUG off, WhiteNoise),
runs Lighthouse 12 in its default mobile emulation in Debian's Chromium, prints
the four scores of each page and fails when one is under its goal.
"""

import gzip
import http.client
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / "tools/a11y"
LIGHTHOUSE = TOOLS / "node_modules/.bin/lighthouse"
GOALS = {"performance": 95, "accessibility": 100, "best-practices": 95, "seo": 100}
WEIGHT_LIMIT = 60 * 1024
RUNTIME_ERROR = "Runtime error encountered"
RUNTIME_ERROR_ATTEMPTS = 3
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-quic --no-first-run --disable-sync"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str, headers: dict | None = None) -> tuple[http.client.HTTPResponse, bytes]:
    """GET a page of the local server (http only, no redirects followed)."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request(
            "GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers or {}
        )
        response = connection.getresponse()
        return response, response.read()
    finally:
        connection.close()


def wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            get(url)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def first_article_url(base: str) -> str:
    html = get(base + "/")[1].decode()
    match = re.search(r'href="(/news/[^/"]+/[^/"]+/)"', html)
    if not match:
        sys.exit("No article link on the home page: is the demo content loaded?")
    return base + match.group(1)


def run_lighthouse(url: str, report: Path) -> dict:
    """One Lighthouse report of ``url``. A run that Lighthouse itself gives up on
    with a runtime error ("Something went wrong with recording the trace ...
    Please run Lighthouse again", e.g. NO_NAVSTART) is run again, as it asks,
    up to RUNTIME_ERROR_ATTEMPTS times; any other failure stops at once."""
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    command = [
        str(LIGHTHOUSE),
        url,
        "--output=json",
        f"--output-path={report}",
        "--only-categories=performance,accessibility,best-practices,seo",
        f"--chrome-flags={CHROME_FLAGS}",
        "--quiet",
    ]
    attempt = 1
    while True:
        finished = subprocess.run(command, env=env, stderr=subprocess.PIPE, text=True)
        sys.stderr.write(finished.stderr)
        if finished.returncode == 0:
            return json.loads(report.read_text())
        if RUNTIME_ERROR not in finished.stderr or attempt == RUNTIME_ERROR_ATTEMPTS:
            finished.check_returncode()  # raises
        print(f"Lighthouse runtime error on {url} (attempt {attempt}): running it again")
        attempt += 1


def failing_audits(result: dict, category: str) -> list[str]:
    lines = []
    for ref in result["categories"][category]["auditRefs"]:
        audit = result["audits"][ref["id"]]
        if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
            value = audit.get("displayValue", "")
            lines.append(f"      {audit['id']} ({audit['score']}): {audit['title']} {value}")
    return lines


def compressed_size(url: str) -> int:
    """Bytes on the wire with compression: WhiteNoise's own for static files,
    gzip (as the proxy applies it) for the HTML that the app sends plain."""
    response, body = get(url, {"Accept-Encoding": "br, gzip"})
    if response.getheader("Content-Encoding"):
        return len(body)
    return len(gzip.compress(body, compresslevel=6))


def page_weight(result: dict, base: str) -> tuple[int, list[str]]:
    """The compressed weight of the page's HTML, CSS and JS, and the problems:
    fonts or requests to other origins."""
    total, problems = 0, []
    for item in result["audits"]["network-requests"]["details"]["items"]:
        url, kind = item["url"], item.get("resourceType")
        if not url.startswith(base + "/") and not url.startswith("data:"):
            problems.append(f"a request to another origin: {url}")
        if kind == "Font":
            problems.append(f"a web font: {url}")
        if kind in {"Document", "Stylesheet", "Script"}:
            total += compressed_size(url)
    return total, problems


def main() -> int:
    if not LIGHTHOUSE.exists():
        sys.exit(f"{LIGHTHOUSE} is missing: run `npm ci --prefix tools/a11y`")
    work = Path(tempfile.mkdtemp(prefix="hromada-lighthouse-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "EMAIL_HOST"}
    }
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        PORTAL_VAR_DIR=str(work / "var"),
        DJANGO_STATIC_ROOT=str(work / "static"),
        DJANGO_MEDIA_ROOT=str(work / "var/media"),
        SITE_URL=base,
    )
    manage = ["uv", "run", "--frozen", "python", "manage.py"]
    server = None
    try:
        subprocess.run(
            [*manage, "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
        )
        subprocess.run(
            [*manage, "demo", "--no-serve"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        server = subprocess.Popen(
            [
                "uv",
                "run",
                "--frozen",
                "gunicorn",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--pythonpath",
                f"{TOOLS},{ROOT}",
                "media_wsgi:application",
            ],
            cwd=ROOT,
            env=env,
        )
        wait_for(base + "/robots.txt")
        pages = {"home": base + "/", "article": first_article_url(base)}
        failed = False
        print(f"{'page':<10}" + "".join(f"{name:>16}" for name in GOALS))
        results = {}
        for name, url in pages.items():
            results[name] = run_lighthouse(url, work / f"{name}.json")
        for name, result in results.items():
            scores = {key: round(result["categories"][key]["score"] * 100) for key in GOALS}
            print(f"{name:<10}" + "".join(f"{scores[key]:>16}" for key in GOALS))
            for key, goal in GOALS.items():
                if scores[key] < goal:
                    failed = True
                    print(f"  {name}: {key} {scores[key]} is under {goal}:")
                    print("\n".join(failing_audits(result, key)))
        print(f"Lighthouse {results['home']['lighthouseVersion']}, mobile emulation, {pages}")
        weight, problems = page_weight(results["home"], base)
        print(f"Home page without pictures: {weight / 1024:.1f} KB of HTML, CSS and JS compressed")
        if weight >= WEIGHT_LIMIT or problems:
            failed = True
            print(
                f"  over the limit of {WEIGHT_LIMIT // 1024} KB" if weight >= WEIGHT_LIMIT else ""
            )
            print("\n".join(f"  {problem}" for problem in problems))
        return 1 if failed else 0
    finally:
        if server:
            server.terminate()
            server.wait(timeout=20)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
