"""申請一覧 (filters, CP932 CSV) and 税務 年次処理 (background batch, polling, download)."""

from __future__ import annotations

import csv
import io
import re

from core_system_helpers import confirm_registration, fill_registration, login, unregistered_households
from playwright.sync_api import expect


def test_list_filters_and_cp932_csv(core_system, web):
    household = unregistered_households(core_system, 1)[0]
    login(web, core_system.url)
    fill_registration(web, household, bank_query="ﾐﾂｲｽﾐﾄﾓ", bank_label="0009 三井住友銀行",
                      account_number="0508821")
    receipt_no = confirm_registration(web)
    registered = {a["receipt_no"]: a for a in core_system.inspect("applications")}[receipt_no]
    day = registered["registered_at"][:10]

    web.get_by_role("link", name="給付 申請一覧").first.click()
    web.get_by_label("登録日（開始）").fill(day)
    web.get_by_label("登録日（終了）").fill(day)
    web.get_by_role("button", name="検索").click()
    table = web.get_by_role("table", name="申請一覧")
    row = table.get_by_role("row").filter(has_text=receipt_no)
    expect(row).to_contain_text(household["members"][0]["name"])
    expect(row).to_contain_text("****821")
    expect(row).not_to_contain_text("0508821")

    with web.expect_download() as info:
        web.get_by_role("link", name="CSV出力").click()
    download = info.value
    assert re.fullmatch(r"applications_\d{8}\.csv", download.suggested_filename)
    raw = open(download.path(), "rb").read()
    text = raw.decode("cp932")  # must be valid Shift_JIS (CP932), not UTF-8
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["受付番号", "申請書番号", "世帯主氏名", "申請日", "登録日時", "金融機関コード",
                       "金融機関名", "支店コード", "支店名", "預金種別", "口座番号", "記号", "番号",
                       "口座名義カナ", "受給を希望しない世帯員"]
    line = next(r for r in rows[1:] if r[0] == receipt_no)
    assert line[1] == household["application_id"]
    assert line[2] == household["members"][0]["name"]
    assert line[5:7] == ["0009", "三井住友銀行"] and line[10] == "0508821"
    assert line[13] == household["members"][0]["kana"]
    assert all(r[4].startswith(day) for r in rows[1:])
    assert "三井住友銀行".encode("cp932") in raw

    web.get_by_label("登録日（開始）").fill("2000-01-01")
    web.get_by_label("登録日（終了）").fill("2000-01-31")
    web.get_by_role("button", name="検索").click()
    expect(web.get_by_text("全 0 件")).to_be_visible()
    web.get_by_label("登録日（開始）").fill("2026-13-01")
    web.get_by_role("button", name="検索").click()
    expect(web.get_by_text("登録日（開始）を YYYY-MM-DD で入力してください")).to_be_visible()


def test_tax_batch_progress_and_download(start_core_system, web):
    core = start_core_system(tax_seconds=4, households=60)
    login(web, core.url)
    web.get_by_role("link", name="税務 年次処理").first.click()
    web.get_by_label("年度").select_option(label="令和7年度")
    web.get_by_label("処理").select_option(label="特別徴収税額通知 一括作成")
    web.get_by_role("button", name="実行").click()
    expect(web.get_by_role("heading", name="処理状況")).to_be_visible()
    bar = web.get_by_role("progressbar")
    assert int(bar.get_attribute("aria-valuenow")) < 100
    expect(web.get_by_text("処理が完了しました")).to_be_visible(timeout=20_000)
    expect(bar).to_have_attribute("aria-valuenow", "100")
    with web.expect_download() as info:
        web.get_by_role("link", name="結果ファイルをダウンロード").click()
    text = open(info.value.path(), "rb").read().decode("cp932")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["令和7年度 特別徴収税額通知 一括作成"]
    assert rows[1][:5] == ["宛名番号", "氏名", "カナ氏名", "住所", "年税額"]
    adults = {m["name"] for h in core.inspect("households") for m in h["members"]
              if m["birth_date"] < "2005-04-01"}
    assert len(rows) > 3 and {r[1] for r in rows[2:]} <= adults
    for r in rows[2:]:
        assert int(r[5]) + 11 * int(r[6]) == int(r[4])
