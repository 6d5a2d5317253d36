"""``yomikaki demo``: the whole mission, end to end, on embedded defaults.

Stages (each a function; the driver ``run_demo`` reads like the table of contents):
1. start the sample core system (SQLite, free localhost port)
2. generate filled, "scanned" benefit forms for its households (ground truth kept aside)
3. read them with the OCR pipeline, linked to the registry
4. export the review workbook, apply a *simulated* reviewer's corrections, import it
5. register the confirmed rows with scenarios/benefit_registration.yaml
6. print the summary and write the hours report

Running it twice registers nothing twice: the core system's database and the work queue
persist in the data folder, and forms are generated deterministically.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.table import Table

from yomikaki.settings import Settings, get_settings

console = Console()
REPO = Path(__file__).resolve().parents[1]
SCENARIO = REPO / "scenarios" / "benefit_registration.yaml"
DEMO_USER = "staff01"
DEMO_PASSWORD = "yomikaki-demo"


@dataclass
class DemoSummary:
    forms_generated: int = 0
    files: int = 0
    pages: int = 0
    pages_ok: int = 0
    pages_rejected: dict[str, list[str]] = field(default_factory=dict)  # reason → sources
    fields_total: int = 0
    fields_auto_accepted: int = 0
    fields_reviewed: int = 0
    corrections: int = 0
    ocr_accuracy: float = 0.0
    ocr_accuracy_accepted: float = 0.0
    straight_through_rate: float = 0.0
    items_registered: int = 0
    items_skipped_already_done: int = 0
    items_failed: int = 0
    hours_gross: float = 0.0
    hours_net: float = 0.0
    paths: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return self.__dict__.copy()


def _step(number: int, title: str) -> None:
    console.rule(f"[bold]{number}. {title}")


def start_core_system(demo_dir: Path, port: int):
    from samples.core_system.process import CoreSystemProcess

    core = CoreSystemProcess(db=demo_dir / "core_system.db", port=port, inspect=True, seed=1)
    core.start()
    console.print(f"見本基幹システム: {core.url}  (ユーザー {DEMO_USER})")
    return core


def generate_forms(core, scans_dir: Path, count: int) -> list[Path]:
    from samples.forms.generator import generate_batch

    households = core.inspect("households")
    # a deterministic, spread-out choice of households
    step = max(1, len(households) // max(count, 1))
    chosen = households[::step][:count]
    files = generate_batch(chosen, scans_dir, count=count, seed=2026, hard_cases=True)
    console.print(f"{len(files)} ファイルを生成しました: {scans_dir}")
    return files


def read_forms(scans_dir: Path, rows_path: Path, registry_url: str, workers: int):
    import ocr

    return ocr.extract(
        [scans_dir],
        template="benefit-application",
        out=rows_path,
        workers=workers,
        registry=registry_url,
        progress=True,
    )


def load_truth(truth_dir: Path) -> dict[tuple[str, int], dict]:
    """Ground truth per (source file, page), as written by the sample-form generator."""
    truth: dict[tuple[str, int], dict] = {}
    for path in sorted(truth_dir.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        pages = data if isinstance(data, list) else [data]
        for number, page in enumerate(pages, start=1):
            if page.get("form"):
                fields = {k: v for k, v in page.items() if k not in ("form", "page", "_meta", "expected")}
                truth[(path.name.removesuffix(".json"), int(page.get("page", number)))] = fields
    return truth


def review(rows_path: Path, review_path: Path, truth_dir: Path, confirmed_path: Path) -> int:
    """Export, let a *simulated* reviewer type the true values into flagged cells, import."""
    from ocr.review import export_review, fill_review, import_review

    export_review(rows_path, review_path)
    console.print(f"確認用ワークブック: {review_path}")
    console.print("[yellow]※ ここからは模擬です: 確認が必要な項目に、正解データの値を入力します (simulation)[/]")
    changed = fill_review(review_path, load_truth(truth_dir), reviewer="確認者（模擬）")
    import_review(review_path, confirmed_path)
    console.print(f"確認済みデータ: {confirmed_path}")
    return changed


def register(confirmed_path: Path, core_url: str, results_path: Path):
    from robots import run_scenario

    os.environ.setdefault("CORE_USER", DEMO_USER)
    os.environ.setdefault("CORE_PASSWORD", DEMO_PASSWORD)
    return run_scenario(
        SCENARIO,
        input_path=confirmed_path,
        overrides={"core_url": core_url},
        workers=2,
        out=results_path,
        progress=True,
    )


def hours_report(html_path: Path, xlsx_path: Path) -> tuple[float, float]:
    from scheduler.report import build_report, fiscal_year, write_html, write_xlsx

    report = build_report(fiscal_year(date.today()))
    write_xlsx(report, xlsx_path)
    write_html(report, html_path)
    gross = sum(line.gross_hours for line in report.totals)
    net = sum(line.net_hours for line in report.totals)
    return gross, net


def run_demo(forms: int = 30, port: int = 0, workers: int = 2, settings: Settings | None = None) -> int:
    summary = collect_demo(forms=forms, port=port, workers=workers, settings=settings)
    print_summary(summary)
    return 0


def collect_demo(forms: int = 30, port: int = 0, workers: int = 2, settings: Settings | None = None) -> DemoSummary:
    settings = settings or get_settings()
    started = time.perf_counter()
    demo_dir = settings.data_dir / "demo"
    demo_dir.mkdir(parents=True, exist_ok=True)
    scans_dir = demo_dir / "scans"
    paths = {
        "rows": demo_dir / "rows.jsonl",
        "review": demo_dir / "review.xlsx",
        "confirmed": demo_dir / "confirmed.jsonl",
        "results": demo_dir / "results.xlsx",
        "hours_html": demo_dir / "hours_report.html",
        "hours_xlsx": demo_dir / "hours_report.xlsx",
    }
    summary = DemoSummary()

    _step(1, "見本基幹システムを起動")
    core = start_core_system(demo_dir, port)
    try:
        _step(2, "記入済み申請書のスキャン画像を生成 (正解データは別に保存)")
        files = generate_forms(core, scans_dir, forms)
        summary.forms_generated = forms
        summary.files = len(files)

        _step(3, "OCR で読み取り (住民記録と照合)")
        read_forms(scans_dir, paths["rows"], core.url + "/__inspect/households", workers)
        rows = [json.loads(line) for line in paths["rows"].read_text(encoding="utf-8").splitlines() if line]
        summary.pages = len(rows)
        for row in rows:
            if row["status"] == "ok":
                summary.pages_ok += 1
                n_fields = len(row.get("confidence", {}))
                summary.fields_total += n_fields
                summary.fields_reviewed += len(row.get("review", []))
            else:
                reason = row["status"]
                summary.pages_rejected.setdefault(reason, []).append(f"{row['source']} p{row['page']}")
        summary.fields_auto_accepted = summary.fields_total - summary.fields_reviewed

        import ocr

        scores = ocr.evaluate(scans_dir / "truth", paths["rows"])
        summary.ocr_accuracy = float(scores["overall"].get("accuracy") or 0.0)
        summary.ocr_accuracy_accepted = 1.0 - float(scores.get("accepted_error_rate") or 0.0)
        summary.straight_through_rate = float(scores.get("straight_through_rate") or 0.0)

        _step(4, "確認用ワークブックの出力 → 模擬確認 → 取り込み")
        summary.corrections = review(paths["rows"], paths["review"], scans_dir / "truth", paths["confirmed"])

        _step(5, "ロボットで基幹システムに登録")
        result = register(paths["confirmed"], core.url, paths["results"])
        summary.items_registered = result.totals.get("done", 0)
        summary.items_skipped_already_done = result.totals.get("skipped", 0)
        summary.items_failed = sum(result.totals.get(k, 0) for k in ("business_error", "system_error", "in_doubt"))
        summary.paths["run_id"] = result.run_id
        registered = core.inspect("applications")
        summary.paths["core_applications"] = str(len(registered))
    finally:
        core.stop()

    _step(6, "削減時間の集計")
    summary.hours_gross, summary.hours_net = hours_report(paths["hours_html"], paths["hours_xlsx"])
    summary.paths.update({k: str(v) for k, v in paths.items()})
    summary.seconds = time.perf_counter() - started
    (demo_dir / "summary.json").write_text(
        json.dumps(summary.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return summary


def print_summary(s: DemoSummary) -> None:
    table = Table(title="デモの結果 (summary)", show_header=False)
    table.add_column("項目")
    table.add_column("値", justify="right")
    rejected = ", ".join(f"{k}: {len(v)}" for k, v in s.pages_rejected.items()) or "なし"
    rows = [
        ("生成した申請書 / ファイル", f"{s.forms_generated} / {s.files}"),
        ("読み取ったページ (正常)", f"{s.pages} ({s.pages_ok})"),
        ("除外したページ (理由別)", rejected),
        ("自動確定した項目", f"{s.fields_auto_accepted} / {s.fields_total}"),
        ("確認に回した項目", str(s.fields_reviewed)),
        ("自動確定率 (straight-through)", f"{s.straight_through_rate:.1%}"),
        ("確認で修正した項目 (模擬)", str(s.corrections)),
        ("OCR 正解率 (全項目)", f"{s.ocr_accuracy:.1%}"),
        ("OCR 正解率 (自動確定分)", f"{s.ocr_accuracy_accepted:.2%}"),
        ("今回登録した申請", str(s.items_registered)),
        ("登録済みのため省略", str(s.items_skipped_already_done)),
        ("登録できなかった申請", str(s.items_failed)),
        ("削減時間 (総 / 純)", f"{s.hours_gross:.1f} 時間 / {s.hours_net:.1f} 時間"),
        ("所要時間", f"{s.seconds:.0f} 秒"),
    ]
    for k, v in rows:
        table.add_row(k, v)
    console.print(table)
    for label, key in (
        ("確認用ワークブック", "review"),
        ("登録結果", "results"),
        ("削減時間レポート (HTML)", "hours_html"),
    ):
        console.print(f"{label}: {s.paths.get(key, '')}")
    for reason, sources in s.pages_rejected.items():
        console.print(f"  除外 {reason}: {', '.join(sources)}")
