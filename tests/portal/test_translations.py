"""``{% load translations %}`` (portal/templatetags/translations.py: Django's i18n
library), where a constant ``{% translate %}`` is worked out once per language and
renders what Django's tag does."""

import pytest
from django.template import Context, engines
from django.utils import translation

from portal.templatetags.translations import ConstantTranslateNode


def compiled(source: str):
    return engines["django"].from_string("{% load translations %}" + source).template


def test_a_constant_text_follows_the_active_language_each_time():
    template = compiled('{% translate "Back to the section" %}')
    assert any(isinstance(node, ConstantTranslateNode) for node in template.nodelist)
    rendered = []
    for language in ("uk", "en", "uk", "en"):
        with translation.override(language):
            rendered.append(template.render(Context()))
    assert rendered == ["Назад до розділу", "Back to the section"] * 2


def test_a_constant_text_renders_as_django_s_tag_with_autoescaping_on_and_off():
    template = compiled('{% translate "Fish & <chips>" %}')
    (node,) = [node for node in template.nodelist if isinstance(node, ConstantTranslateNode)]
    for autoescape in (True, False, True):
        context = Context(autoescape=autoescape)
        # A literal in a template is the author's HTML (Django marks it safe).
        assert template.render(context) == node.node.render(context) == "Fish & <chips>"


@pytest.mark.parametrize(
    ("source", "context", "expected"),
    [
        ("{% translate word %}", {"word": "Back to the section"}, "Назад до розділу"),
        ("{% translate word %}", {"word": "Skip to content"}, "Перейти до змісту"),
        ('{% translate "Back to the section" as label %}[{{ label }}]', {}, "[Назад до розділу]"),
        ('{% translate "Back to the section" noop %}', {}, "Back to the section"),
        ('{% translate "Back to the section"|upper %}', {}, "НАЗАД ДО РОЗДІЛУ"),
    ],
)
def test_every_other_form_of_the_tag_is_django_s_own(source, context, expected):
    template = compiled(source)
    assert not any(isinstance(node, ConstantTranslateNode) for node in template.nodelist)
    with translation.override("uk"):
        assert template.render(Context(context)) == expected


def test_the_other_tags_of_django_s_library_are_there():
    template = compiled(
        "{% get_current_language as code %}{{ code }} "
        '{% blocktranslate %}Back to the section{% endblocktranslate %} {{ "en"|language_name }}'
    )
    with translation.override("uk"):
        assert template.render(Context()) == "uk Назад до розділу English"
