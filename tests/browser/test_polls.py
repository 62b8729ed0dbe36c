"""A resident votes in the sidebar poll, with JavaScript and without."""

import pytest
from playwright.sync_api import expect

from tests.conftest import make_article
from tests.polls.factories import make_poll

pytestmark = pytest.mark.django_db(transaction=True)


def test_vote_in_place_with_javascript_then_a_second_vote_is_refused(new_page):
    poll = make_poll(question="Що ремонтувати першим?", votes=[1, 0, 0])
    article = make_article()
    page = new_page()
    page.goto(article.get_absolute_url())
    sidebar = page.get_by_role("complementary")
    sidebar.get_by_label("Школи").check()
    sidebar.get_by_role("button", name="Голосувати").click()

    expect(sidebar.get_by_text("Дякуємо, ваш голос враховано.").first).to_be_visible()
    expect(sidebar.get_by_text("50,00%")).to_have_count(2)
    expect(sidebar.get_by_text("Усього 2 голоси")).to_be_visible()
    expect(page).to_have_url(f"{page.url.split('#')[0]}")  # no navigation happened
    assert poll.choices.get(text="Школи").votes == 1

    # The same resident opens the poll's page in another tab and tries again by
    # posting the form that an old tab still shows.
    page.goto(poll.get_absolute_url())
    expect(page.get_by_role("main").get_by_text("Ви проголосували. Дякуємо!")).to_be_visible()
    page.evaluate(
        """([url, choice]) => {
            const form = document.createElement("form");
            form.method = "post"; form.action = url;
            const token = document.querySelector("input[name=csrfmiddlewaretoken]");
            const fields = [["choice", choice], ["csrfmiddlewaretoken", token.value]];
            for (const [name, value] of fields) {
                const input = document.createElement("input");
                input.name = name; input.value = value; form.append(input);
            }
            document.body.append(form); form.submit();
        }""",
        [f"/polls/{poll.pk}/vote/", str(poll.choices.get(text="Дороги").pk)],
    )
    expect(page.get_by_text("Ви вже голосували в цьому опитуванні")).to_be_visible()
    assert poll.choices.get(text="Дороги").votes == 1


def test_vote_without_javascript_posts_and_comes_back_with_a_message(new_page):
    poll = make_poll(question="Де облаштувати майданчик?", answers=("Сквер", "Набережна"))
    make_article()
    page = new_page(java_script_enabled=False)
    page.goto("/news/")
    sidebar = page.get_by_role("complementary")
    sidebar.get_by_label("Набережна").check()
    sidebar.get_by_role("button", name="Голосувати").click()

    expect(page).to_have_url(f"{page.url.split('/news/')[0]}/news/")
    expect(page.get_by_role("status").first).to_contain_text("Дякуємо, ваш голос враховано.")
    expect(sidebar.get_by_text("100,00%")).to_be_visible()
    expect(sidebar.get_by_role("button", name="Голосувати")).to_have_count(0)
    assert poll.choices.get(text="Набережна").votes == 1

    # An old tab still shows the form: the same resident posts it again (the
    # browser's own cookies and CSRF token), and the refusal is read on the page.
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    other = poll.choices.get(text="Сквер")
    response = page.request.post(
        f"/polls/{poll.pk}/vote/",
        form={"choice": str(other.pk), "next": "/news/", "csrfmiddlewaretoken": csrf},
        max_redirects=0,
    )
    assert response.status == 302
    page.goto(response.headers["location"])
    expect(page.get_by_role("status").first).to_contain_text("Ви вже голосували в цьому опитуванні")
    expect(sidebar.get_by_text("100,00%")).to_be_visible()
    assert poll.choices.get(text="Сквер").votes == 0
    assert poll.choices.get(text="Набережна").votes == 1
