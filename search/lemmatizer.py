"""Ukrainian words to lemmas with pymorphy3; one analyser per process, a cache per word."""

import functools
import re
import unicodedata

# The apostrophes residents type ("м’ясо", "мʼясо", "м'ясо", "м`ясо", "м‘ясо") as one.
APOSTROPHES = str.maketrans(dict.fromkeys("’ʼ‘`´", "'"))
TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*|\d+")
# A word as written, before normalise(): its stress marks and its apostrophes inside it
# (for finding in the original text the words a query matched).
_LETTER = r"(?:[^\W\d_][\u0300-\u036f]*)"
TEXT_WORD = re.compile(rf"{_LETTER}+(?:['’ʼ‘`´]{_LETTER}+)*|\d+")
# Stress marks (acute, grave) over a vowel: "мі́ста" is "міста".
STRESS = dict.fromkeys([0x0301, 0x0300])
# Latin letters that look like Cyrillic ones, as a mixed keyboard types them inside a
# Cyrillic word ("Kиїв" with a Latin K): case matters (a Latin "m" looks like no "м").
LOOK_ALIKES = str.maketrans("AaBCcEeHIiKkMOoPpTXxYyÏï", "АаВСсЕеНІіКкМОоРрТХхУуЇї")
_WORD = re.compile(r"[^\W\d_]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
MAX_QUERY_TOKENS = 12
STOP_WORDS = frozenset(
    [
        "і",
        "й",
        "та",
        "а",
        "але",
        "в",
        "у",
        "на",
        "з",
        "із",
        "зі",
        "до",
        "по",
        "за",
        "про",
        "для",
        "від",
        "о",
        "що",
        "як",
        "це",
        "чи",
        "не",
        "ні",
        "же",
        "би",
        "б",
        "the",
        "and",
        "or",
        "not",
        "near",
    ]
)


@functools.cache
def _analyzer():
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="uk")


def _cyrillic_letters(match: re.Match) -> str:
    word = match.group()
    return word.translate(LOOK_ALIKES) if _CYRILLIC.search(word) else word


def normalise(text: str) -> str:
    """The one form of indexed text and queries: Unicode NFC without stress marks, the
    apostrophes as one, Latin look-alikes inside a Cyrillic word as the Cyrillic letters,
    lower case. The lemmas are made in Python, so both backends see the same words."""
    text = unicodedata.normalize("NFD", text).translate(STRESS)
    text = unicodedata.normalize("NFC", text).translate(APOSTROPHES)
    return _WORD.sub(_cyrillic_letters, text).lower()


def tokens(text: str) -> list[str]:
    return TOKEN.findall(normalise(text))


@functools.lru_cache(maxsize=200_000)
def lemmas(word: str) -> tuple[str, ...]:
    """Every normal form of every parse of the word, so "міст" also indexes "місто".

    The apostrophe is dropped from the stored lemma: FTS tokenisers split on it.
    """
    if word.isdigit() or not any("а" <= ch <= "я" or ch in "ґєії" for ch in word):
        return (word.replace("'", ""),)
    try:
        forms = {parse.normal_form for parse in _analyzer().parse(word)}
    except ValueError:
        # pymorphy3 looks letters up by their Unicode names; some letters have none
        # (Tangut "𘴀" next to Cyrillic, found by the hypothesis test): keep the word.
        forms = set()
    forms.add(word)
    return tuple(sorted(form.replace("'", "").replace("’", "") for form in forms))


# A word written with an apostrophe inside it, as the text writes it ("пам’яті").
APOSTROPHE_WORD = re.compile(rf"{_LETTER}+(?:['’ʼ‘`´]{_LETTER}+)+")
# The apostrophes a word is shown with as it is written; a text's "`", "´" or "‘" is one
# typed for want of the right key, and is shown as "’".
SHOWN_APOSTROPHES = "'’ʼ"


@functools.lru_cache(maxsize=20_000)
def _apostrophe_forms(word: str) -> tuple[str, ...]:
    """A word with an apostrophe (normalised: "пам'яті") and its normal forms that keep it
    ("пам'ять")."""
    try:
        forms = {parse.normal_form for parse in _analyzer().parse(word)}
    except ValueError:  # a letter without a Unicode name (see lemmas())
        forms = set()
    forms = {form.replace("’", "'") for form in forms} | {word}
    return tuple(sorted(form for form in forms if "'" in form))


def written_forms(text: str) -> dict[str, str]:
    """The words of a text written with an apostrophe, and their lemmas, as the text
    writes them, by the form the index keeps them in (without it: "память" → "пам’ять"
    for a text that has "пам’яті"). The index and its vocabulary drop the apostrophe (FTS
    tokenisers and pg_trgm split a word at it); a suggestion made from the vocabulary is
    shown as the site writes the word (search.selectors.suggest)."""
    found = {}
    for match in APOSTROPHE_WORD.finditer(text):
        written = match.group()
        mark = next(ch for ch in written if ch in "'’ʼ‘`´")
        mark = mark if mark in SHOWN_APOSTROPHES else "’"
        for token in tokens(written):
            if "'" in token:
                for form in _apostrophe_forms(token):
                    found.setdefault(form.replace("'", ""), form.replace("'", mark))
    return found


def index_text(text: str) -> str:
    """The text as space-separated lemmas, every candidate of ambiguous words included."""
    return " ".join(lemma for token in tokens(text) for lemma in lemmas(token))


def query_groups(text: str) -> list[tuple[str, ...]]:
    """The query as groups of lemma alternatives: every group must match (AND of ORs)."""
    groups = []
    for token in tokens(text[:2000]):
        if token in STOP_WORDS:
            continue
        groups.append(lemmas(token))
        if len(groups) >= MAX_QUERY_TOKENS:
            break
    return groups


def matched_words(text: str, groups) -> set[str]:
    """The word forms of text whose lemmas meet the query's (for highlighting)."""
    wanted = {lemma for group in groups for lemma in group}
    return {token for token in set(tokens(text)) if wanted.intersection(lemmas(token))}
