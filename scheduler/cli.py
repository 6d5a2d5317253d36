"""Scheduler commands: ``yomikaki schedule …`` and ``yomikaki hours …``.

Heavy modules (APScheduler, openpyxl) are imported inside the commands.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.table import Table

console = Console(highlight=False, soft_wrap=True)

JOBS_OPTION = typer.Option(None, "--jobs", "-j", help="ジョブ定義ファイル (既定: 設定の scheduler.jobs_file)")

STATUS_JA = {"ok": "正常", "failed_items": "一部失敗", "error": "エラー", "interrupted": "中断",
             "missed": "実行漏れ", "running": "実行中", "": "-"}


def _jobs_path(jobs: Path | None) -> Path:
    from yomikaki.settings import get_settings

    return jobs or get_settings().scheduler.jobs_file


def _local(moment: datetime | None, tz: str) -> str:
    from scheduler.calendar import weekday_ja
    from scheduler.state import as_utc

    if moment is None:
        return "-"
    local = as_utc(moment).astimezone(ZoneInfo(tz))
    return f"{local:%Y-%m-%d} ({weekday_ja(local.date())}) {local:%H:%M:%S}"


def _parse_date(value: str | None, label: str) -> date | None:
    from yomikaki.errors import InputError

    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{label} '{value}' は YYYY-MM-DD 形式の日付ではありません") from None


# -- schedule ----------------------------------------------------------------------------------
def check(file: Path = typer.Argument(..., help="ジョブ定義ファイル (YAML)")) -> None:
    """ジョブ定義を検査し、各ジョブの次回実行日を表示します。"""
    from scheduler.jobs_file import load_jobs
    from scheduler.service import horizon_warnings, sync_baselines
    from scheduler.state import now_utc
    from yomikaki.settings import get_settings

    loaded = load_jobs(file)
    table = Table("ID", "業務名", "業務プロセス", "実行条件", "時刻", "次回", "有効")
    now = now_utc()
    for job in loaded.jobs:
        trigger = loaded.trigger(job)
        upcoming = next(iter(trigger.fire_times(now)), None)
        table.add_row(job.id, job.name, job.process, job.when.to_rule().describe(), job.when.at,
                      upcoming[1].describe() if upcoming else "-", "はい" if job.enabled else "いいえ")
    console.print(table)
    for warning in loaded.warnings + horizon_warnings(loaded, now):
        console.print(f"[yellow]注意:[/] {warning}")
    sync_baselines(loaded, get_settings())
    console.print(f"OK: {file} ({len(loaded.jobs)} 件のジョブ)")


def start(
    jobs: Path | None = JOBS_OPTION,
    standby: bool = typer.Option(False, "--standby", help="待機系: 稼働中のスケジューラが止まるまで待って引き継ぐ"),
) -> None:
    """スケジューラを起動します (Ctrl-C / SIGTERM で停止)。"""
    from scheduler.service import Service

    raise typer.Exit(Service(_jobs_path(jobs), standby=standby).run())


def next_runs(
    count: int = typer.Option(12, "--count", "-n", help="表示する件数"),
    job: str | None = typer.Option(None, "--job", help="このジョブだけ"),
    from_: str | None = typer.Option(None, "--from", help="この日から (YYYY-MM-DD)"),
    jobs: Path | None = JOBS_OPTION,
) -> None:
    """今後の実行予定を、曜日と日付がずれた理由つきで表示します。"""
    from scheduler.calendar import confirmed_until
    from scheduler.jobs_file import load_jobs
    from scheduler.state import now_utc

    loaded = load_jobs(_jobs_path(jobs), check_targets=False)
    tz = ZoneInfo(loaded.timezone)
    start_day = _parse_date(from_, "--from")
    start_at = datetime.combine(start_day, datetime.min.time(), tzinfo=tz) if start_day else now_utc()
    horizon = confirmed_until(now_utc().astimezone(tz).date())
    selected = [loaded.job(job)] if job else [j for j in loaded.jobs if j.enabled]
    for spec in selected:
        trigger = loaded.trigger(spec)
        console.print(f"[bold]{spec.id}[/] {spec.name} — {spec.when.to_rule().describe()} {spec.when.at}")
        for i, (fire_time, occurrence) in enumerate(trigger.fire_times(start_at)):
            if i >= count:
                break
            note = "  ※国民の祝日が未確定の年" if fire_time.year > horizon else ""
            time_text = fire_time.strftime("%H:%M") if fire_time.second == 0 else fire_time.strftime("%H:%M:%S")
            console.print(f"  {occurrence.describe()}  {time_text}{note}")


def run_now(
    job_id: str = typer.Argument(..., help="ジョブID"),
    jobs: Path | None = JOBS_OPTION,
) -> None:
    """ジョブを今すぐ1回実行します (記録・警告は定期実行と同じ)。"""
    from scheduler import runner
    from scheduler.jobs_file import load_jobs
    from scheduler.service import sync_baselines
    from scheduler.state import get_state
    from yomikaki.errors import RunAborted
    from yomikaki.procs import pid_alive
    from yomikaki.settings import get_settings

    settings = get_settings()
    loaded = load_jobs(_jobs_path(jobs))
    spec = loaded.job(job_id)
    state = get_state(job_id, settings)
    if state and state.last_status == "running" and state.running_pid and pid_alive(state.running_pid):
        raise RunAborted(f"ジョブ {job_id} は実行中です (pid {state.running_pid})。終わってから実行してください")
    sync_baselines(loaded, settings)
    outcome = runner.run_job(runner.job_payload(spec, loaded.timezone), trigger="run-now")
    console.print(f"{job_id}: {STATUS_JA.get(outcome.status, outcome.status)} "
                  f"(全 {outcome.items_total} 件、完了 {outcome.items_done} 件、失敗 {outcome.items_failed} 件)"
                  + (f" {outcome.message}" if outcome.message else ""))
    if outcome.status == "error":
        raise typer.Exit(1)


def status(
    jobs: Path | None = JOBS_OPTION,
    alerts_count: int = typer.Option(10, "--alerts", help="表示する警告の件数"),
) -> None:
    """スケジューラの状態、各ジョブの前回・次回実行、最近の警告を表示します。"""
    from scheduler.alerts import KINDS, recent_alerts
    from scheduler.jobs_file import load_jobs
    from scheduler.lock import holder, is_active
    from scheduler.service import stored_next_run_times
    from scheduler.state import all_states, as_utc, now_utc
    from yomikaki.db import init_db
    from yomikaki.settings import get_settings

    settings = get_settings()
    init_db(settings)
    loaded = load_jobs(_jobs_path(jobs), check_targets=False)
    tz = loaded.timezone
    row = holder(settings)
    active = is_active(settings)
    if row is None and not active:
        console.print("スケジューラ: 停止中")
    elif row is None:
        console.print("スケジューラ: 稼働中 (詳細不明)")
    else:
        age = (now_utc() - as_utc(row.heartbeat_at)).total_seconds()
        if active is None:
            active = age < settings.scheduler.lock_stale_seconds
        state = "稼働中" if active else "停止中 (前回は正常に終了していません)"
        console.print(f"スケジューラ: {state} (pid {row.pid}, ホスト {row.host}, "
                      f"開始 {_local(row.started_at, tz)}, ハートビート {age:.0f} 秒前)")
    states = all_states(settings)
    stored = stored_next_run_times(settings)
    table = Table("ID", "業務名", "前回開始", "前回結果", "次回 (登録済み)", "次回 (計算)")
    for spec in loaded.jobs:
        state = states.get(spec.id)
        computed = next(iter(loaded.trigger(spec).fire_times(now_utc())), None) if spec.enabled else None
        table.add_row(
            spec.id, spec.name,
            _local(state.last_started_at, tz) if state else "-",
            STATUS_JA.get(state.last_status, state.last_status) if state else "-",
            _local(stored.get(spec.id), tz) if spec.id in stored else ("無効" if not spec.enabled else "未登録"),
            _local(computed[0], tz) if computed else "-",
        )
    console.print(table)
    shown = recent_alerts(alerts_count, settings)
    if shown:
        alert_table = Table("日時", "種類", "ジョブ", "内容")
        for alert in shown:
            alert_table.add_row(_local(alert.at, tz), KINDS.get(alert.kind, alert.kind), alert.job_id, alert.message)
        console.print("最近の警告:")
        console.print(alert_table)
    else:
        console.print("警告はありません")


# -- hours -------------------------------------------------------------------------------------
def report(
    fiscal_year: int | None = typer.Option(None, "--fiscal-year", help="年度 (例: 2026 = 2026年4月〜2027年3月)"),
    by: str = typer.Option("process", "--by", help="集計の単位: process (業務別) または month (月別)"),
    out: Path | None = typer.Option(None, "--out", help="Excel (xlsx) に書き出す"),
    html: Path | None = typer.Option(None, "--html", help="HTML (イントラネット用) に書き出す"),
) -> None:
    """削減時間の報告 (業務別・月別、年度合計)。"""
    from scheduler import report as rep
    from yomikaki.errors import InputError

    if by not in ("process", "month"):
        raise InputError(f"--by '{by}' は使えません (process か month)")
    data = rep.build_report(fiscal_year)
    lines = data.by_process if by == "process" else data.by_month
    table = Table("年度", "業務" if by == "process" else "月", "実行回数", "処理件数", "失敗件数",
                  "削減(総, h)", "確認・例外(h)", "削減(純, h)")
    for line in lines:
        label = (line.name or line.process_id) if by == "process" else line.month
        table.add_row(f"{line.fiscal_year}", label, f"{line.runs}", f"{line.items_done:,}", f"{line.items_failed:,}",
                      f"{line.gross_hours:,.1f}", f"{line.overhead_hours:,.1f}", f"{line.net_hours:,.1f}")
    for total in data.totals:
        processes = len({p.process_id for p in data.by_process if p.fiscal_year == total.fiscal_year})
        table.add_row(f"{total.fiscal_year}", f"合計 ({processes} 業務)", f"{total.runs}", f"{total.items_done:,}",
                      f"{total.items_failed:,}", f"{total.gross_hours:,.1f}", f"{total.overhead_hours:,.1f}",
                      f"{total.net_hours:,.1f}", style="bold")
    console.print(table)
    if not lines:
        console.print("記録された実行はありません" + (f" ({fiscal_year}年度)" if fiscal_year else ""))
    if out:
        rep.write_xlsx(data, out)
        console.print(f"Excel に書き出しました: {out}")
    if html:
        rep.write_html(data, html)
        console.print(f"HTML に書き出しました: {html}")


def baseline_set(
    process_id: str = typer.Argument(..., help="業務プロセスID"),
    minutes: float = typer.Argument(..., help="1件あたりの手作業時間 (分)"),
    effective_from: str = typer.Option(..., "--from", help="この日から適用 (YYYY-MM-DD)"),
    measured_by: str = typer.Option(..., "--by", help="測定した人・課"),
    sample_size: int = typer.Option(..., "--sample-size", help="測定した件数"),
    measured_on: str | None = typer.Option(None, "--measured-on", help="測定日 (YYYY-MM-DD)"),
    exception_minutes: float | None = typer.Option(None, "--exception-minutes",
                                                   help="失敗1件の例外対応時間 (分、既定: 手作業時間と同じ)"),
    note: str = typer.Option("", "--note", help="メモ"),
) -> None:
    """基準時間 (1件あたりの手作業時間) を記録します。過去の値は履歴として残ります。"""
    from scheduler.ledger import set_baseline

    row_id = set_baseline(process_id, minutes, _parse_date(effective_from, "--from"), measured_by, sample_size,
                          _parse_date(measured_on, "--measured-on"), note,
                          exception_minutes_per_item=exception_minutes, source="cli")
    console.print(f"記録しました (#{row_id}): {process_id} {minutes:g} 分/件、{effective_from} から適用")


def baseline_list(process_id: str | None = typer.Argument(None, help="業務プロセスID (省略で全部)")) -> None:
    """基準時間の履歴を表示します。"""
    from scheduler.ledger import baselines

    table = Table("業務プロセス", "分/件", "例外対応(分/件)", "適用開始", "測定日", "測定者", "件数", "出所", "メモ")
    for row in baselines(process_id):
        table.add_row(row.process_id, f"{row.minutes_per_item:g}",
                      "-" if row.exception_minutes_per_item is None else f"{row.exception_minutes_per_item:g}",
                      row.effective_from.isoformat(), row.measured_on.isoformat() if row.measured_on else "-",
                      row.measured_by, str(row.sample_size), row.source, row.note)
    console.print(table)


def register(app: typer.Typer) -> None:
    schedule_app = typer.Typer(help="業務カレンダーに沿った定期実行 (スケジューラ)", no_args_is_help=True)
    app.add_typer(schedule_app, name="schedule")
    schedule_app.command("check")(check)
    schedule_app.command("start")(start)
    schedule_app.command("next")(next_runs)
    schedule_app.command("run-now")(run_now)
    schedule_app.command("status")(status)

    hours_app = typer.Typer(help="削減時間の台帳と報告書", no_args_is_help=True)
    app.add_typer(hours_app, name="hours")
    hours_app.command("report")(report)
    baseline_app = typer.Typer(help="基準時間 (1件あたりの手作業時間) の記録と履歴", no_args_is_help=True)
    hours_app.add_typer(baseline_app, name="baseline")
    baseline_app.command("set")(baseline_set)
    baseline_app.command("list")(baseline_list)

