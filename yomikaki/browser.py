"""The one place that launches Chromium (Debian's, through Playwright)."""

from __future__ import annotations

from typing import Any

from yomikaki.errors import ExternalToolError
from yomikaki.settings import Settings, get_settings

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
    "--disable-quic",
    "--disable-dev-shm-usage",
]


def launch_options(settings: Settings | None = None, *, headless: bool | None = None,
                   slow_mo_ms: int | None = None) -> dict[str, Any]:
    settings = settings or get_settings()
    headless = settings.browser.headless if headless is None else headless
    options: dict[str, Any] = {
        "headless": headless,
        "args": list(CHROMIUM_ARGS),
        "slow_mo": settings.browser.slow_mo_ms if slow_mo_ms is None else slow_mo_ms,
    }
    executable = settings.chromium_executable(headless=headless)
    if executable is not None:
        options["executable_path"] = str(executable)
    return options


def launch_chromium(playwright, settings: Settings | None = None, **overrides):
    """Launch Chromium with the project's flags; a clear error when it is missing."""
    options = launch_options(settings, **overrides)
    try:
        return playwright.chromium.launch(**options)
    except Exception as exc:  # playwright raises its own Error type
        raise ExternalToolError(
            f"Chromium を起動できません: {exc}".splitlines()[0],
            hint="Debian の chromium パッケージを入れるか (make install)、"
            "YOMIKAKI_BROWSER__CHROMIUM_PATH で実行ファイルを指定してください",
        ) from exc
