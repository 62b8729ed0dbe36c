"""Django's ``i18n`` library, with ``{% translate %}`` of a constant text remembered.

The portal's templates ``{% load translations %}`` instead of ``i18n``: every tag and
filter of Django's library, and one change, to the tag of a constant message without
``noop``, ``context``, ``as`` or a filter: ``{% translate "Skip to content" %}``. Django
looks such a message up in the catalog on every render (8 µs a tag, some five outside
the shared parts on an article page); its translation into a language never changes
while the process runs, so it is worked out once per language. ``makemessages`` reads
the ``{% translate %}`` tags whatever library they come from: nothing changes for the
translators. (Mapping ``i18n`` itself to this module would change the admin's templates
too, and Django warns of a library name used twice.)
"""

import weakref

from django.core.signals import setting_changed
from django.template import Library, Node
from django.templatetags import i18n
from django.utils import translation

register = Library()
register.tags.update(i18n.register.tags)
register.filters.update(i18n.register.filters)


class ConstantTranslateNode(Node):
    """Renders what Django's ``TranslateNode`` would, remembered by language (a literal
    is the template author's HTML, marked safe: autoescaping leaves it as it is)."""

    child_nodelists = ()

    def __init__(self, node: i18n.TranslateNode):
        self.node = node
        self.rendered = {}

    def render(self, context):
        language = translation.get_language()
        value = self.rendered.get(language)
        if value is None:
            value = self.rendered[language] = self.node.render(context)
        return value


# Forgotten when settings change (tests); weak, as a template compiled from a string
# (or every template, when DEBUG turns the cached loader off) is compiled again.
_constant_nodes: weakref.WeakSet[ConstantTranslateNode] = weakref.WeakSet()


@register.tag("translate")
@register.tag("trans")
def do_translate(parser, token):
    node = i18n.do_translate(parser, token)
    expression = node.filter_expression
    constant = (
        not node.noop
        and node.asvar is None
        and node.message_context is None
        and not expression.filters
        and expression.var.literal is not None
    )
    if not constant:
        return node
    constant_node = ConstantTranslateNode(node)
    _constant_nodes.add(constant_node)
    return constant_node


def _forget(**kwargs):
    for node in list(_constant_nodes):  # another thread may compile a template meanwhile
        node.rendered.clear()


setting_changed.connect(_forget, dispatch_uid="portal.templatetags.translations")
