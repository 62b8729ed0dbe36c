import datetime

from django import template

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
        if request is None or (self.unless is not None and self.unless.resolve(context)):
            return self.nodelist.render(context)
        return pagecache.shared_fragment(
            request,
            self.name,
            [variable.resolve(context) for variable in self.vary_on],
            lambda: self.nodelist.render(context),
        )


@register.tag
def shared_fragment(parser, token):
    """``{% shared_fragment "name" vary_on… [unless condition] %}…{% endshared_fragment %}``

    A block that is the same on many pages, kept in the page cache (see
    portal/pagecache.py) and rendered again only when content changes. Each
    value after the name makes a variant; ``unless`` renders the block for this
    request without the cache (a visitor who voted sees their own poll)."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(f"{bits[0]} needs a name")
    unless = None
    if len(bits) >= 4 and bits[-2] == "unless":
        unless = parser.compile_filter(bits[-1])
        bits = bits[:-2]
    nodelist = parser.parse(("endshared_fragment",))
    parser.delete_first_token()
    name = bits[1].strip("\"'")
    return SharedFragmentNode(
        nodelist, name, [parser.compile_filter(bit) for bit in bits[2:]], unless
    )
