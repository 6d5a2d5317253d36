"""Fixtures for the sample core system tests: one headless Chromium per test module."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    from yomikaki.browser import launch_chromium

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright, headless=True, slow_mo_ms=0)
        yield chromium
        chromium.close()


@pytest.fixture
def web(browser):
    context = browser.new_context(locale="ja-JP")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()
