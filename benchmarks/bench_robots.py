"""Robot runtime benchmarks (issue 3).

1. Overhead: per-item time of ``scenarios/benefit_registration.yaml`` against a plain
   hand-written Playwright script doing the same registration on the same sample system, in
   one run (same machine, same data shape). Target ≤ 1.15×.
2. Throughput: registrations per minute with 1, 2 and 4 workers. Target ≥ 100/min with 4.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path

from benchmarks import Result, meets

REPO = Path(__file__).resolve().parents[1]
SCENARIO = REPO / "scenarios" / "benefit_registration.yaml"
USER, PASSWORD = "staff01", "yomikaki-demo"


async def handwritten_register(page, base: str, row: dict) -> str:
    """The same registration written by hand with Playwright's API (no framework)."""
    await page.goto(f"{base}/benefit/new")
    await page.get_by_label("申請書番号").fill(row["application_id"])
    await page.get_by_role("button", name="検索", exact=True).click()
    await page.get_by_role("heading", name="給付 申請登録（入力）").wait_for()
    for member in row["members"]:
        if member["opt_out"]:  # the page opens with every box unticked
            await page.locator("xpath=//table[.//th[normalize-space(.)='受給を希望しない']]"
                               f"//tr[td[normalize-space(.)='{member['name']}']]/td[4]//input").check()
    await page.get_by_label("申請日").fill(row["application_date"])
    await page.get_by_label("電話番号").fill(row["phone"] or "")
    if row["yucho_symbol"]:
        await page.get_by_role("radio", name="ゆうちょ銀行").check()
        await page.locator("xpath=//th[normalize-space(.)='記号']/following-sibling::td[1]//input").fill(
            row["yucho_symbol"])
        await page.locator("xpath=//th[normalize-space(.)='番号']/following-sibling::td[1]//input").fill(
            row["yucho_number"])
    else:
        await page.get_by_role("radio", name="金融機関", exact=True).check()
        kind = row["bank_kind"] or ""
        bank_query = row["bank_name"] + ("" if row["bank_name"].endswith(kind) else kind)
        branch_query = (row["branch_name"] or "") + (row["branch_kind"] or "支店")
        await page.get_by_role("button", name="金融機関を検索").click()
        dialog = page.get_by_role("dialog", name="金融機関検索")
        await dialog.get_by_label("金融機関名またはカナ").fill(bank_query)
        await dialog.get_by_role("button", name="検索", exact=True).click()
        await dialog.get_by_role("button", name=bank_query).first.click()
        await dialog.get_by_label("支店名またはカナ").fill(branch_query)
        await dialog.get_by_role("button", name="検索", exact=True).click()
        await dialog.get_by_role("button", name=branch_query).first.click()
        await page.locator("xpath=//th[normalize-space(.)='預金種別']/following-sibling::td[1]//select").select_option(
            label=row["account_type"])
        await page.locator("xpath=//th[normalize-space(.)='口座番号']/following-sibling::td[1]//input").fill(
            row["account_number"])
    await page.locator("xpath=//th[normalize-space(.)='口座名義（カナ）']/following-sibling::td[1]//input").fill(
        row["account_holder_kana"])
    await page.get_by_role("button", name="確認画面へ").click()
    await page.get_by_role("heading", name="登録内容の確認").wait_for()
    page.once("dialog", lambda d: asyncio.ensure_future(d.accept()))
    await page.get_by_role("button", name="登録", exact=True).click()
    await page.get_by_role("heading", name="登録完了").wait_for()
    return await page.locator("xpath=//dt[normalize-space(.)='受付番号']/following-sibling::dd[1]").inner_text()


def run_handwritten(base: str, rows: list[dict], workers: int = 1) -> tuple[float, float]:
    """The hand-written script on one Chromium with ``workers`` contexts sharing ``rows``.

    Returns (seconds per item of one context, login excluded like the robot's setup; wall
    seconds for all rows including the browser start, like the robot's throughput run).
    """
    from playwright.async_api import async_playwright

    from yomikaki.browser import launch_options

    async def main() -> tuple[float, float]:
        wall_start = time.perf_counter()
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(**launch_options(headless=True))
            todo = list(rows)
            per_item: list[float] = []

            async def worker() -> None:
                context = await browser.new_context(locale="ja-JP")
                page = await context.new_page()
                await page.goto(f"{base}/login")
                await page.get_by_label("ユーザーID").fill(USER)
                await page.get_by_label("パスワード").fill(PASSWORD)
                await page.get_by_role("button", name="ログイン").click()
                await page.get_by_role("heading", name="業務メニュー").wait_for()
                while todo:
                    row = todo.pop(0)
                    started = time.perf_counter()
                    await handwritten_register(page, base, row)
                    per_item.append(time.perf_counter() - started)
                await context.close()

            await asyncio.gather(*(worker() for _ in range(workers)))
            await browser.close()
        return sum(per_item) / len(per_item), time.perf_counter() - wall_start

    return asyncio.run(main())


def robot_item_seconds(run_log: Path) -> list[float]:
    import json

    seconds = []
    for line in run_log.read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        if event["event"] == "item_finished" and event["outcome"] == "done":
            seconds.append(event["seconds"])
    return seconds


def _rows(core, count: int, offset: int) -> list[dict]:
    from scenarios.lib.sample_rows import confirmed_rows, fetch_households

    return confirmed_rows(fetch_households(core.url), count, seed=offset + 3, offset=offset)


def run(quick: bool = False) -> list[Result]:
    from robots.runner import run_scenario
    from samples.core_system.process import CoreSystemProcess
    from scenarios.lib.sample_rows import write_jsonl
    from yomikaki.db import dispose_engines
    from yomikaki.settings import Settings

    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="bench-robots-") as tmp:
        tmp_path = Path(tmp)
        os.environ.setdefault("CORE_USER", USER)
        os.environ.setdefault("CORE_PASSWORD", PASSWORD)
        with CoreSystemProcess(db=tmp_path / "core.db", inspect=True) as core:
            settings = Settings(data_dir=tmp_path / "var")
            offset = 0
            # 1. overhead: alternate hand-written and robot batches so both see the same machine load
            rounds, batch = (1, 5) if quick else (3, 10)
            hand_times, robot_times = [], []
            for round_ in range(rounds):
                hand_times.append(run_handwritten(core.url, _rows(core, batch, offset))[0])
                offset += batch
                path = write_jsonl(_rows(core, batch, offset), tmp_path / f"overhead{round_}.jsonl")
                offset += batch
                result = run_scenario(SCENARIO, input_path=path, overrides={"core_url": core.url}, progress=False,
                                      settings=settings)
                robot_times.extend(robot_item_seconds(result.log_path))  # item time excludes login
            hand = sum(hand_times) / len(hand_times)
            robot = sum(robot_times) / len(robot_times)
            ratio = robot / hand
            from yomikaki.browser import launch_options

            browser = Path(launch_options(settings, headless=True).get("executable_path", "playwright")).name
            results.append(Result("robots", "overhead vs hand-written Playwright", round(ratio, 3), "×", "<= 1.15",
                                  meets(ratio, "<= 1.15"),
                                  f"robot {robot:.2f} s/item, hand-written {hand:.2f} s/item, "
                                  f"{rounds}×{batch} items each, interleaved; {browser}; trace: on"))
            # the same with DOM snapshots in every item's trace (settings.trace: full), for reference
            full = tmp_path / "registration_trace_full.yaml"
            full.write_text(SCENARIO.read_text(encoding="utf-8").replace(
                "settings:\n", "settings:\n  trace: full\n", 1), encoding="utf-8")
            path = write_jsonl(_rows(core, batch, offset), tmp_path / "overhead-full.jsonl")
            offset += batch
            result = run_scenario(full, input_path=path, overrides={"core_url": core.url}, progress=False,
                                  settings=settings)
            traced = robot_item_seconds(result.log_path)
            traced_ratio = sum(traced) / len(traced) / hand
            results.append(Result("robots", "overhead, trace: full (reference)", round(traced_ratio, 3), "×", "",
                                  None, f"DOM snapshots in every item's trace; {len(traced)} items"))
            # 2. throughput
            for workers in (1, 2, 4):
                count = (6 if quick else 20) * workers
                path = write_jsonl(_rows(core, count, offset), tmp_path / f"w{workers}.jsonl")
                offset += count
                started = time.perf_counter()
                result = run_scenario(SCENARIO, input_path=path, overrides={"core_url": core.url},
                                      workers=workers, progress=False, settings=settings)
                elapsed = time.perf_counter() - started
                per_minute = result.totals["done"] / elapsed * 60
                target = ">= 100" if workers == 4 else ""
                results.append(Result("robots", f"registrations/min, {workers} worker(s)", round(per_minute, 1),
                                      "/min", target, meets(per_minute, target) if target else None,
                                      f"{result.totals['done']}/{count} done in {elapsed:.1f} s incl. browser start"))
            # reference: the hand-written script with 4 contexts on the same Chromium (what the
            # browser itself allows on this machine, with no framework at all)
            count = (6 if quick else 20) * 4
            _, wall = run_handwritten(core.url, _rows(core, count, offset), workers=4)
            offset += count
            results.append(Result("robots", "hand-written Playwright, 4 contexts (reference)",
                                  round(count / wall * 60, 1), "/min", "", None,
                                  f"{count} registrations in {wall:.1f} s incl. browser start; "
                                  f"{os.cpu_count()} CPU cores"))
            dispose_engines()
    return results


if __name__ == "__main__":
    for r in run(quick=True):
        print(r)
