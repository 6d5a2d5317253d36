"""Helpers shared by the sample core system tests."""

from __future__ import annotations

import json
import urllib.request

USER, PASSWORD = "staff01", "yomikaki-demo"


def login(page, url: str, user: str = USER, password: str = PASSWORD) -> None:
    page.goto(f"{url}/login")
    page.get_by_label("ユーザーID").fill(user)
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン").click()


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=30) as resp:
        return json.loads(resp.read().decode("utf-8"))


def unregistered_households(core, count: int) -> list[dict]:
    """Households without an application yet (tests share one system per session)."""
    done = {a["application_id"] for a in core.inspect("applications")}
    return [h for h in core.inspect("households") if h["application_id"] not in done][:count]


def fill_registration(page, household: dict, *, bank_query: str = "さいたまりそな",
                      bank_label: str = "0017 埼玉りそな銀行", branch_query: str = "坂戸",
                      account_number: str = "1234567", opt_out_index: int | None = None) -> None:
    """From the menu: 申請書番号 → 入力 (bank dialog included) → 確認 page."""
    page.get_by_role("link", name="給付 申請登録").first.click()
    page.get_by_label("申請書番号").fill(household["application_id"])
    page.get_by_role("button", name="検索").click()
    page.get_by_label("申請日").fill("2026-07-01")
    page.get_by_label("電話番号").fill("049-283-1331")
    page.get_by_role("radio", name="金融機関").check()
    page.get_by_role("button", name="金融機関を検索").click()
    dialog = page.get_by_role("dialog", name="金融機関検索")
    dialog.get_by_label("金融機関名またはカナ").fill(bank_query)
    dialog.get_by_role("button", name="検索").click()
    dialog.get_by_role("button", name=bank_label, exact=True).click()
    dialog.get_by_label("支店名またはカナ").fill(branch_query)
    dialog.get_by_role("button", name="検索").click()
    dialog.get_by_role("button", name=f"{branch_query}支店").first.click()
    legacy = page.locator("table", has=page.locator("th", has_text="口座番号"))
    legacy.get_by_role("row", name="預金種別").get_by_role("combobox").select_option("普通")
    legacy.locator("tr", has=page.locator("th", has_text="口座番号")).locator("input").fill(account_number)
    legacy.locator("tr", has=page.locator("th", has_text="口座名義（カナ）")).locator("input").fill(
        household["members"][0]["kana"])
    if opt_out_index is not None:
        member = household["members"][opt_out_index]
        page.get_by_role("row", name=member["name"]).get_by_role("checkbox").check()
    page.get_by_role("button", name="確認画面へ").click()


def confirm_registration(page) -> str:
    """On the 確認 page: 登録 → accept the JS confirm → the 受付番号 of the 完了 page."""
    messages: list[str] = []

    def accept(dialog):
        messages.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    page.get_by_role("button", name="登録", exact=True).click()
    page.get_by_role("heading", name="登録完了").wait_for()
    assert messages == ["登録しますか？"]
    return page.locator("dt:text-is('受付番号') + dd").inner_text().strip()


class HttpClient:
    """A plain HTTP client with cookies (no browser) for fault and concurrency tests."""

    def __init__(self, base_url: str):
        import http.cookiejar

        self.base_url = base_url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.csrf = ""

    def request(self, path: str, data: dict | list | None = None) -> tuple[int, str, str]:
        """(status, final path, body); HTTP errors are returned, not raised."""
        import re
        import urllib.error
        import urllib.parse

        body = None
        if data is not None:
            items = list(data.items()) if isinstance(data, dict) else list(data)
            body = urllib.parse.urlencode([("csrf_token", self.csrf), *items]).encode()
        try:
            with self.opener.open(self.base_url + path, data=body, timeout=60) as resp:
                status, url, text = resp.status, resp.url, resp.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            status, url, text = exc.code, exc.url, exc.read().decode("utf-8", "replace")
        match = re.search(r'<meta name="csrf-token" content="([^"]+)"', text)
        if match:
            self.csrf = match.group(1)
        return status, urllib.parse.urlparse(url).path, text

    def login(self, user: str = USER, password: str = PASSWORD) -> tuple[int, str, str]:
        self.request("/login")
        return self.request("/login", {"user_id": user, "password": password})


def entry_form(household: dict, **overrides) -> dict:
    form = {"application_date": "2026-07-01", "phone": "049-283-1331", "account_kind": "bank",
            "bank_code": "0017", "branch_code": "398", "account_type": "普通",
            "account_number": "7654321", "account_holder_kana": household["members"][0]["kana"]}
    form.update(overrides)
    return form
