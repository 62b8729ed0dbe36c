"""What is indexed, and the one place that keeps the index in sync.

Each indexed model has an explicit adapter; SearchConfig.ready() connects post_save and
post_delete for these models only.
"""

import itertools
import zoneinfo

from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from news.sanitizer import plain_text
from search.backends import get_search_backend
from search.lemmatizer import index_text, written_forms
from search.models import IndexEntry, SearchTerm

# The city's calendar: an article published at 00:30 on 1 December in Kyiv is of
# 1 December, whatever time zone is active and however the database gives it back (UTC).
KYIV = zoneinfo.ZoneInfo("Europe/Kyiv")


def _article(article) -> dict:
    from news.models import Article

    return {
        "kind": IndexEntry.Kind.NEWS,
        "title": article.title,
        # The body read as words: strip_tags() alone glued "…дорогу</p><p>Школа…" into
        # one word nobody could find, and the snippets showed "&amp;nbsp;".
        "body": " ".join(filter(None, [article.lead, plain_text(article.body or "")])),
        "date": timezone.localdate(article.published_at, KYIV) if article.published_at else None,
        "is_public": article.status == Article.Status.PUBLISHED and bool(article.published_at),
        "published_at": article.published_at,
    }


def _document(document) -> dict:
    return {
        "kind": IndexEntry.Kind.DOCUMENT,
        "title": document.title,
        "body": "\n".join(filter(None, [document.description, document.text])),
        "date": document.adopted_on,
        "is_public": document.is_published,
        "published_at": None,
        "doc_kind": document.kind.slug,
        "issuer_id": document.issuer_id,
        "number": document.number,
        # The number is searchable as words too ("125-р" → "125", "р").
        "_extra_title": f"{document.number} {document.kind.name}",
    }


def adapters():
    from documents.models import Document
    from news.models import Article

    return {Article: _article, Document: _document}


def linked_objects(model):
    """The rows an indexed model's get_absolute_url() and its result's label need, and
    nothing more: a result's link is worked out when the page is shown
    (search.selectors.attach_links), in the page's language and from the object's
    address now (its section, its slug)."""
    from documents.models import Document
    from news.models import Article

    if model is Article:
        return Article.objects.select_related("category").only("slug", "category__slug")
    if model is Document:
        # The kind's name as it is now: a result reads "Рішення № 125-р", not "Документ".
        return Document.objects.select_related("kind").only("pk", "kind__name")
    raise ValueError(f"{model.__name__} is not indexed")


def vocabulary_word(word: str) -> bool:
    """Whether the vocabulary keeps the word: no numbers, no words of one or two letters
    (too few trigrams to compare), none longer than the column."""
    return 3 <= len(word) <= 100 and not word.isdigit()


def vocabulary(*lemma_texts: str) -> set[str]:
    """The words of lemma texts worth correcting a query towards (``vocabulary_word``)."""
    return {word for text in lemma_texts for word in text.split() if vocabulary_word(word)}


def remember_terms(words, written=None) -> None:
    """Add words to the vocabulary; the ones already there are skipped by the database.
    ``written`` maps the words a text writes with an apostrophe to that spelling
    (search.lemmatizer.written_forms): such a word is stored with it, or given it if the
    vocabulary had the word without (from a text that misspelt it, or from before)."""
    written = written or {}
    spelt = {word: written[word] for word in words if 0 < len(written.get(word, "")) <= 120}
    SearchTerm.objects.bulk_create(
        [SearchTerm(word=word) for word in sorted(set(words) - set(spelt))],
        batch_size=1000,
        ignore_conflicts=True,
    )
    SearchTerm.objects.bulk_create(
        [SearchTerm(word=word, written=spelt[word]) for word in sorted(spelt)],
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["word"],
        update_fields=["written"],
    )


def entry_fields(obj, *, with_body: bool = True) -> tuple[dict, dict]:
    """The IndexEntry columns of an object, from its adapter, and the spellings of its
    words written with an apostrophe (search.lemmatizer.written_forms: the vocabulary's).
    Without the body (its text, lemmas and spellings) when ``with_body`` is False:
    lemmatising a document's body is most of the cost of indexing it."""
    fields = adapters()[type(obj)](obj)
    title = f"{fields['title']} {fields.pop('_extra_title', '')}"
    fields["lemma_title"] = index_text(title)
    written = written_forms(title)
    if with_body:
        fields["lemma_body"] = index_text(fields["body"])
        written = written_forms(fields["body"]) | written
    else:
        del fields["body"]
    return fields, written


def index_object(
    obj, *, collect_words: set | None = None, collect_written: dict | None = None
) -> IndexEntry:
    """Index one object. A rebuild passes a set that collects the vocabulary and a dict
    that collects its spellings with an apostrophe, written once at its end instead of
    one INSERT per object."""
    fields, written = entry_fields(obj)
    entry, _ = IndexEntry.objects.update_or_create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        defaults=fields,
    )
    get_search_backend().index(entry)
    # Words of drafts stay out of the vocabulary: a suggestion must not reveal them.
    if entry.is_public:
        words = vocabulary(entry.lemma_title, entry.lemma_body)
        if collect_words is None:
            remember_terms(words, written)
        else:
            collect_words.update(words)
            if collect_written is not None:
                collect_written.update(written)
    return entry


def index_titles(objects, *, batch_size: int = 500) -> int:
    """Index objects again for a change that reaches only their titles and filter fields
    (a document kind renamed: its slug and name), keeping their entries' body lemmas;
    returns how many. Lemmatising every body again took two minutes for 2 000 documents
    of 3 000 words (SQLite), inside the save's transaction: 56 ms a document, this 8 ms (the
    FTS5 row is still written whole). An object not indexed yet is indexed whole."""
    backend = get_search_backend()
    words: set[str] = set()
    written: dict[str, str] = {}
    count = 0
    for batch in itertools.batched(objects, batch_size, strict=False):
        content_type = ContentType.objects.get_for_model(batch[0])
        entries = IndexEntry.objects.filter(
            content_type=content_type, object_id__in=[obj.pk for obj in batch]
        ).defer("body")
        entries = {entry.object_id: entry for entry in entries}
        changed, names = [], set()
        for obj in batch:
            entry = entries.get(obj.pk)
            if entry is None:
                index_object(obj, collect_words=words, collect_written=written)
                continue
            fields, spelt = entry_fields(obj, with_body=False)
            # Only the columns that differ are written: a CASE over every column of
            # 500 rows cost more than the rest of the reindexing.
            differing = {name for name, value in fields.items() if getattr(entry, name) != value}
            if not differing:
                continue
            for name in differing:
                setattr(entry, name, fields[name])
            names |= differing
            changed.append(entry)
            if entry.is_public:
                words.update(vocabulary(entry.lemma_title))
                written.update(spelt)
        if changed:
            IndexEntry.objects.bulk_update(changed, sorted(names))
            for entry in changed:
                backend.index(entry)
        count += len(batch)
    remember_terms(words, written)
    return count


def remove_object(obj) -> None:
    entries = IndexEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    )
    ids = list(entries.values_list("id", flat=True))
    get_search_backend().remove(ids)
    entries.delete()


def _saved(sender, instance, raw=False, **kwargs):
    # In the same transaction as the save: a rolled-back save leaves no index entry.
    if not raw:
        index_object(instance)


def _deleted(sender, instance, **kwargs):
    remove_object(instance)


def register_signal_handlers():
    for model in adapters():
        post_save.connect(_saved, sender=model, dispatch_uid=f"search_save_{model.__name__}")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"search_del_{model.__name__}")
