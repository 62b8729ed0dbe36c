"""A Latin word back to its likely Ukrainian spellings.

The official transliteration (Cabinet of Ministers resolution No. 55 of 2010) cannot be
read back letter by letter: it drops the soft sign and the apostrophe ("Львів" is "Lviv",
"Тернопіль" "Ternopil"), writes "і", "ї" and "й" all as "i" inside a word ("Київ" is
"Kyiv", "Миколаїв" "Mykolaiv", "Хмельницький" "Khmelnytskyi"), and "я", "є", "ю" as
"ya", "ye", "yu" at the start of a word but "ia", "ie", "iu" elsewhere. A fixed
replacement table read "kyiv" as "кїв" and "lviv" as "лвів".

So a word is read as a lattice: at each position the Latin letters it may stand for, each
with a cost (0 for the official reading in that context, more for a rarer one), and the
cheapest few paths through it are the spellings, likeliest first. The index's vocabulary
picks among them (search.selectors).
"""

import heapq

# A search reads back at most this many spellings of a word: with the words of a query
# (search.lemmatizer.MAX_QUERY_TOKENS) it bounds what one vocabulary look-up asks for.
MAX_SPELLINGS = 16
# Longer "words" are not Ukrainian words in Latin letters; they are kept as typed.
MAX_WORD_LENGTH = 60

VOWELS = frozenset("aeiouy")
SIMPLE = {
    "a": "а", "b": "б", "v": "в", "d": "д", "e": "е", "z": "з", "k": "к", "l": "л",
    "m": "м", "n": "н", "o": "о", "p": "п", "r": "р", "s": "с", "t": "т", "u": "у",
    "f": "ф", "w": "в", "x": "кс", "q": "к", "'": "'",
}  # fmt: skip
# Digraphs of the official table; reading their letters one by one costs this much more
# ("kh" is "х", rarely "кг").
DIGRAPHS = {"shch": "щ", "zgh": "зг", "zh": "ж", "kh": "х", "ch": "ч", "sh": "ш", "ts": "ц"}
SPLIT_COST = 1.5
# "я", "є", "ю", "ї" officially: "ya", "ye", "yu", "yi" first in a word, "ia", "ie",
# "iu", "i" elsewhere.
IOTATED = {"a": "я", "e": "є", "u": "ю", "i": "ї"}
# Consonants a dropped soft sign may follow ("ль", "нь", "ць", ...).
SOFTENED = frozenset(["d", "z", "l", "n", "s", "t", "ts"])
# A soft sign before a consonant or at the end of a word, by the letter it softens:
# word-final "ль" (Тернопіль), "ць" (Кременець) and "ть" are common, "дь" and "зь" rare.
SOFT_AT_END = {"l": 0.5, "ts": 0.5, "t": 0.6, "n": 0.8, "s": 1.0, "z": 1.0, "d": 1.0}
SOFT_BEFORE_CONSONANT = {"l": 0.8, "n": 1.0, "t": 1.0, "s": 1.0, "ts": 1.0, "z": 1.2, "d": 1.2}
# The apostrophe before "я", "ю", "є", "ї" follows labials and "р" (сім'я, м'ясо,
# кар'єра), and "з", "д" ending a prefix (з'їзд, під'їзд).
APOSTROPHE_BEFORE = frozenset("bpvmfrzd")
# "іа" inside a word as two letters: соціальний, матеріал, спеціаліст.
SPLIT_IA_COST = 0.5


def _options(word: str, pos: int) -> list[tuple[int, str, float]]:
    """What the Latin letters at ``pos`` may stand for: (letters read, Cyrillic, cost)."""
    rest = word[pos:]
    prev = word[pos - 1] if pos else ""
    first = pos == 0
    options = []
    digraph = next((d for d in DIGRAPHS if rest.startswith(d)), None)
    if digraph:
        unit = "ts" if digraph == "ts" else None
        options += _softened(word, pos, len(digraph), DIGRAPHS[digraph], unit)
    split = SPLIT_COST if digraph else 0.0
    ch = rest[0]
    after_vowel = prev in VOWELS
    nxt = rest[1:2]
    if ch == "y":
        if first and nxt in IOTATED:
            options.append((2, IOTATED[nxt], 0.0))
        elif not first and nxt in IOTATED:
            # "Kostyantynivka", not the official "ia"; a word's last "yi" is "-ий".
            options.append((2, IOTATED[nxt], 1.2 if rest == "yi" else 0.6))
        if first and nxt == "o":
            options.append((2, "йо", 0.0))
        options += [(1, "и", 1.5 if first else 0.0), (1, "й", 1.0 if first else 1.5)]
    elif ch == "i":
        if nxt in "aeu" and nxt and prev != "":
            iotated = IOTATED[nxt]
            options.append((2, iotated, 0.0))
            if not after_vowel and prev != "'":
                options.append((2, "і" + iotated, 1.2))  # Марія typed "Maria"
                if prev in APOSTROPHE_BEFORE:
                    options.append((2, "'" + iotated, 0.5))
        pair = SPLIT_IA_COST if nxt in "aeu" and nxt and prev != "" else 0.0
        if first:
            options += [(1, "і", 0.0 + pair), (1, "ї", 1.0), (1, "й", 2.0)]
        elif prev == "'":
            options += [(1, "ї", 0.0), (1, "і", 1.0)]
        elif after_vowel:
            if len(rest) == 1:  # "-yi", "-ii", "-ai": "-ий", "-ій", "-ай"; "мої", "її"
                options += [(1, "й", 0.0), (1, "ї", 1.0 if prev == "y" else 0.3), (1, "і", 1.5)]
            else:
                options += [(1, "ї", 0.0 + pair), (1, "й", 0.2 + pair), (1, "і", 1.5)]
        else:
            options += [(1, "і", 0.0 + pair), (1, "и", 1.5)]
            if prev in APOSTROPHE_BEFORE:
                options.append((1, "'ї", 1.0))
    elif ch == "g":
        options += [(1, "г", split), (1, "ґ", 0.2 + split)]
    elif ch == "h":
        options += [(1, "г", 0.0), (1, "х", 1.0)]
    elif ch == "c":
        options += [(1, "к", split), (1, "ц", 0.3 + split)]
    elif ch == "j":
        options += [(1, "й", 0.0), (1, "ж", 1.0)]
    elif ch == "e" and first:
        options += [(1, "е", 0.0), (1, "є", 1.0)]
    elif ch in SIMPLE:
        for length, cyrillic, cost in _softened(word, pos, 1, SIMPLE[ch], ch):
            options.append((length, cyrillic, cost + split))
    return options


def _softened(word, pos, length, cyrillic, letter) -> list[tuple[int, str, float]]:
    """The letter, and after it a dropped soft sign where Ukrainian would have one."""
    if letter not in SOFTENED:
        return [(length, cyrillic, 0.0)]
    after = word[pos + length :]
    if not pos and letter != "l":  # a soft sign second in a word: Львів, льон
        return [(length, cyrillic, 0.0)]
    if not after:
        soft = SOFT_AT_END[letter]
    elif after[0] == "k" and letter in ("s", "z", "ts") and pos:
        # "-ськ-", "-цьк-", "-зьк-": Покровськ, Хмельницький, київський.
        return [(length, cyrillic + "ь", 0.0), (length, cyrillic, 0.3)]
    elif after[0] not in VOWELS and after[0] != "'":
        soft = SOFT_BEFORE_CONSONANT[letter]
    elif after[0] == "o":
        soft = 1.2  # "ьо": тьотя, льон
    else:
        return [(length, cyrillic, 0.0)]
    return [(length, cyrillic, 0.0), (length, cyrillic + "ь", soft)]


def spellings(word: str, limit: int = MAX_SPELLINGS) -> list[str]:
    """Up to ``limit`` Ukrainian spellings of a lower-case Latin word, likeliest first
    ("kyiv" → "київ", ...; "lviv" → "лвів", "львів", ...). The cheapest paths through the
    lattice of readings, kept ``limit`` per position: exact, and linear in the length."""
    if not word or len(word) > MAX_WORD_LENGTH:
        return [word] if word else []
    best: list[list[tuple[float, int, str]]] = [[] for _ in range(len(word) + 1)]
    best[0] = [(0.0, 0, "")]
    order = 0  # ties keep the order the readings were listed in
    for pos in range(len(word)):
        paths = heapq.nsmallest(limit, best[pos])
        if not paths:
            continue
        for length, cyrillic, cost in _options(word, pos):
            for total, _, text in paths:
                order += 1
                best[pos + length].append((total + cost, order, text + cyrillic))
    found, seen = [], set()
    for _, _, text in sorted(best[len(word)]):
        if text not in seen:
            seen.add(text)
            found.append(text)
            if len(found) == limit:
                break
    return found or [word]
