from search.models import IndexEntry


class BaseSearchBackend:
    """index(entry) after the entry row is saved; remove(ids); search() returns a QuerySet
    of visible IndexEntry annotated with `rank` (higher is better)."""

    def index(self, entry: IndexEntry) -> None:
        raise NotImplementedError(f"{type(self).__name__} cannot index")

    def remove(self, ids: list[int]) -> None:
        raise NotImplementedError

    def clear(self) -> None:
        raise NotImplementedError

    def search(self, groups, queryset):
        raise NotImplementedError
