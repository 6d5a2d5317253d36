"""Robot commands: run, scenario, runs, evidence. Heavy modules are imported inside commands."""

from __future__ import annotations

import json
from pathlib import Path

import typer

EXIT_ITEMS_FAILED = 1


def _console():
    from rich.console import Console

    return Console(highlight=False)


def run_command(
    scenario: Path = typer.Argument(..., help="シナリオファイル (YAML)"),
    input: Path | None = typer.Option(None, "--input", "-i", help="入力ファイル (xlsx / csv / jsonl)"),
    set_: list[str] = typer.Option([], "--set", help="シナリオの変数を上書き NAME=VALUE（複数可）"),
    workers: int = typer.Option(1, "--workers", "-w", min=1, max=16, help="同時に動かすブラウザーの数"),
    headed: bool = typer.Option(False, "--headed", help="ブラウザーの画面を表示する"),
    slow_mo: int = typer.Option(0, "--slow-mo", min=0, help="操作ごとに待つ時間 (ミリ秒)"),
    dry_run: bool = typer.Option(False, "--dry-run", help="実行せず、処理する件数だけ確かめる"),
    retry_failed: bool = typer.Option(False, "--retry-failed", help="前回エラーになった件をもう一度処理する"),
    out: Path | None = typer.Option(None, "--out", help="結果ブックの保存先 (.xlsx)"),
    no_progress: bool = typer.Option(False, "--no-progress", help="進み具合の表示をしない"),
) -> None:
    """シナリオを入力の 1 行ずつ実行します（登録済みの件は飛ばします）。"""
    from robots.runner import parse_overrides, run_scenario
    from yomikaki.errors import RunAborted

    result = run_scenario(scenario, input_path=input, overrides=parse_overrides(set_), workers=workers,
                          headed=headed, slow_mo=slow_mo, dry_run=dry_run, retry_failed=retry_failed, out=out,
                          progress=not no_progress)
    console = _console()
    t = result.totals
    if result.status == "dry_run":
        console.print(f"[確認のみ] {result.scenario}: 全 {t['total']} 件 — 処理する {t['to_process']} 件、"
                      f"登録済みで飛ばす {t['skipped']} 件、要確認 {t['held']} 件")
        return
    console.print(f"実行 {result.run_id}: {result.scenario} — 全 {t['total']} 件: 完了 {t['done']}、"
                  f"前回までに完了 {t['skipped']}、業務エラー {t['business_error']}、"
                  f"システムエラー {t['system_error']}、要確認 {t['in_doubt']}、未処理 {t['pending']}")
    console.print(f"結果ブック: {result.results_path}")
    console.print(f"実行ログ: {result.log_path}")
    if result.held:
        console.print(f"[要確認] 結果が分からない件（人が確かめてください）: {', '.join(result.held[:20])}")
    if result.status in ("aborted", "interrupted"):
        raise RunAborted(result.message or result.status)
    if not result.ok:
        raise typer.Exit(EXIT_ITEMS_FAILED)


def scenario_check(
    files: list[Path] = typer.Argument(..., help="シナリオファイル（複数可）"),
    input: Path | None = typer.Option(None, "--input", "-i", help="列名の確認に使う入力ファイル"),
) -> None:
    """シナリオの書き方・ステップ名・ロケーター・テンプレートの変数を確かめます。"""
    from robots.checks import check_scenario
    from robots.inputs import load_rows
    from robots.loader import load_scenario
    from yomikaki.errors import InputError, ValidationFailed

    failed = 0
    for file in files:
        try:
            scenario = load_scenario(file)
            columns = None
            source = input
            if source is None and scenario.spec.input and scenario.spec.input.file \
                    and "{{" not in scenario.spec.input.file:
                candidate = file.parent / scenario.spec.input.file
                source = candidate if candidate.exists() else None
            if source is not None:
                columns, _ = load_rows(source, scenario.spec.input)
            problems = check_scenario(scenario, columns)
        except ValidationFailed as exc:
            problems = exc.problems
        except InputError as exc:
            problems = [exc.message]
        if problems:
            failed += 1
            for problem in problems:
                typer.echo(problem)  # one line each, never wrapped: editors jump to file:line:column
        else:
            typer.echo(f"{file}: OK")
    if failed:
        raise typer.Exit(2)


def scenario_schema(out: Path | None = typer.Option(None, "--out", "-o", help="保存先（省略時は画面に出力）")) -> None:
    """エディター（VS Code の YAML 拡張など）の入力補完に使う JSON Schema を出力します。"""
    from robots.schema import scenario_schema as build

    text = json.dumps(build(), ensure_ascii=False, indent=2)
    if out:
        out.write_text(text + "\n", encoding="utf-8")
        typer.echo(f"{out} に書きました")
    else:
        typer.echo(text)


def scenario_from_codegen(
    recorded: Path = typer.Argument(..., help="playwright codegen --target python で記録したファイル"),
    out: Path | None = typer.Option(None, "--out", "-o", help="保存先 (.yaml)"),
) -> None:
    """playwright codegen の記録をシナリオのステップに変換します。"""
    from robots.codegen import from_codegen

    text = from_codegen(recorded)
    if out:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"{out} に書きました")
    else:
        typer.echo(text)


def runs_list(limit: int = typer.Option(20, "--limit", "-n", help="表示する件数")) -> None:
    """最近の実行を一覧します。"""
    from sqlalchemy import select

    from robots.queue import RobotRun
    from yomikaki.db import session_scope

    with session_scope() as session:
        runs = list(session.scalars(select(RobotRun).order_by(RobotRun.started_at.desc()).limit(limit)))
    if not runs:
        typer.echo("実行の記録はまだありません")
    for run in runs:  # one plain line per run: readable in any terminal width, easy to grep
        typer.echo(f"{run.id}  {RUN_STATUS_JA.get(run.status, run.status)}  {run.started_at:%Y-%m-%d %H:%M}  "
                   f"完了 {run.done + run.skipped}/{run.total}  業務エラー {run.business_errors}  "
                   f"システムエラー {run.system_errors}  要確認 {run.in_doubt}  {run.scenario}")


RUN_STATUS_JA = {"running": "実行中", "completed": "完了", "aborted": "停止（エラー多発）", "interrupted": "中断"}


def runs_show(run_id: str = typer.Argument(..., help="実行 ID（runs list の「実行」）")) -> None:
    """1 回の実行の内容と、エラー・要確認の件を表示します。"""
    from sqlalchemy import select

    from robots.queue import STATUS_JA, RobotRun, WorkItem
    from yomikaki.db import session_scope
    from yomikaki.errors import InputError
    from yomikaki.redaction import redact

    with session_scope() as session:
        run = session.get(RobotRun, run_id)
        if run is None:
            matches = session.scalars(select(RobotRun).where(RobotRun.id.like(f"{run_id}%"))).all()
            if len(matches) != 1:
                raise InputError(f"実行 {run_id} が見つかりません", hint="yomikaki runs list で ID を確かめてください")
            run = matches[0]
        typer.echo(f"実行 {run.id}  {run.scenario}（{run.scenario_path}）")
        ended = f"  終了 {run.ended_at:%H:%M:%S}" if run.ended_at else ""
        typer.echo(f"状態: {RUN_STATUS_JA.get(run.status, run.status)}  開始 {run.started_at:%Y-%m-%d %H:%M:%S}{ended}")
        typer.echo(f"全 {run.total} 件: 完了 {run.done}、前回まで {run.skipped}、業務エラー {run.business_errors}、"
                   f"システムエラー {run.system_errors}、要確認 {run.in_doubt}")
        if run.message:
            typer.echo(f"メッセージ: {run.message}")
        typer.echo(f"結果ブック: {run.results_path}\n実行ログ: {run.log_path}")
        items = session.scalars(select(WorkItem).where(WorkItem.run_id == run.id, WorkItem.status != "done")).all()
        if items:
            typer.echo("完了していない件:")
        for item in items:
            evidence = f"  証跡 {item.evidence}" if item.evidence else ""
            typer.echo(f"  {item.reference}  {STATUS_JA.get(item.status, item.status)}  試行 {item.attempts}  "
                       f"{redact(item.error or '')}{evidence}")


def runs_resolve(
    scenario: Path = typer.Argument(..., help="シナリオファイル"),
    reference: str = typer.Argument(..., help="件の参照キー（例: 申請書番号）"),
    done: bool = typer.Option(False, "--done", help="人が確かめた結果、登録済みだった"),
    retry: bool = typer.Option(False, "--retry", help="人が確かめた結果、未登録だった（次の実行で処理する）"),
    note: str = typer.Option("", "--note", help="確認した内容のメモ（受付番号など）"),
) -> None:
    """要確認（結果不明）の件を、人が確かめた結果で「完了」または「未処理」にします。"""
    from sqlalchemy import select

    from robots.loader import load_scenario
    from robots.queue import WorkItem, now
    from yomikaki.audit import record
    from yomikaki.db import session_scope
    from yomikaki.errors import InputError

    if done == retry:
        raise InputError("--done か --retry のどちらか一方を指定してください")
    queue = load_scenario(scenario).queue_name
    with session_scope() as session:
        item = session.scalar(select(WorkItem).where(WorkItem.queue == queue, WorkItem.reference == reference))
        if item is None or item.status != "in_doubt":
            state = "ありません" if item is None else f"要確認ではありません（{item.status}）"
            raise InputError(f"{queue} の件 {reference} は{state}")
        item.status, item.needs_check, item.updated_at = ("done" if done else "new"), False, now()
        item.error = f"人が確認: {note}" if note else "人が確認"
        if retry:
            item.attempts = 0
        else:
            item.outputs = {**(item.outputs or {}), "確認メモ": note}
    record("robot.resolve", f"{queue}/{reference}", result="done" if done else "retry", note=note)
    typer.echo(f"{reference} を「{'完了' if done else '未処理'}」にしました")


def evidence_purge(
    days: int | None = typer.Option(None, "--days", min=0, help="この日数より古い証跡を消す（既定: 設定の保存期間）"),
) -> None:
    """保存期間を過ぎた証跡（画面写真・トレース・HTML）を削除します。"""
    from robots.evidence import purge
    from yomikaki.audit import record
    from yomikaki.settings import get_settings

    settings = get_settings()
    retention = settings.robots.evidence_retention_days if days is None else days
    removed = purge(settings.evidence_dir, retention)
    record("evidence.purge", str(settings.evidence_dir), retention_days=retention, removed=len(removed))
    typer.echo(f"{len(removed)} 件の実行の証跡を削除しました（保存期間 {retention} 日）")


def register(app: typer.Typer) -> None:
    app.command("run", help="シナリオを入力の 1 行ずつ実行します（登録済みの件は飛ばします）。")(run_command)
    scenario_app = typer.Typer(help="シナリオファイルの検査・スキーマ出力・記録からの変換", no_args_is_help=True)
    scenario_app.command("check")(scenario_check)
    scenario_app.command("schema")(scenario_schema)
    scenario_app.command("from-codegen")(scenario_from_codegen)
    app.add_typer(scenario_app, name="scenario")
    runs_app = typer.Typer(help="ロボットの実行履歴", no_args_is_help=True)
    runs_app.command("list")(runs_list)
    runs_app.command("show")(runs_show)
    runs_app.command("resolve")(runs_resolve)
    app.add_typer(runs_app, name="runs")
    evidence_app = typer.Typer(help="失敗時の証跡（画面写真・トレース）", no_args_is_help=True)
    evidence_app.command("purge")(evidence_purge)
    app.add_typer(evidence_app, name="evidence")
