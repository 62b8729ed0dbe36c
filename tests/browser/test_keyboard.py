"""A resident who uses only the keyboard: Tab, Enter and Space.

Every step moves focus with Tab (or Shift+Tab) and acts with Enter or Space;
text is typed into the fields. At each stop the focused element must show a
visible focus indicator.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.conftest import make_article, make_category

pytestmark = pytest.mark.django_db(transaction=True)

MAX_TABS = 150

FOCUS_FACTS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(),
    type: el.getAttribute('type'),
    name: (el.getAttribute('aria-label') || el.labels?.[0]?.textContent
           || el.textContent || el.value || '').trim().replace(/\\s+/g, ' ').slice(0, 80),
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
    shadow: style.boxShadow !== 'none',
    visible: box.width > 0 && box.height > 0,
    html: el.outerHTML.slice(0, 160),
  };
}"""


def focused(page) -> dict | None:
    return page.evaluate(FOCUS_FACTS)


def assert_focus_visible(facts: dict) -> None:
    assert facts["visible"], f"focus is on an invisible element: {facts['html']}"
    assert facts["outline"] or facts["shadow"], f"no visible focus indicator: {facts['html']}"


def tab_to(page, matches, *, backwards: bool = False) -> dict:
    """Press Tab until the focused element satisfies ``matches``; every element
    passed on the way must show its focus."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        facts = focused(page)
        if facts is None:
            continue
        assert_focus_visible(facts)
        if matches(facts):
            return facts
    raise AssertionError(f"{MAX_TABS} presses of Tab did not reach the element")


def named(text: str):
    return lambda facts: facts["name"] == text


def test_the_skip_link_comes_first_and_moves_focus_to_the_content(page):
    make_article(title="Подія громади")
    page.goto("/")
    page.keyboard.press("Tab")
    facts = focused(page)
    assert facts["name"] == "Перейти до змісту"
    assert_focus_visible(facts)
    expect(page.get_by_role("link", name="Перейти до змісту")).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    # The next stop is inside the content, not back in the header.
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")


def test_every_stop_on_the_home_page_shows_its_focus(page):
    section = make_category(name="Новини громад")
    for number in range(5):
        make_article(category=section, title=f"Подія громади {number + 1}")
    _load_demo_polls()
    page.goto("/")
    stops = 0
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        facts = focused(page)
        if facts is None or (stops and facts["name"] == "Перейти до змісту"):
            break  # past the last element, out to the browser or round again
        assert_focus_visible(facts)
        stops += 1
    # The header, the navigation, five articles with their sections, the footer.
    assert stops > 15


def test_a_resident_reads_an_article_and_searches_with_the_keyboard_alone(page):
    section = make_category(name="Новини громад", slug="novyny-hromad")
    article = make_article(category=section, title="У сквері висадили двадцять лип")
    make_article(category=section, title="Відкрито новий майданчик")

    page.goto("/")
    # The section in the navigation, then the article in it.
    tab_to(page, named("Новини громад"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Новини громад")
    tab_to(page, named(article.title))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(article.get_absolute_url()) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(article.title)

    # The site search in the header: back up with Shift+Tab, type, press Enter.
    tab_to(page, lambda facts: facts["name"] == "Пошук по сайту", backwards=True)
    page.keyboard.type("липи")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(reverse("search:results")) + r"\?q=.+"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def _load_demo_polls() -> None:
    """The sidebar's poll form (radio buttons), where the polls app exists."""
    import io

    from django.urls import NoReverseMatch

    try:
        reverse("polls:detail", args=[1])
    except NoReverseMatch:
        return
    from polls import demo

    demo.load(io.StringIO())


def _require(*names: str) -> None:
    from tests.browser.test_accessibility import require

    require(*names)


def test_a_resident_reads_votes_subscribes_and_searches_with_the_keyboard_alone(page):
    """The whole journey of the issue: reach an article, vote in the sidebar
    poll, subscribe to the newsletter, search the site."""
    _require("polls:detail", "newsletter:signup")
    from django.core import mail

    section = make_category(name="Новини громад", slug="novyny-hromad")
    article = make_article(category=section, title="У сквері висадили двадцять лип")
    _load_demo_polls()

    page.goto("/")
    tab_to(page, named(article.title))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(article.title)

    # The poll in the sidebar: Tab to the first choice, Space to pick it,
    # Tab to the button, Enter to vote.
    sidebar = page.locator("aside")
    tab_to(page, lambda facts: facts["tag"] == "input" and facts["type"] == "radio")
    page.keyboard.press("Space")
    assert sidebar.locator("input[type=radio]:checked").count() == 1
    tab_to(page, lambda facts: facts["tag"] == "button" and facts["name"] == "Голосувати")
    page.keyboard.press("Enter")
    expect(sidebar.locator("input[type=radio]")).to_have_count(0)
    expect(sidebar).to_contain_text("%")

    # The newsletter: Tab to the e-mail field, type, Tab to the button, Space.
    tab_to(page, lambda facts: facts["tag"] == "input" and facts["type"] == "email")
    page.keyboard.type("meshkanets@example.com")
    tab_to(page, lambda facts: facts["tag"] == "button" and facts["name"] == "Підписатися")
    page.keyboard.press("Space")
    expect(page.get_by_role("heading", level=1)).to_have_text("Перевірте пошту")
    assert [message.to for message in mail.outbox] == [["meshkanets@example.com"]]

    # And the search, back in the header.
    tab_to(page, lambda facts: facts["name"] == "Пошук по сайту", backwards=True)
    page.keyboard.type("липи")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(reverse("search:results")) + r"\?q=.+"))
    expect(page.get_by_role("link", name=article.title)).to_be_visible()
