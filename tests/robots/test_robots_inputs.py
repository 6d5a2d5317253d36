"""Input files: xlsx / csv (UTF-8, CP932) / jsonl, text columns, flattened members, located errors."""

from __future__ import annotations

import json

import pytest
from openpyxl import Workbook

from robots.inputs import flatten, load_rows, unflatten
from robots.model import InputSpec
from yomikaki.errors import InputError, ValidationFailed

SPEC = InputSpec(key=["application_id"], text_columns=["application_id", "account_number"],
                 boolean_columns=["members.*.opt_out"])


def test_robots_csv_cp932_keeps_leading_zeros_and_unflattens_members(tmp_path):
    path = tmp_path / "rows.csv"
    text = ("application_id,account_number,members.1.name,members.1.opt_out,members.2.name,members.2.opt_out\r\n"
            "0012345678,0012345,斎藤　真理,FALSE,斎藤　一郎,○\r\n"
            "0099999999,0500000,山田　花子,false,,\r\n")
    path.write_bytes(text.encode("cp932"))
    columns, rows = load_rows(path, SPEC)
    assert columns == ["application_id", "account_number", "members"]
    assert rows[0].reference == "0012345678"
    assert rows[0].data["account_number"] == "0012345"
    assert rows[0].data["members"] == [{"name": "斎藤　真理", "opt_out": False}, {"name": "斎藤　一郎", "opt_out": True}]
    assert rows[1].data["members"] == [{"name": "山田　花子", "opt_out": False}]


def test_robots_xlsx_text_columns_and_numbers(tmp_path):
    book = Workbook()
    ws = book.active
    ws.title = "確認済み"
    ws.append(["application_id", "account_number", "phone"])
    ws.append([4678462120, 12345, "049-283-1331"])
    ws["B2"].number_format = "@"
    path = tmp_path / "rows.xlsx"
    book.save(path)
    _, rows = load_rows(path, InputSpec(key=["application_id"], text_columns=["application_id"], sheet="確認済み"))
    assert rows[0].data == {"application_id": "4678462120", "account_number": "12345", "phone": "049-283-1331"}


def test_robots_jsonl_and_flat_round_trip(tmp_path):
    record = {"application_id": "4678462120", "members": [{"name": "a", "opt_out": False},
                                                          {"name": "b", "opt_out": True}]}
    assert unflatten(flatten(record)) == record
    path = tmp_path / "rows.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n" + json.dumps({"source": "x.png", "fields": {
        "application_id": "1111111111", "members": []}}) + "\n", encoding="utf-8")
    _, rows = load_rows(path, SPEC)
    assert [r.reference for r in rows] == ["4678462120", "1111111111"]
    assert rows[0].data == record


def test_robots_broken_jsonl_line_is_located(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_text('{"application_id": "1"}\n{"application_id": "2",}\n', encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_rows(path, SPEC)
    assert str(info.value).startswith(f"{path}:2:")


def test_robots_duplicates_missing_keys_and_bad_booleans_are_all_listed(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text("application_id,members.1.opt_out\n1111111111,TRUE\n,FALSE\n1111111111,たぶん\n",
                    encoding="utf-8")
    with pytest.raises(ValidationFailed) as info:
        load_rows(path, SPEC)
    problems = info.value.problems
    assert any(p.startswith(f"{path}:3:") and "application_id" in p and "空" in p for p in problems)
    assert any(p.startswith(f"{path}:4:") and "重複" in p and f"{path}:2" in p for p in problems)
    assert any(p.startswith(f"{path}:4:") and "真偽値" in p for p in problems)


def test_robots_missing_key_column_names_the_columns(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text("申請書番号,氏名\n1,a\n", encoding="utf-8")
    with pytest.raises(InputError, match="キー列 'application_id'"):
        load_rows(path, SPEC)
