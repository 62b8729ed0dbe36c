"""Every page type against WCAG 2.1 A/AA, checked by axe-core in Chromium.

axe-core (tools/a11y/node_modules, installed by ``npm ci --prefix tools/a11y``)
is injected into each page; any violation of a rule tagged wcag2a, wcag2aa,
wcag21a or wcag21aa fails the test, with the rule, the elements and axe's
explanation printed. Beside axe, each page is checked for what axe does not
judge on its own: one ``h1``, a heading order without gaps, the landmarks, a
working skip link, ``lang``, no horizontal scrolling at 320 px (WCAG 1.4.10,
which also covers 200 % zoom of a 640 px window), and alt text on every image.

Each page type is one parameter. A page type whose app has not landed yet
(its URL name does not resolve) is skipped as pending; every other problem
fails.
"""

import importlib
import io
import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from django.urls import Resolver404, path, resolve, reverse

from tests.conftest import make_article, make_category, make_image_upload

pytestmark = pytest.mark.django_db(transaction=True)

TOOLS = Path(__file__).resolve().parents[2] / "tools/a11y/node_modules"
AXE_JS = TOOLS / "axe-core/axe.min.js"
VNU_JAR = TOOLS / "vnu-jar/build/dist/vnu.jar"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_RUN = (
    "axe.run(document, {runOnly: {type: 'tag', values: "
    + json.dumps(WCAG_TAGS)
    + "}, resultTypes: ['violations']})"
)


# --- A URLconf with a failing view, so that the live server serves the 500 page.


def _failing_view(request):
    raise RuntimeError("a deliberate failure to render the 500 page")


urlpatterns = [path("a11y-failure/", _failing_view)]
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"


@pytest.fixture
def failing_urlconf(settings):
    from portal import urls as portal_urls

    urlpatterns[:] = [path("a11y-failure/", _failing_view), *portal_urls.urlpatterns]
    settings.ROOT_URLCONF = __name__


# --- Helpers


def url_name_exists(name: str) -> bool:
    """True when ``name`` ("app:view") is a URL name of the portal, whatever its arguments."""
    from django.urls import get_resolver

    namespace, _, view = name.rpartition(":")
    resolver = get_resolver()
    if namespace:
        if namespace not in resolver.namespace_dict:
            return False
        resolver = resolver.namespace_dict[namespace][1]
    return view in resolver.reverse_dict


def require(*names: str) -> None:
    """Skip the page type as pending while its app has not landed its URL names."""
    missing = [name for name in names if not url_name_exists(name)]
    if missing:
        pytest.skip(f"pending: URL name {', '.join(missing)} does not exist yet")


def tool_path(tool: Path) -> Path:
    """The npm-installed checker; without it the test is skipped, unless
    ``A11Y_TOOLS_REQUIRED`` is set (as .ci/run does after ``npm ci``)."""
    if not tool.exists():
        message = f"{tool} is not installed: run `npm ci --prefix tools/a11y`"
        if os.environ.get("A11Y_TOOLS_REQUIRED"):
            pytest.fail(message)
        pytest.skip(message)
    return tool


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']}")
        lines.append(f"    {violation['helpUrl']}")
        for node in violation["nodes"][:10]:
            lines.append(f"    at {' '.join(node['target'])}")
            lines.append(f"       {node['html'][:200]}")
            for summary_line in (node.get("failureSummary") or "").splitlines():
                lines.append(f"       {summary_line}")
        if len(violation["nodes"]) > 10:
            lines.append(f"    … and {len(violation['nodes']) - 10} more elements")
    return "\n".join(lines)


def run_axe(page) -> list[dict]:
    page.add_script_tag(path=str(tool_path(AXE_JS)))
    return page.evaluate(AXE_RUN)["violations"]


PAGE_FACTS = """() => {
  const headings = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]
    .filter((h) => !h.closest('[hidden]'))
    .map((h) => ({level: Number(h.tagName[1]), text: h.textContent.trim().slice(0, 60)}));
  const skip = document.querySelector('body a[href^="#"]');
  const focusable = document.querySelector(
    'a[href], button, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex="-1"])');
  const target = skip && document.getElementById(skip.getAttribute('href').slice(1));
  return {
    lang: document.documentElement.lang,
    headings,
    banner: document.querySelectorAll('body > header, [role=banner]').length,
    main: document.querySelectorAll('main, [role=main]').length,
    contentinfo: document.querySelectorAll('body > footer, [role=contentinfo]').length,
    skipIsFirst: !!skip && skip === focusable,
    skipTarget: target ? target.tagName.toLowerCase() : null,
    imagesWithoutAlt: [...document.images].filter((img) => !img.hasAttribute('alt'))
      .map((img) => img.outerHTML.slice(0, 120)),
  };
}"""

# Elements wider than the window, except those inside a box that scrolls on
# its own (a wide data table may, WCAG 1.4.10 exempts it) and hidden ones.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const scrollsOnItsOwn = (el) => {
    for (let box = el.parentElement; box; box = box.parentElement) {
      if (['auto', 'scroll'].includes(getComputedStyle(box).overflowX)) return true;
    }
    return false;
  };
  const wide = [...document.querySelectorAll('body *')]
    .filter((el) => el.getBoundingClientRect().right > width + 1
                    && getComputedStyle(el).position !== 'absolute'
                    && !el.closest('.visually-hidden, .skip-link')
                    && !scrollsOnItsOwn(el))
    .slice(0, 5).map((el) => el.outerHTML.slice(0, 120));
  if (document.documentElement.scrollWidth > width + 1) wide.push('the page scrolls sideways');
  return wide;
}"""


def heading_gaps(headings: list[dict]) -> list[str]:
    """Headings that skip a level (an h2 followed by an h4)."""
    gaps, previous = [], 0
    for heading in headings:
        if heading["level"] > previous + 1:
            gaps.append(f"h{heading['level']} «{heading['text']}» after h{previous}")
        previous = heading["level"]
    return gaps


def check_page_structure(page, url: str) -> None:
    facts = page.evaluate(PAGE_FACTS)
    problems = []
    if facts["lang"] not in ("uk", "en"):
        problems.append(f"html lang is {facts['lang']!r}")
    h1s = [h["text"] for h in facts["headings"] if h["level"] == 1]
    if len(h1s) != 1:
        problems.append(f"{len(h1s)} h1 elements: {h1s}")
    problems += [f"heading order: {gap}" for gap in heading_gaps(facts["headings"])]
    for landmark in ("banner", "main", "contentinfo"):
        if facts[landmark] != 1:
            problems.append(f"{facts[landmark]} {landmark} landmarks")
    if not facts["skipIsFirst"]:
        problems.append("the first focusable element is not a skip link")
    if facts["skipTarget"] != "main":
        problems.append(f"the skip link points to {facts['skipTarget']!r}, not to main")
    problems += [f"image without alt: {html}" for html in facts["imagesWithoutAlt"]]
    for width in (320, 640):
        page.set_viewport_size({"width": width, "height": 800})
        wider = page.evaluate(OVERFLOW)
        if wider:
            problems.append(f"at {width} px these are wider than the window: {wider}")
    assert not problems, f"{url}:\n  " + "\n  ".join(problems)


@dataclass
class Visit:
    """Where a page type is: a URL to open, or a page the builder already
    reached itself (by submitting a form), with the server's response."""

    url: str
    status: int = 200
    response: object = None


# --- Page types: each arranges what the page shows and returns where to go.


def _section_with_articles():
    section = make_category(
        name="Новини громад", slug="novyny-hromad", description="Події та рішення громади."
    )
    make_category(name="Оголошення", slug="oholoshennia")
    article = make_article(
        category=section,
        title="У сквері біля ліцею висадили двадцять лип",
        lead="Мешканці разом із комунальниками оновили сквер на вулиці Шкільній.",
        body=(
            "<p>Суботня толока зібрала понад сорок людей.</p>"
            "<h2>Що зробили</h2><ul><li>висадили липи;</li><li>пофарбували лавки.</li></ul>"
            '<p>Докладніше — на <a href="https://example.org/skver">сторінці проєкту</a>.</p>'
        ),
        picture=make_image_upload("skver.jpg"),
        picture_alt="Мешканці висаджують молоді липи в сквері",
    )
    for number in range(13):
        make_article(category=section, title=f"Подія громади номер {number + 1}")
    return section, article


def load_demo(app: str) -> None:
    """The app's own demo content (``<app>/demo.py``), as ``manage.py demo`` loads it."""
    try:
        module = importlib.import_module(f"{app}.demo")
    except ModuleNotFoundError:
        pytest.fail(f"{app}/demo.py is missing: the page type needs the app's demo content")
    module.load(io.StringIO())


def rebuild_search_index() -> None:
    from django.core.management import call_command, get_commands

    if "rebuild_search_index" in get_commands():
        call_command("rebuild_search_index", stdout=io.StringIO(), stderr=io.StringIO())


def find_links(page, url: str, view_name: str) -> list[str]:
    """Open ``url`` and return its links to pages of ``view_name``."""
    page.goto(url)
    return links_here(page, view_name)


def links_here(page, view_name: str) -> list[str]:
    """The links of the page in the browser to pages of ``view_name`` (as
    paths: the mail and "manage" links are absolute, on ``SITE_URL``)."""
    found = []
    links = page.eval_on_selector_all(
        "a[href]", "links => links.map(a => [a.pathname, a.pathname + a.search])"
    )
    for pathname, target in links:
        try:
            if resolve(pathname).view_name == view_name and target not in found:
                found.append(target)
        except Resolver404:
            continue
    return found


def find_link(page, url: str, view_name: str) -> str:
    links = find_links(page, url, view_name)
    assert links, f"no link to a {view_name} page on {url}"
    return links[0]


def home(page):
    _section_with_articles()
    return Visit(reverse("news:home"))


def home_english(page):
    _section_with_articles()
    return Visit("/en/")


def all_news(page):
    _section_with_articles()
    return Visit(reverse("news:article_list") + "?page=2")


def section(page):
    section, _ = _section_with_articles()
    return Visit(section.get_absolute_url())


def article(page):
    _, article = _section_with_articles()
    return Visit(article.get_absolute_url())


def article_english(page):
    _, article = _section_with_articles()
    return Visit("/en" + article.get_absolute_url())


def not_found(page):
    return Visit("/nemaie-takoi-storinky/", status=404)


def server_error(page):
    # Served by the URLconf of the ``failing_urlconf`` fixture.
    return Visit("/a11y-failure/", status=500)


def _make_documents() -> None:
    """Three documents of two kinds, each a real DOCX file with its text."""
    from datetime import date

    import docx
    from django.core.files.uploadedfile import SimpleUploadedFile

    from documents.models import Document, DocumentKind, IssuingBody
    from documents.services import document_save

    decision, _ = DocumentKind.objects.get_or_create(name="рішення", slug="rishennia")
    order, _ = DocumentKind.objects.get_or_create(name="розпорядження", slug="rozporiadzhennia")
    council, _ = IssuingBody.objects.get_or_create(name="Міська рада")
    specs = [
        (decision, "125", "Про затвердження бюджету громади на 2026 рік", date(2025, 12, 19)),
        (decision, "131", "Про благоустрій скверу на вулиці Шкільній", date(2026, 2, 3)),
        (order, "17-р", "Про графік прийому громадян", date(2026, 3, 11)),
    ]
    for kind, number, title, adopted_on in specs:
        text = docx.Document()
        text.add_paragraph(f"{title}. Рішення ухвалено на засіданні, текст додається.")
        buffer = io.BytesIO()
        text.save(buffer)
        document = Document(
            title=title,
            kind=kind,
            number=number,
            adopted_on=adopted_on,
            issuer=council,
            description="Офіційний документ громади.",
            file=SimpleUploadedFile(f"{number}.docx", buffer.getvalue()),
        )
        document_save(document=document)


def document_registry(page):
    require("documents:list", "documents:detail")
    _make_documents()
    return Visit(reverse("documents:list"))


def document_registry_filtered(page):
    require("documents:list", "documents:detail")
    _make_documents()
    return Visit(reverse("documents:list") + "?year=2026")


def document_registry_with_errors(page):
    """A filter typed by hand: the errors are tied to their fields."""
    require("documents:list", "documents:detail")
    _make_documents()
    return Visit(reverse("documents:list") + "?year=1800&kind=nemaie")


def document_detail(page):
    require("documents:list", "documents:detail")
    _make_documents()
    return Visit(find_link(page, reverse("documents:list"), "documents:detail"))


def search_with_results(page):
    require("search:results")
    _section_with_articles()
    rebuild_search_index()
    return Visit(reverse("search:results") + "?q=липи")


def search_without_results(page):
    require("search:results")
    _section_with_articles()
    rebuild_search_index()
    return Visit(reverse("search:results") + "?q=жирафа")


def search_with_error(page):
    require("search:results")
    return Visit(reverse("search:results") + "?q=")


def document_search_with_results(page):
    require("search:documents", "documents:detail")
    _make_documents()
    rebuild_search_index()
    return Visit(reverse("search:documents") + "?q=" + quote("бюджету"))


def document_search_without_results(page):
    require("search:documents", "documents:detail")
    _make_documents()
    rebuild_search_index()
    return Visit(reverse("search:documents") + "?q=жирафа")


def document_search_with_error(page):
    require("search:documents")
    return Visit(reverse("search:documents") + "?q=" + quote('"*" AND'))


def _poll_pages(page) -> tuple[list[str], list[str]]:
    """The demo polls' own pages: the current poll (open), and the closed ones."""
    from polls.models import Poll

    load_demo("polls")
    current = Poll.objects.current()
    closed = Poll.objects.closed().order_by("-closes_at")
    return [current.get_absolute_url()], [poll.get_absolute_url() for poll in closed]


def poll_open(page):
    require("polls:detail")
    open_polls, _ = _poll_pages(page)
    assert open_polls, "no open poll among the demo polls"
    return Visit(open_polls[0])


def poll_voted(page):
    require("polls:detail")
    open_polls, _ = _poll_pages(page)
    page.goto(open_polls[0])
    form = page.locator("main form").filter(has=page.locator("input[type=radio]"))
    form.locator("input[type=radio]").first.check()
    # Submitted as without JavaScript: a POST, a redirect back, a message.
    with page.expect_navigation() as navigation:
        form.evaluate("f => f.submit()")
    return Visit(page.url, response=navigation.value)


def poll_closed(page):
    require("polls:detail")
    _, closed_polls = _poll_pages(page)
    assert closed_polls, "no closed poll among the demo polls"
    return Visit(closed_polls[0])


def poll_archive(page):
    require("polls:archive", "polls:detail")
    load_demo("polls")
    return Visit(reverse("polls:archive"))


NEWSLETTER_EMAIL = "meshkanka@example.com"


def _newsletter_form(page):
    return page.locator("form").filter(has=page.locator("input[type=email]")).first


def _sign_up(page, email=NEWSLETTER_EMAIL):
    _section_with_articles()
    page.goto(reverse("news:home"))
    form = _newsletter_form(page)
    form.locator("input[type=email]").fill(email)
    with page.expect_navigation() as navigation:
        form.evaluate("f => f.submit()")
    return navigation.value


def _mailed_links() -> dict[str, str]:
    """The portal's own links in the mail sent so far, by URL name."""
    from django.core import mail

    links = {}
    for message in mail.outbox:
        texts = [message.body] + [content for content, _ in getattr(message, "alternatives", [])]
        for text in texts:
            for url in re.findall(r"https?://[^\s\"'<>]+", str(text)):
                path = urlsplit(url.replace("&amp;", "&"))
                try:
                    name = resolve(path.path).view_name
                except Resolver404:
                    continue
                links.setdefault(name, path.path + (f"?{path.query}" if path.query else ""))
    return links


def _follow_mailed_link(page, word: str):
    """Open the mailed link whose URL name contains ``word``; where its page
    asks for a click to confirm (so that mail scanners change nothing), click."""
    links = _mailed_links()
    matching = [path for name, path in links.items() if word in name]
    assert matching, f"no mailed link with {word!r} in its URL name among {sorted(links)}"
    page.goto(matching[0])
    form = page.locator("main form[method=post], main form[method=POST]")
    if form.count() and page.locator("main input[type=email]").count() == 0:
        with page.expect_navigation() as navigation:
            form.first.evaluate("f => f.submit()")
        return Visit(page.url, response=navigation.value)
    return Visit(matching[0])


def newsletter_signed_up(page):
    require("newsletter:signup")
    response = _sign_up(page)
    return Visit(page.url, response=response)


def newsletter_signup_error(page):
    require("newsletter:signup")
    response = _sign_up(page, email="ne-adresa@")
    return Visit(page.url, status=response.status, response=response)


def newsletter_confirmed(page):
    require("newsletter:signup")
    _sign_up(page)
    return _follow_mailed_link(page, "confirm")


def _newsletter_preferences_link(page) -> str:
    """Sign up, confirm from the mail, and take the confirmed page's link to
    the preferences."""
    _sign_up(page)
    _follow_mailed_link(page, "confirm")
    links = links_here(page, "newsletter:preferences")
    assert links, "the confirmed page has no link to the preferences"
    return links[0]


def newsletter_preferences(page):
    require("newsletter:signup", "newsletter:preferences")
    return Visit(_newsletter_preferences_link(page))


def newsletter_unsubscribe(page):
    require("newsletter:signup", "newsletter:unsubscribe")
    page.goto(_newsletter_preferences_link(page))
    links = links_here(page, "newsletter:unsubscribe")
    assert links, "the preferences page has no link to unsubscribe"
    return Visit(links[0])


def newsletter_unsubscribed(page):
    visit = newsletter_unsubscribe(page)
    page.goto(visit.url)
    with page.expect_navigation() as navigation:
        page.locator("main form").first.evaluate("f => f.submit()")
    return Visit(page.url, response=navigation.value)


PAGE_TYPES = [
    home,
    home_english,
    all_news,
    section,
    article,
    article_english,
    document_registry,
    document_registry_filtered,
    document_registry_with_errors,
    document_detail,
    search_with_results,
    search_without_results,
    search_with_error,
    document_search_with_results,
    document_search_without_results,
    document_search_with_error,
    poll_open,
    poll_voted,
    poll_closed,
    poll_archive,
    newsletter_signed_up,
    newsletter_signup_error,
    newsletter_confirmed,
    newsletter_preferences,
    newsletter_unsubscribe,
    newsletter_unsubscribed,
    not_found,
    server_error,
]


def _fetch(page, visit: Visit):
    response = visit.response or page.goto(visit.url)
    assert response.status == visit.status, f"{visit.url} answered {response.status}"
    return response


@pytest.mark.parametrize("page_type", PAGE_TYPES, ids=lambda f: f.__name__)
def test_page_meets_wcag_21_aa(new_page, page_type, failing_urlconf):
    tool_path(AXE_JS)
    # axe is injected as an inline script, which the portal's CSP rightly refuses.
    page = new_page(bypass_csp=True)
    visit = page_type(page)
    _fetch(page, visit)
    violations = run_axe(page)
    assert not violations, f"axe-core on {visit.url}:\n{describe_violations(violations)}"
    check_page_structure(page, visit.url)


@pytest.mark.parametrize("page_type", PAGE_TYPES, ids=lambda f: f.__name__)
def test_page_is_valid_html(new_page, page_type, failing_urlconf, tmp_path):
    """The Nu HTML Checker (vnu.jar) finds no error in the HTML the server sends."""
    vnu = tool_path(VNU_JAR)
    page = new_page(java_script_enabled=False)
    visit = page_type(page)
    source = tmp_path / "page.html"
    source.write_bytes(_fetch(page, visit).body())
    checked = subprocess.run(
        ["java", "-jar", str(vnu), "--errors-only", "--format", "text", str(source)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    report = (checked.stdout + checked.stderr).replace(f"file:{source}", visit.url)
    assert checked.returncode == 0, f"vnu on {visit.url}:\n{report}"


@pytest.mark.parametrize(
    "page_type", [home, article, search_with_results], ids=lambda f: f.__name__
)
def test_page_works_without_javascript_and_images(new_page, page_type, failing_urlconf):
    """Without scripts and with every picture refused, the page still has its
    heading, its text and its forms; every picture left has alt text."""
    page = new_page(java_script_enabled=False)
    page.route(re.compile(r"\.(jpe?g|png|webp|gif|svg)(\?.*)?$"), lambda route: route.abort())
    visit = page_type(page)
    _fetch(page, visit)
    assert page.locator("h1").count() == 1
    assert page.locator("main").inner_text().strip()
    assert page.get_by_role("search").count() >= 1
    assert page.locator("img:not([alt])").count() == 0


def test_view_counter_has_an_accessible_name(page):
    _, article = _section_with_articles()
    page.goto(article.get_absolute_url())
    snapshot = page.locator(".article__meta").aria_snapshot()
    assert "Переглядів: 1" in snapshot


def test_url_name_exists_tells_pending_apps_from_landed_ones():
    assert url_name_exists("news:article_detail")
    assert not url_name_exists("news:no_such_view")
    assert not url_name_exists("no_such_app:list")


def test_an_article_prints_without_navigation(page):
    _, article = _section_with_articles()
    page.goto(article.get_absolute_url())
    page.emulate_media(media="print")
    for hidden in (".main-nav", ".sidebar", ".site-search", ".related", ".skip-link", "form"):
        for element in page.locator(hidden).all():
            assert not element.is_visible(), f"{hidden} is printed"
    assert page.get_by_role("heading", level=1).is_visible()
    assert page.locator(".article__body").is_visible()
    assert page.locator(".site-name").is_visible()
    # A printed link cannot be clicked: its address follows it.
    after = page.evaluate(
        "getComputedStyle(document.querySelector('.article__body a'), '::after').content"
    )
    assert "example.org/skver" in after
    assert page.pdf(format="A4")[:4] == b"%PDF"


def test_ukrainian_content_is_marked_as_such_on_english_pages(page):
    """WCAG 3.1.2: under /en/ the interface is English but the articles stay
    Ukrainian, so a screen reader must switch its voice for them."""
    _, article = _section_with_articles()
    page.goto("/en" + article.get_absolute_url())
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").get_attribute("lang") == "uk"
    assert page.locator(".article__body").get_attribute("lang") == "uk"
    assert page.get_by_role("link", name="Back to the section").get_attribute("lang") is None
    page.goto(article.get_absolute_url())
    assert page.locator("h1").get_attribute("lang") is None


def test_form_errors_are_tied_to_their_fields(page):
    """Every field marked invalid names its error with aria-describedby, and
    the error is on the page (WCAG 3.3.1, 1.3.1)."""
    require("documents:list", "documents:detail")
    page.goto(reverse("documents:list") + "?year=1800")
    invalid = page.locator("[aria-invalid=true]")
    assert invalid.count() >= 1
    for field in invalid.all():
        described_by = field.get_attribute("aria-describedby")
        assert described_by, field.evaluate("f => f.outerHTML")
        errors = " ".join(page.locator(f"#{name}").inner_text() for name in described_by.split())
        assert errors.strip()
