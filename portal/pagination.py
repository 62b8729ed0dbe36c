"""The page number of a list page (news, a section, the document registry, the polls'
archive), read as the search pages read it (search.selectors._page_number)."""

from portal.pagecache import page_not_stored


class PageNumberMixin:
    """A ListView's page as ``Paginator.get_page()`` gives it: a page number that is not a
    number ("?page=abc", from a link cut short or typed) shows the first page, one out of
    range ("?page=0", "?page=99999", an old link to a list that has shrunk) the last.
    Django's ListView answered its 404 for both, while the search pages answered a page.

    Such a page is not stored by the page cache under the address it was asked by: every
    other junk value would keep a copy of the same page (see portal.pagecache)."""

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(
            queryset,
            page_size,
            orphans=self.get_paginate_orphans(),
            allow_empty_first_page=self.get_allow_empty(),
        )
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        page = context.get("page_obj")
        if page is not None and not is_own_address(self.request, page.number):
            page_not_stored(response)
        return response


def is_own_address(request, number: int, parameter: str = "page") -> bool:
    """Whether the request asked for page ``number`` by an address its links give: without
    the parameter for the first page, or its number in digits ("?page=2")."""
    value = request.GET.get(parameter)
    return value == str(number) if value is not None else number == 1
