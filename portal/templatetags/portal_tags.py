import datetime

from django import template
from django.template.defaulttags import TemplateIfParser
from django.template.loader_tags import BlockNode

from portal import links

register = template.Library()


# A page's moments in numbers, formatted by datetime itself: the date filter parses
# its format string on every call (13–16 µs against 1–2 µs here, with the three
# moments of every article page that no cache holds).


@register.filter(expects_localtime=True)
def iso_time(value):
    """A moment in the site's time zone to the second, as ``<time datetime>`` and
    Open Graph want it: ``2026-11-28T09:30:00+02:00``."""
    if not isinstance(value, datetime.datetime):
        return ""
    return value.isoformat(timespec="seconds")


@register.filter(expects_localtime=True)
def numeric_time(value, format_string):
    """A moment (or a date) in the site's time zone written by ``strftime``, for
    formats of numbers only (``"%d.%m.%Y %H:%M"``): names of months and days are
    the date filter's job, which translates them."""
    if not isinstance(value, datetime.date):
        return ""
    return value.strftime(format_string)


@register.filter
def absolute(address):
    """An address as it is read outside the site (portal.links.absolute_url)."""
    return links.absolute_url(str(address))


@register.simple_tag(takes_context=True)
def translated_path(context, language):
    """This page's address in ``language`` (portal.links.translated_path)."""
    request = context["request"]
    return links.translated_path(
        request.get_full_path(), language, found=request.resolver_match is not None
    )


@register.simple_tag
def elided_page_range(page_obj):
    """Page numbers around the current page, with ellipses for the rest."""
    return page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1)


class SharedFragmentNode(template.Node):
    def __init__(self, nodelist, name, vary_on, unless):
        self.nodelist, self.name, self.vary_on, self.unless = nodelist, name, vary_on, unless

    def render(self, context):
        from portal import pagecache

        request = context.get("request")
        if request is None or (self.unless is not None and self.unless.eval(context)):
            return self.nodelist.render(context)
        return pagecache.shared_fragment(
            request,
            self.name,
            [variable.resolve(context) for variable in self.vary_on],
            lambda: self.render_shared(context),
        )

    def render_shared(self, context):
        return self.nodelist.render(context)


# Where a block's output goes in a shared layout: no page's own text contains it.
BLOCK_SLOT = "<!--pagecache:block-->"


class SharedLayoutNode(SharedFragmentNode):
    """A shared fragment whose ``{% block %}`` tags (those directly inside it) stay
    the page's own: kept with a slot for each block, and each page renders its blocks
    alone."""

    def __init__(self, nodelist, name, vary_on, unless):
        super().__init__(nodelist, name, vary_on, unless)
        self.blocks = [node for node in nodelist if isinstance(node, BlockNode)]
        # A block inside another tag of the layout would be kept in the shared part:
        # one page's block shown on every page that shares it.
        own = {id(inner) for block in self.blocks for inner in block.get_nodes_by_type(BlockNode)}
        for block in nodelist.get_nodes_by_type(BlockNode):
            if id(block) not in own:
                raise template.TemplateSyntaxError(
                    f"{{% block {block.name} %}} must be directly inside {{% shared_layout %}}"
                )
        self.found_by_type = {}

    def get_nodes_by_type(self, nodetype):
        # {% extends %} asks its root template for every block on each render: the
        # parsed tree never changes, so it is walked once.
        found = self.found_by_type.get(nodetype)
        if found is None:
            found = self.found_by_type[nodetype] = super().get_nodes_by_type(nodetype)
        return found

    def render_shared(self, context):
        return "".join(
            BLOCK_SLOT if node in self.blocks else node.render_annotated(context)
            for node in self.nodelist
        )

    def render(self, context):
        layout = super().render(context)
        if BLOCK_SLOT not in layout:
            return layout  # rendered whole, without the cache
        pieces = layout.split(BLOCK_SLOT)
        parts = [pieces[0]]
        for block, piece in zip(self.blocks, pieces[1:], strict=True):
            parts += (block.render_annotated(context), piece)
        return "".join(parts)


def _shared(parser, token, node_class):
    """``{% tag "name" vary_on… [unless condition] %}…{% endtag %}``, the condition as
    ``{% if %}`` takes it."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(f"{bits[0]} needs a name")
    unless = None
    if "unless" in bits:
        at = bits.index("unless")
        unless = TemplateIfParser(parser, bits[at + 1 :]).parse()
        bits = bits[:at]
    nodelist = parser.parse((f"end{bits[0]}",))
    parser.delete_first_token()
    vary_on = [parser.compile_filter(bit) for bit in bits[2:]]
    return node_class(nodelist, bits[1].strip("\"'"), vary_on, unless)


@register.tag
def shared_fragment(parser, token):
    """``{% shared_fragment "name" vary_on… [unless condition] %}…{% endshared_fragment %}``

    A block that is the same on many pages, kept in the page cache (see
    portal/pagecache.py) and rendered again only when content changes. Each
    value after the name makes a variant; ``unless`` renders the block for this
    request without the cache (a visitor who voted sees their own poll)."""
    return _shared(parser, token, SharedFragmentNode)


@register.tag
def shared_layout(parser, token):
    """``{% shared_layout "name" vary_on… [unless condition] %}…{% endshared_layout %}``

    ``shared_fragment`` for a page's layout: what lies between the ``{% block %}``
    tags directly inside it is kept as one shared part, and each page renders only
    its blocks (a block inside another of its tags is refused). A tag that sets a
    variable for the blocks (``{% get_current_language as … %}``) goes before it:
    inside, it runs only when the layout is rendered."""
    return _shared(parser, token, SharedLayoutNode)
