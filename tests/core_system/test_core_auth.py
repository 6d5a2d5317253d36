"""ログイン: session timeout, lockout after 5 failures, CSRF, --user/--password, --inspect off."""

from __future__ import annotations

import time
import urllib.error
import urllib.request

import pytest
from core_system_helpers import HttpClient, login
from playwright.sync_api import expect


def test_session_timeout_sends_back_to_login(start_core_system, web):
    core = start_core_system(session_timeout=4)
    login(web, core.url)
    expect(web.get_by_role("heading", name="業務メニュー")).to_be_visible()
    web.get_by_role("link", name="宛名検索").first.click()  # activity keeps the session alive
    expect(web.get_by_role("heading", name="宛名検索")).to_be_visible()
    time.sleep(5)
    web.get_by_role("link", name="給付 申請登録").first.click()
    expect(web.get_by_role("heading", name="ログイン")).to_be_visible()
    expect(web.get_by_text("セッションの有効期限が切れました。再度ログインしてください")).to_be_visible()
    # the bank search API answers 401 once the session is gone
    response = web.request.get(f"{core.url}/api/banks?q=りそな")
    assert response.status == 401
    login(web, core.url)
    expect(web.get_by_role("heading", name="業務メニュー")).to_be_visible()


def test_lockout_after_five_failures_and_custom_credentials(start_core_system, web):
    core = start_core_system(user="clerk07", password="s3cret-pass")
    login(web, core.url, user="staff01", password="yomikaki-demo")
    expect(web.get_by_role("alert")).to_have_text("ユーザーIDまたはパスワードが正しくありません")
    login(web, core.url, user="clerk07", password="s3cret-pass")
    expect(web.get_by_role("heading", name="業務メニュー")).to_be_visible()
    web.get_by_role("link", name="ログアウト").click()
    expect(web.get_by_text("ログアウトしました")).to_be_visible()
    client = HttpClient(core.url)
    for attempt in range(1, 5):
        _, path, text = client.login("clerk07", f"wrong-{attempt}")
        assert path == "/login" and "ユーザーIDまたはパスワードが正しくありません" in text
    login(web, core.url, user="clerk07", password="wrong-5")
    expect(web.get_by_role("alert")).to_have_text(
        "アカウントがロックされました。しばらくしてから再度お試しください")
    login(web, core.url, user="clerk07", password="s3cret-pass")  # right password, still locked
    expect(web.get_by_role("alert")).to_have_text(
        "アカウントがロックされました。しばらくしてから再度お試しください")
    expect(web.get_by_role("heading", name="ログイン")).to_be_visible()


def test_csrf_token_is_required(core_system):
    client = HttpClient(core_system.url)
    status, path, _ = client.login()
    assert (status, path) == (200, "/menu")
    client.csrf = "forged"
    status, _, text = client.request("/benefit/new", {"application_id": "1234567890"})
    assert status == 400 and "不正な送信" in text
    fresh = HttpClient(core_system.url)  # no session at all: login form without a token
    status, _, _ = fresh.request("/login", {"user_id": "staff01", "password": "yomikaki-demo"})
    assert status == 400


def test_pages_need_login(core_system):
    client = HttpClient(core_system.url)
    status, path, text = client.request("/benefit/list")
    assert (status, path) == (200, "/login") and "ユーザーID" in text


def test_inspect_endpoints_only_with_flag(start_core_system):
    core = start_core_system(inspect=False)
    for what in ("households", "applications"):
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(f"{core.url}/__inspect/{what}", timeout=10)
        assert info.value.code == 404
