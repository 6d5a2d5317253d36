"""Hours-saved report: per process and month, totals per fiscal year (April–March).

Savings are recomputed from each run with the baseline valid on the run's date (so a
baseline entered later with an earlier effective date is honoured). Outputs: rows for the
terminal, an xlsx (monthly rows, fiscal-year totals, an openpyxl bar chart) and a
self-contained HTML page with the same chart as inline SVG (no external JS or CSS).
"""

from __future__ import annotations

import html
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from scheduler import ledger
from yomikaki.exports import set_cell_text
from yomikaki.settings import Settings


def fiscal_year(day: date) -> int:
    """FY2026 = 2026-04-01 … 2027-03-31."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_bounds(year: int) -> tuple[date, date]:
    return date(year, 4, 1), date(year + 1, 3, 31)


@dataclass
class Line:
    fiscal_year: int
    month: str  # "2026-04"; "" for totals
    process_id: str
    name: str
    runs: int = 0
    items_done: int = 0
    items_failed: int = 0
    gross_hours: float = 0.0
    overhead_hours: float = 0.0  # review + exception handling
    net_hours: float = 0.0
    baselines: list[float] = field(default_factory=list)

    def add(self, other: Line) -> None:
        self.runs += other.runs
        self.items_done += other.items_done
        self.items_failed += other.items_failed
        self.gross_hours += other.gross_hours
        self.overhead_hours += other.overhead_hours
        self.net_hours += other.net_hours
        for b in other.baselines:
            if b not in self.baselines:
                self.baselines.append(b)

    @property
    def baseline_text(self) -> str:
        return "→".join(f"{b:g}" for b in self.baselines)


@dataclass
class Report:
    monthly: list[Line]  # one per process and month
    by_process: list[Line]  # one per process and fiscal year
    by_month: list[Line]  # one per month (all processes)
    totals: list[Line]  # one per fiscal year


def build_report(fiscal_year_filter: int | None = None, settings: Settings | None = None) -> Report:
    start, end = fiscal_bounds(fiscal_year_filter) if fiscal_year_filter else (None, None)
    names = ledger.process_names(settings)
    history: dict[str, list[ledger.Baseline]] = defaultdict(list)
    for row in ledger.baselines(settings=settings):
        history[row.process_id].append(row)
    cells: dict[tuple[int, str, str], Line] = {}
    for run in ledger.runs(start, end, settings):
        savings = ledger.compute_savings(
            items_done=run.items_done,
            items_failed=run.items_failed,
            run_manual_minutes=run.run_manual_minutes,
            exception_minutes_given=run.exception_minutes_given,
            review_minutes=run.review_minutes,
            baseline=ledger.baseline_on(history.get(run.process_id, []), run.run_date),
        )
        fy, month = fiscal_year(run.run_date), run.run_date.strftime("%Y-%m")
        one = Line(fy, month, run.process_id, names.get(run.process_id, ""), 1, run.items_done,
                   run.items_failed, savings.gross_hours,
                   (run.review_minutes + savings.exception_minutes) / 60.0, savings.net_hours,
                   [savings.baseline_minutes] if savings.baseline_minutes is not None else [])
        cells.setdefault((fy, month, run.process_id), Line(fy, month, run.process_id, one.name)).add(one)
    monthly = [cells[k] for k in sorted(cells)]
    return Report(monthly, _group(monthly, by="process"), _group(monthly, by="month"), _group(monthly, by="fy"))


def _group(monthly: list[Line], by: str) -> list[Line]:
    groups: dict[tuple, Line] = {}
    for line in monthly:
        if by == "process":
            key = (line.fiscal_year, line.process_id)
            target = groups.setdefault(key, Line(line.fiscal_year, "", line.process_id, line.name))
        elif by == "month":
            key = (line.fiscal_year, line.month)
            target = groups.setdefault(key, Line(line.fiscal_year, line.month, "", ""))
        else:
            key = (line.fiscal_year,)
            target = groups.setdefault(key, Line(line.fiscal_year, "", "", "合計"))
        target.add(line)
    return [groups[k] for k in sorted(groups)]


def _r(value: float) -> float:
    return round(value, 2)


# -- xlsx --------------------------------------------------------------------------------------
MONTHLY_HEADER = ["年度", "月", "業務ID", "業務名", "実行回数", "処理件数", "失敗件数",
                  "基準時間(分/件)", "削減時間(総, h)", "確認・例外対応(h)", "削減時間(純, h)"]


def write_xlsx(report: Report, path: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "月別"
    _rows(ws, MONTHLY_HEADER, [
        [f"{line.fiscal_year}年度", line.month, line.process_id, line.name, line.runs, line.items_done,
         line.items_failed, line.baseline_text, _r(line.gross_hours), _r(line.overhead_hours),
         _r(line.net_hours)] for line in report.monthly
    ])
    totals = wb.create_sheet("年度合計")
    body = [[f"{line.fiscal_year}年度", line.process_id, line.name, line.runs, line.items_done,
             line.items_failed, _r(line.gross_hours), _r(line.overhead_hours), _r(line.net_hours)]
            for line in report.by_process]
    for line in report.totals:
        body.append([f"{line.fiscal_year}年度", "", f"合計 ({len({p.process_id for p in report.by_process if p.fiscal_year == line.fiscal_year})} 業務)",
                     line.runs, line.items_done, line.items_failed, _r(line.gross_hours),
                     _r(line.overhead_hours), _r(line.net_hours)])
    _rows(totals, ["年度", "業務ID", "業務名", "実行回数", "処理件数", "失敗件数", "削減時間(総, h)",
                   "確認・例外対応(h)", "削減時間(純, h)"], body)
    for row in totals.iter_rows(min_row=len(report.by_process) + 2):
        for cell in row:
            cell.font = Font(bold=True)
    if report.by_process:
        chart = BarChart()
        chart.type = "col"
        chart.title = "業務別 削減時間 (純, 時間)"
        chart.y_axis.title = "時間"
        chart.x_axis.title = "業務"
        n = len(report.by_process)
        chart.add_data(Reference(totals, min_col=9, min_row=1, max_row=n + 1), titles_from_data=True)
        chart.set_categories(Reference(totals, min_col=3, min_row=2, max_row=n + 1))
        chart.width, chart.height = 24, 12
        totals.add_chart(chart, "K2")
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _rows(ws, header: list[str], rows: list[list]) -> None:
    from openpyxl.styles import Font

    for col, title in enumerate(header, start=1):
        cell = ws.cell(row=1, column=col)
        set_cell_text(cell, title)
        cell.font = Font(bold=True)
    for r, values in enumerate(rows, start=2):
        for col, value in enumerate(values, start=1):
            set_cell_text(ws.cell(row=r, column=col), value)
    for col in range(1, len(header) + 1):
        letter = ws.cell(row=1, column=col).column_letter
        ws.column_dimensions[letter].width = 14 if col != 4 else 24
    ws.freeze_panes = "A2"


# -- HTML --------------------------------------------------------------------------------------
def svg_bar_chart(labels: list[str], values: list[float], title: str) -> str:
    width, bar_h, gap, left = 720, 26, 10, 220
    height = 50 + len(values) * (bar_h + gap)
    peak = max([v for v in values if v > 0] or [1.0])
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="{html.escape(title)}" font-family="sans-serif" font-size="13">',
             f'<text x="10" y="20" font-weight="bold">{html.escape(title)}</text>']
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 36 + i * (bar_h + gap)
        w = max(0.0, value) / peak * (width - left - 90)
        parts.append(f'<text x="{left - 8}" y="{y + 18}" text-anchor="end">{html.escape(label)}</text>')
        parts.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="#2f6db5"/>')
        parts.append(f'<text x="{left + w + 6:.1f}" y="{y + 18}">{value:,.1f}</text>')
    parts.append("</svg>")
    return "".join(parts)


def write_html(report: Report, path: Path, title: str = "業務別 削減時間") -> Path:
    sections = []
    for total in report.totals:
        lines = [p for p in report.by_process if p.fiscal_year == total.fiscal_year]
        chart = svg_bar_chart([p.name or p.process_id for p in lines], [p.net_hours for p in lines],
                              f"{total.fiscal_year}年度 業務別 削減時間 (純, 時間)")
        rows = "".join(
            f"<tr><td>{html.escape(p.process_id)}</td><td>{html.escape(p.name)}</td><td>{p.runs}</td>"
            f"<td>{p.items_done:,}</td><td>{p.items_failed:,}</td><td>{p.gross_hours:,.1f}</td>"
            f"<td>{p.overhead_hours:,.1f}</td><td>{p.net_hours:,.1f}</td></tr>" for p in lines
        )
        sections.append(
            f"<h2>{total.fiscal_year}年度 ({total.fiscal_year}年4月〜{total.fiscal_year + 1}年3月): "
            f"{len(lines)} 業務、削減 {total.net_hours:,.1f} 時間</h2>{chart}"
            "<table><tr><th>業務ID</th><th>業務名</th><th>実行回数</th><th>処理件数</th><th>失敗件数</th>"
            "<th>削減時間(総)</th><th>確認・例外対応</th><th>削減時間(純)</th></tr>"
            f"{rows}<tr class='total'><td></td><td>合計</td><td>{total.runs}</td><td>{total.items_done:,}</td>"
            f"<td>{total.items_failed:,}</td><td>{total.gross_hours:,.1f}</td>"
            f"<td>{total.overhead_hours:,.1f}</td><td>{total.net_hours:,.1f}</td></tr></table>"
        )
    body = "".join(sections) or "<p>記録された実行はありません。</p>"
    page = (
        "<!DOCTYPE html><html lang='ja'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>body{{font-family:sans-serif;margin:2em}}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #999;padding:4px 8px;"
        "text-align:right}td:nth-child(-n+2){text-align:left}tr.total{font-weight:bold}</style></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path
