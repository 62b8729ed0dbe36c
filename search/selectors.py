"""The search read: query text to ranked, filtered, visible index entries."""

import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, IntegerField, QuerySet, Value, When, Window

from portal import pagecache
from search.backends import get_search_backend
from search.indexing import linked_objects, vocabulary_word
from search.lemmatizer import (
    APOSTROPHES,
    MAX_QUERY_TOKENS,
    STOP_WORDS,
    lemmas,
    query_groups,
    tokens,
)
from search.models import IndexEntry, SearchTerm
from search.transliteration import spellings

LAYOUT = dict(
    zip(
        "qwertyuiop[]asdfghjkl;'zxcvbnm,.`",
        "йцукенгшщзхїфівапролджєячсмитьбюʼ",
        strict=True,
    )
)
LATIN = re.compile(r"[a-z]", re.I)
CYRILLIC = re.compile(r"[а-яґєії]", re.I)


def from_layout(text: str) -> str:
    return "".join(LAYOUT.get(ch, LAYOUT.get(ch.lower(), ch)) for ch in text)


# A Latin word the transliteration reads back (letters and apostrophes only).
LATIN_WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")


def ukrainian_readings(text: str) -> list[str]:
    """A Latin query read as Ukrainian, of the readings that could find something:
    transliterated (each word in its likeliest spelling the index knows, or its likeliest
    spelling), then typed in the wrong keyboard layout.

    One query, whatever the number of words and spellings: the official transliteration
    reads back into up to MAX_SPELLINGS spellings a word ("lviv": "лвів", "львів", ...),
    and searching for each, or for each combination of the words' spellings, would cost a
    full-text search apiece (16 per word, 16² for two words). The vocabulary table
    (search.models.SearchTerm: every word and lemma of the public index, the same on
    SQLite and PostgreSQL) is asked once which of the spellings' lemmas, the words as
    typed ("online") and the layout reading's lemmas it has. A word the index knows as
    typed stays as typed. A reading with a word none of whose lemmas the vocabulary has
    cannot find anything and is left out, so a query that is neither costs one look-up
    and no search."""
    words = tokens(text[:2000])[: 2 * MAX_QUERY_TOKENS]
    options = {
        word: spellings(word)
        for word in words
        if word not in STOP_WORDS and LATIN_WORD.fullmatch(word)
    }
    layout = from_layout(text[:2000])
    layout_groups = query_groups(layout)
    asked = {word.replace("'", "") for word in options}
    asked.update(lemma for spelt in options.values() for s in spelt for lemma in lemmas(s))
    asked.update(lemma for group in layout_groups for lemma in group)
    asked = sorted(word for word in asked if vocabulary_word(word))
    known = set(SearchTerm.objects.filter(word__in=asked).values_list("word", flat=True))

    def known_in(group) -> bool:
        return any(lemma in known for lemma in group)

    def possible(group) -> bool:  # the vocabulary cannot tell of short words and numbers
        return known_in(group) or not all(vocabulary_word(lemma) for lemma in group)

    chosen = []
    for word in words:
        if word not in options or word.replace("'", "") in known:
            chosen.append(word)
        else:
            spelt = options[word]
            chosen.append(next((s for s in spelt if known_in(lemmas(s))), spelt[0]))
    transliterated = " ".join(chosen)
    readings = []
    for reading, groups in (
        (transliterated, query_groups(transliterated)),
        (layout, layout_groups),
    ):
        if groups and all(possible(group) for group in groups) and reading not in readings:
            readings.append(reading)
    return readings


@dataclass
class SearchOutcome:
    results: QuerySet
    groups: list = field(default_factory=list)
    shown_for: str = ""


def search_entries(
    text: str,
    *,
    queryset: QuerySet | None = None,
    sort: str = "relevance",
    kind: str | None = None,
) -> SearchOutcome:
    """Ranked visible entries; a Latin query that finds nothing is retried as Ukrainian
    transliterated or typed in the wrong layout (the outcome says what was searched for):
    at most one vocabulary look-up and two more searches (see ukrainian_readings)."""
    queryset = IndexEntry.objects.visible() if queryset is None else queryset
    groups = query_groups(text)
    if not groups:
        return SearchOutcome(results=queryset.none())
    backend = get_search_backend()
    order = ["-date", "-id"] if sort == "date" else ["-rank", "-date", "-id"]
    results = backend.search(groups, queryset, kind).order_by(*order)
    if LATIN.search(text) and not CYRILLIC.search(text) and not results.exists():
        for reading in ukrainian_readings(text):
            alt_groups = query_groups(reading)
            if alt_groups != groups:
                alt = backend.search(alt_groups, queryset, kind).order_by(*order)
                if alt.exists():
                    return SearchOutcome(results=alt, groups=alt_groups, shown_for=reading)
    return SearchOutcome(results=results, groups=groups)


def suggest(text: str, queryset: QuerySet, kind: str | None = None) -> str:
    """For a query that found nothing: the query with every word the index does not know
    replaced by the index's most similar word — offered only if it finds something in the
    same queryset ("" otherwise, and always on backends without similarity)."""
    words, wanted = [], []
    for word in tokens(text[:2000]):
        if word not in STOP_WORDS:
            if len(wanted) == MAX_QUERY_TOKENS:
                break
            wanted.append(word.replace("'", ""))
        words.append(word)
    backend = get_search_backend()
    best = backend.corrections([w for w in wanted if vocabulary_word(w)])
    # Each correction as the index's text writes it ("пам’ять", not the vocabulary's
    # "память"); whether a word was corrected is asked without apostrophes of any form.
    corrected = [
        word if word in STOP_WORDS else best.get(word.replace("'", ""), word) for word in words
    ]
    if [plain(w) for w in corrected] == [plain(w) for w in words]:
        return ""
    suggestion = " ".join(corrected)
    groups = query_groups(suggestion)
    if groups and backend.search(groups, queryset, kind).exists():
        return suggestion
    return ""


def plain(word: str) -> str:
    """A word without its apostrophe, in whichever form it is written."""
    return word.translate(APOSTROPHES).replace("'", "")


def number_first(results: QuerySet, text: str) -> QuerySet:
    """A document whose number is exactly the query (e.g. "125-р") comes first."""
    number = text.strip()
    if not number or len(number) > 50:
        return results
    return results.annotate(
        exact=Case(
            When(number__iexact=number, then=Value(1)), default=0, output_field=IntegerField()
        )
    ).order_by("-exact", *results.query.order_by)


# Page numbers above this are all "past the end": one shared entry for them.
LAST_PAGE_ASKED = 10**6 + 1


def _page_number(value) -> int:
    """The page asked for as a number: 1 for anything that is not one ("?page=abc"),
    0 for any below 1 and ``LAST_PAGE_ASKED`` for any above a million (both mean the
    last page), so that junk values share the ids of the page they show."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 0), LAST_PAGE_ASKED)


def _page_ids(results: QuerySet, number: int, per_page: int) -> tuple[list[int], int, int]:
    """The ids of a page of ranked results, the total and the page's number (an
    out-of-range number gives the last page, as Paginator.get_page() does).

    Where the backend ranks in one pass cheaper than twice (SQLite: FTS5 matches and ranks
    every row again for a separate COUNT), one narrow query reads the page's ids with
    COUNT(*) OVER (). PostgreSQL counts and ranks each in parallel scans, faster than one
    window over every match: a count and a page there.
    """
    if not get_search_backend().count_in_window:
        total = results.count()
        pages = max(1, -(-total // per_page))
        number = number if 1 <= number <= pages else pages
        start = (number - 1) * per_page
        return list(results.values_list("pk", flat=True)[start : start + per_page]), total, number
    counted = results.annotate(total=Window(Count("*"))).values_list("pk", "total")

    def ids_of(page):
        return list(counted[(page - 1) * per_page : page * per_page])

    ids = ids_of(number) if 1 <= number < LAST_PAGE_ASKED else []
    total = ids[0][1] if ids else (0 if number == 1 else results.count())
    if not ids and total:  # out of range (past the end, or below 1): the last page
        number = -(-total // per_page)
        ids = ids_of(number)
    elif not total:
        number = 1
    return [pk for pk, _ in ids], total, number


def result_page(results: QuerySet, number, per_page: int, *, request=None, vary_on=()) -> Page:
    """A page of ranked results with the total, as Paginator.get_page() gives it.

    Given the request and what makes the query (``vary_on``: its lemmas, filters and
    order; the page number is added here, as read), the page's ids and the total are a
    part shared by every resident's request (portal.pagecache.shared_value, stale at any
    save of content): ranking and counting a common word over 100 000 entries costs
    hundreds of milliseconds, and in a burst (a water outage) thousands of residents
    search for the same word. The rows themselves are read fresh, by primary key.
    """

    asked = _page_number(number)

    def ranked():
        return _page_ids(results, asked, per_page)

    if request is None:
        ids, total, number = ranked()
    else:
        vary_on = (*vary_on, asked)
        ids, total, number = pagecache.shared_value(request, "search", vary_on, ranked)
    rows = IndexEntry.objects.in_bulk(ids)
    paginator = Paginator(results, per_page)
    paginator.count = total  # a cached_property: the paginator never counts again
    return Page(attach_links([rows[pk] for pk in ids if pk in rows]), number, paginator)


def attach_links(entries: list[IndexEntry]) -> list[IndexEntry]:
    """The entries with ``link`` set — their object's address now and in the active
    language (an address kept in the index went stale when an article moved section or
    its section's slug changed, and was Ukrainian on /en/search/) — and ``label``, a
    document's kind by its name now ("" for others). One query per kind of object on the
    page. An entry whose object is gone is left out."""
    by_type = defaultdict(list)
    for entry in entries:
        by_type[entry.content_type_id].append(entry)
    objects = {}
    for type_id, group in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        found = linked_objects(model).in_bulk([entry.object_id for entry in group])
        objects.update({(type_id, pk): obj for pk, obj in found.items()})
    linked = []
    for entry in entries:
        obj = objects.get((entry.content_type_id, entry.object_id))
        if obj is not None:
            entry.link = obj.get_absolute_url()
            entry.label = obj.kind.name if entry.kind == IndexEntry.Kind.DOCUMENT else ""
            linked.append(entry)
    return linked
