from django.shortcuts import render

from portal.pagecache import page_cache, page_not_stored
from portal.pagination import is_own_address
from search.forms import DocumentSearchForm, SiteSearchForm
from search.models import IndexEntry
from search.selectors import number_first, result_page, search_entries, suggest

PER_PAGE = 10


def _search(request, form_class, scope, template):
    form = form_class(request.GET)
    if not form.is_valid():
        # No search under a filter that could not be applied: the page shows the
        # filter's error by its field, and the words stay in their box (the bound form).
        query = form.data.get("q", "")[:200]
        return render(request, template, {"form": form, "query": query, "search_scope": scope})
    text = (form.cleaned_data.get("q") or "")[:10000]
    queryset = form.filter(IndexEntry.objects.visible())
    sort = form.cleaned_data.get("sort") or "relevance"
    kind = form.search_kind()
    outcome = search_entries(text, queryset=queryset, sort=sort, kind=kind)
    results = outcome.results
    if scope == "documents" and outcome.groups and sort != "date":
        results = number_first(results, text)
    filters = sorted((name, str(value)) for name, value in form.cleaned_data.items() if name != "q")
    page_obj = result_page(
        results,
        request.GET.get("page"),
        PER_PAGE,
        request=request,
        # The lemmas, not the typed text: "вода" and " Вода" share one entry.
        vary_on=(
            scope,
            outcome.groups,
            filters,
            text.strip() if scope == "documents" else "",
        ),
    )
    # Nothing found: perhaps a typo ("бюджед"); PostgreSQL only, verified to find something.
    suggestion = ""
    if outcome.groups and not page_obj.paginator.count:
        suggestion = suggest(text, queryset, kind)
    response = render(
        request,
        template,
        {
            "form": form,
            "query": text[:200],
            "search_scope": scope,
            "groups": outcome.groups,
            "shown_for": outcome.shown_for,
            "suggestion": suggestion,
            "has_words": bool(outcome.groups),
            "page_obj": page_obj,
            "results": page_obj.object_list,
        },
    )
    if not is_own_address(request, page_obj.number):
        page_not_stored(response)  # "?page=abc": the first page, kept under its own address
    return response


# In a burst, residents search for the same few words: a page of results is cached
# like any other page (stale at any save of content), by its filters and page.
@page_cache(parameters=[*SiteSearchForm.base_fields, "page"])
def site_search(request):
    return _search(request, SiteSearchForm, "site", "search/results.html")


@page_cache(parameters=[*DocumentSearchForm.base_fields, "page"])
def document_search(request):
    return _search(request, DocumentSearchForm, "documents", "search/documents.html")
