"""A resident reads the news; an editor publishes through the admin."""

import re

import pytest
from playwright.sync_api import expect

from news.models import Article
from tests.conftest import make_article, make_category, make_image_bytes

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_resident_reads_an_article_and_returns_to_its_section(page):
    section = make_category(name="Новини громад", slug="novyny-hromad")
    make_category(name="Оголошення", slug="oholoshennia")
    article = make_article(category=section, title="Громада уклала угоду про співпрацю")
    for number in range(3):
        make_article(category=section, title=f"Інша подія громади {number}")

    page.goto("/")
    expect(page.get_by_role("link", name="Перейти до змісту")).to_be_attached()
    page.get_by_role("navigation", name="Розділи").get_by_role("link", name="Новини громад").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Новини громад")

    page.get_by_role("link", name=article.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(article.title)
    expect(page.locator(".views")).to_contain_text("Переглядів: 1")
    related = page.get_by_role("region", name="Останні новини з категорії:")
    expect(related.get_by_role("listitem")).to_have_count(3)

    page.get_by_role("link", name="Назад до розділу").click()
    expect(page).to_have_url(re.compile(r"/news/novyny-hromad/$"))

    page.reload()
    page.goto(article.get_absolute_url())
    expect(page.locator(".views")).to_contain_text("Переглядів: 1")


def test_the_language_switch_opens_the_english_version_and_comes_back(page):
    make_article(title="Подія")
    page.goto("/news/")
    page.get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(r"/en/news/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("All news")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("link", name="Українська").click()
    expect(page).to_have_url(re.compile(r"[^n]/news/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Усі новини")
    expect(page.locator("html")).to_have_attribute("lang", "uk")


def test_an_editor_writes_and_publishes_an_article_in_ckeditor(
    page, django_user_model, tmp_path, editors_group
):
    section = make_category(name="Новини громад", slug="novyny-hromad")
    editor = django_user_model.objects.create_user(
        "redaktor", password="correct-horse-battery", is_staff=True
    )
    editor.groups.add(editors_group)
    picture = tmp_path / "skver.jpg"
    picture.write_bytes(make_image_bytes(1600, 900))

    page.goto("/admin/")
    page.get_by_label("Ім'я користувача").fill("redaktor")
    page.get_by_label("Пароль").fill("correct-horse-battery")
    page.get_by_role("button", name="Увійти").click()
    page.goto("/admin/news/article/add/")

    page.locator("#id_title").fill("Відкрито оновлений сквер")
    page.locator("#id_category").select_option(str(section.pk))
    page.locator("#id_lead").fill("Сквер чекає на відвідувачів.")
    editable = page.locator(".ck-editor__editable")
    editable.click()
    page.keyboard.type("Після ремонту у сквері з'явилися нові лавки.")
    page.keyboard.press("Control+B")
    page.keyboard.type(" Запрошуємо всіх!")
    page.locator(".ck-file-dialog-button input[type=file]").first.set_input_files(str(picture))
    expect(editable.locator("img")).to_have_attribute("src", re.compile(r"/media/editor/"))
    # A picture in the text needs its description before the article saves.
    editable.locator("img").click()
    page.get_by_role("button", name="Змінити текстову альтернативу зображення").click()
    page.get_by_label("Текстова альтернатива").fill("Нові лавки в сквері")
    page.keyboard.press("Enter")
    page.locator("#id_picture").set_input_files(str(picture))
    page.locator("#id_picture_alt").fill("Новий сквер з лавками")
    page.locator("#id_status").select_option("published")
    page.get_by_role("button", name="Зберегти", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("успішно")

    article = Article.objects.get(title="Відкрито оновлений сквер")
    assert article.slug == "vidkryto-onovlenyi-skver"
    assert "<strong>" in article.body and 'alt="Нові лавки в сквері"' in article.body

    page.goto(article.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("Відкрито оновлений сквер")
    expect(page.get_by_role("img", name="Новий сквер з лавками")).to_be_visible()
    expect(page.locator(".article__body strong")).to_have_text("Запрошуємо всіх!")
