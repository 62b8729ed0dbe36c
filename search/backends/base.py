from search.models import IndexEntry


class BaseSearchBackend:
    """index(entry) after the entry row is saved; remove(ids); search() returns a QuerySet
    of visible IndexEntry annotated with `rank` (higher is better). `kind`, when given, is
    the one kind of entry the queryset is already filtered to: a backend may use it to
    narrow its own index."""

    # Whether a page of results is cheaper with its total as COUNT(*) OVER () in one
    # narrow query than with a separate COUNT (see selectors.result_page).
    count_in_window = False

    def index(self, entry: IndexEntry) -> None:
        raise NotImplementedError(f"{type(self).__name__} cannot index")

    def remove(self, ids: list[int]) -> None:
        raise NotImplementedError

    def clear(self) -> None:
        raise NotImplementedError

    def search(self, groups, queryset, kind=None):
        raise NotImplementedError

    def corrections(self, words: list[str]) -> dict[str, str]:
        """For each word, the most similar word of the vocabulary (the word itself when it
        is there; absent when nothing is similar), as the index's text writes it (with its
        apostrophe: SearchTerm.written). Backends without a similarity measure return {}:
        no correction is offered."""
        return {}
