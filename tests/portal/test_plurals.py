"""Counts read right in Ukrainian: every catalog has the Ukrainian plural rule and
every plural entry all four of its forms."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = sorted(
    path for path in ROOT.glob("**/locale/uk/LC_MESSAGES/django.po") if ".venv" not in path.parts
)
UKRAINIAN_RULE = (
    "nplurals=4; plural=(n % 1 == 0 && n % 10 == 1 && n % 100 != 11 ? 0 : n % 1 == 0 && "
    "n % 10 >= 2 && n % 10 <= 4 && (n % 100 < 12 || n % 100 > 14) ? 1 : n % 1 == 0 && "
    "(n % 10 ==0 || (n % 10 >=5 && n % 10 <=9) || (n % 100 >=11 && n % 100 <=14 )) ? 2: 3);"
)


def entries(path):
    text = path.read_text(encoding="utf-8")
    return [block for block in text.split("\n\n") if not block.lstrip().startswith("#~")]


def joined(block, key):
    match = re.search(rf'^{re.escape(key)} ((?:".*"\n?)+)', block + "\n", re.M)
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', match.group(1))) if match else None


@pytest.mark.parametrize("path", CATALOGS, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_catalog_has_the_ukrainian_plural_rule_and_all_forms(path):
    header = joined(entries(path)[0], "msgstr")
    assert f"Plural-Forms: {UKRAINIAN_RULE}\\n" in header
    for block in entries(path)[1:]:
        assert "#, fuzzy" not in block, block
        if "msgid_plural" in block:
            forms = [joined(block, f"msgstr[{n}]") for n in range(4)]
            assert all(forms), block


def test_the_catalogs_were_found():
    assert {path.parts[-5] for path in CATALOGS} >= {"newsletter", "polls", "news", "portal"}
