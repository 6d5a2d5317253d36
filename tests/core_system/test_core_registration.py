"""End to end in a real Chromium: login, 宛名検索, one full 申請登録 with the bank dialog."""

from __future__ import annotations

import re

from core_system_helpers import confirm_registration, fill_registration, login, unregistered_households
from playwright.sync_api import expect


def test_login_search_and_household_detail(core_system, web):
    household = core_system.inspect("households")[5]
    head = household["members"][0]
    login(web, core_system.url)
    expect(web.get_by_role("heading", name="業務メニュー")).to_be_visible()
    web.get_by_role("link", name="宛名検索").first.click()
    web.get_by_label("カナ氏名").fill(head["kana"].split("\u3000")[0])
    web.get_by_label("生年月日").fill(head["birth_date"])
    web.get_by_role("button", name="検索").click()
    table = web.get_by_role("table", name="検索結果")
    row = table.get_by_role("row").filter(has_text=head["name"])
    expect(row).to_have_count(1)
    expect(row).to_contain_text(household["address"])
    row.get_by_role("link", name="詳細").click()
    expect(web.get_by_role("heading", name="世帯詳細")).to_be_visible()
    expect(web.get_by_text(household["application_id"], exact=True)).to_be_visible()
    members = web.get_by_role("table", name="世帯員").get_by_role("row")
    expect(members).to_have_count(len(household["members"]) + 1)
    for member in household["members"]:
        expect(web.get_by_role("table", name="世帯員")).to_contain_text(member["kana"])


def test_search_pagination_and_no_hit(core_system, web):
    login(web, core_system.url)
    web.goto(f"{core_system.url}/residents/search")
    web.get_by_label("カナ氏名").fill("サ")
    web.get_by_role("button", name="検索").click()
    total = int(re.search(r"全 (\d+) 件", web.get_by_text(re.compile(r"全 \d+ 件")).inner_text()).group(1))
    residents = [m for h in core_system.inspect("households") for m in h["members"]]
    assert total == sum("サ" in m["kana"] for m in residents)
    assert total > 20
    first_page = web.get_by_role("table", name="検索結果").get_by_role("row").all_inner_texts()
    assert len(first_page) == 21
    web.get_by_role("link", name="次へ").click()
    second_page = web.get_by_role("table", name="検索結果").get_by_role("row").all_inner_texts()
    assert set(first_page[1:]).isdisjoint(second_page[1:])
    expect(web.get_by_role("link", name="前へ")).to_be_visible()
    web.get_by_label("カナ氏名").fill("ヴヴヴ")
    web.get_by_role("button", name="検索").click()
    expect(web.get_by_text("該当する住民が見つかりません")).to_be_visible()


def test_full_registration_with_bank_dialog(core_system, web):
    household = next(h for h in unregistered_households(core_system, 50) if len(h["members"]) >= 2)
    login(web, core_system.url)
    fill_registration(web, household, opt_out_index=1)
    expect(web.get_by_role("heading", name="登録内容の確認")).to_be_visible()
    expect(web.get_by_text("0017 埼玉りそな銀行")).to_be_visible()
    web.get_by_role("button", name="戻る").click()  # back to the input page, values kept
    expect(web.get_by_label("電話番号")).to_have_value("049-283-1331")
    expect(web.get_by_label("金融機関名", exact=True)).to_have_value("埼玉りそな銀行")
    expect(web.get_by_label("支店名", exact=True)).to_have_value("坂戸支店")
    expect(web.get_by_role("row", name=household["members"][1]["name"]).get_by_role("checkbox")).to_be_checked()
    web.get_by_role("button", name="確認画面へ").click()
    receipt_no = confirm_registration(web)
    assert re.fullmatch(r"R\d{4}-\d{6}", receipt_no)

    registered = {a["receipt_no"]: a for a in core_system.inspect("applications")}
    app = registered[receipt_no]
    assert app["application_id"] == household["application_id"]
    assert app["application_date"] == "2026-07-01"
    assert app["phone"] == "049-283-1331"
    assert (app["bank_code"], app["bank_name"]) == ("0017", "埼玉りそな銀行")
    assert app["branch_name"] == "坂戸支店" and re.fullmatch(r"\d{3}", app["branch_code"])
    assert (app["account_type"], app["account_number"]) == ("普通", "1234567")
    assert app["yucho_symbol"] is None and app["yucho_number"] is None
    assert app["account_holder_kana"] == household["members"][0]["kana"]
    assert app["opt_out_members"] == [household["members"][1]["name"]]
    assert app["registered_at"].startswith(receipt_no[1:5])


def test_duplicate_registration_is_refused(core_system, web):
    household = unregistered_households(core_system, 1)[0]
    login(web, core_system.url)
    fill_registration(web, household)
    receipt_no = confirm_registration(web)
    web.get_by_role("link", name="続けて登録する").click()
    web.get_by_label("申請書番号").fill(household["application_id"])
    web.get_by_role("button", name="検索").click()
    expect(web.get_by_role("alert")).to_contain_text("既に申請済みです")
    expect(web.get_by_role("alert")).to_contain_text(receipt_no)
    # the input page itself refuses too (a robot that skips step 1)
    web.goto(f"{core_system.url}/benefit/new/{household['application_id']}")
    expect(web.get_by_text("既に申請済みです")).to_be_visible()
    count = sum(a["application_id"] == household["application_id"]
                for a in core_system.inspect("applications"))
    assert count == 1


def test_validation_messages_beside_fields(core_system, web):
    household = unregistered_households(core_system, 1)[0]
    login(web, core_system.url)
    web.goto(f"{core_system.url}/benefit/new")
    web.get_by_label("申請書番号").fill("12345")
    web.get_by_role("button", name="検索").click()
    expect(web.get_by_text("申請書番号は10桁の数字で入力してください")).to_be_visible()
    web.get_by_label("申請書番号").fill("0000000000")
    web.get_by_role("button", name="検索").click()
    expect(web.get_by_text("申請書番号が見つかりません")).to_be_visible()
    web.get_by_label("申請書番号").fill(household["application_id"])
    web.get_by_role("button", name="検索").click()
    web.get_by_label("申請日").fill("2026-02-30")
    web.get_by_label("電話番号").fill("049-283-1331")
    row = web.locator("tr", has=web.locator("th", has_text="口座番号"))
    row.locator("input").fill("12345")
    web.locator("tr", has=web.locator("th", has_text="口座名義（カナ）")).locator("input").fill("さいとう")
    web.get_by_role("button", name="確認画面へ").click()
    expect(web.get_by_text("申請日を正しく入力してください")).to_be_visible()
    expect(row.get_by_text("口座番号は7桁の数字で入力してください")).to_be_visible()
    expect(web.get_by_text("口座名義は全角カタカナで入力してください")).to_be_visible()
    expect(web.get_by_text("金融機関を選択してください")).to_be_visible()
    expect(web.get_by_label("電話番号")).to_have_value("049-283-1331")
    assert household["application_id"] not in {a["application_id"]
                                               for a in core_system.inspect("applications")}
