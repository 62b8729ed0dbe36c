"""Ukrainian words to lemmas with pymorphy3; one analyser per process, a cache per word."""

import functools
import re
import unicodedata

# The apostrophes residents type ("м’ясо", "мʼясо", "м'ясо", "м`ясо", "м‘ясо") as one.
APOSTROPHES = str.maketrans(dict.fromkeys("’ʼ‘`´", "'"))
CYRILLIC_WORD = re.compile(r"[а-яґєії]+")
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


# Where Ukrainian spelling puts an apostrophe: after a labial or "р" before "я", "ю", "є",
# "ї" (м'ясо, пам'ять, сім'я, бур'ян), and after a prefix's "з" or "д" (з'їзд, під'їзд).
APOSTROPHE_PLACE = re.compile(r"(?<=[бпвмфрзд])(?=[яюєї])")


# pymorphy3's marks of a spelling that is not the standard one: "Dist" (distorted:
# "память" for "пам'ять") and "alt" (an alternative: "б'юджет" for "бюджет").
NONSTANDARD = frozenset({"Dist", "alt"})


def _standard_spelling(word: str) -> bool:
    analyzer = _analyzer()
    return analyzer.word_is_known(word) and any(
        not NONSTANDARD & parse.tag.grammemes for parse in analyzer.parse(word)
    )


@functools.lru_cache(maxsize=10_000)
def with_apostrophe(word: str) -> str:
    """A word kept without its apostrophe (the vocabulary's and the lemmas' form,
    "мясо", "память") as it is written ("м'ясо", "пам'ять"), where the dictionary has
    that as the standard spelling and not the word as it is; else the word. Only the
    places an apostrophe can stand are tried ("рядок": "р'ядок" is no word)."""
    places = [match.start() for match in APOSTROPHE_PLACE.finditer(word)]
    if not places or len(places) > 4 or not CYRILLIC_WORD.fullmatch(word):
        return word
    if _standard_spelling(word):
        return word  # "бюджет", though the dictionary has "б'юджет" as an alternative
    for place in places:
        written = f"{word[:place]}'{word[place:]}"
        if _standard_spelling(written):
            return written
    return word


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
