"""OCR commands: extract, eval, template preview, review. Heavy imports happen inside commands."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    ocr_app = typer.Typer(help="スキャンした申請書の読み取り (OCR)・評価・確認用ワークブック", no_args_is_help=True)
    app.add_typer(ocr_app, name="ocr")

    @ocr_app.command("extract")
    def extract_cmd(
        inputs: list[Path] = typer.Argument(..., help="スキャン画像・PDF・TIFF、またはそれらのフォルダ"),
        template: str = typer.Option("benefit-application", "--template", "-t", help="帳票テンプレート名または YAML"),
        out: Path = typer.Option(..., "--out", "-o", help="結果の JSON Lines ファイル (1 ページ 1 行)"),
        workers: int = typer.Option(1, "--workers", "-w", help="並列に処理するプロセス数"),
        registry: str | None = typer.Option(None, "--registry",
                                            help="住民記録 (サンプルシステムの /__inspect/households の URL、または CSV)"),
        csv: Path | None = typer.Option(None, "--csv", help="同じ結果を CSV にも書き出す"),
        xlsx: Path | None = typer.Option(None, "--xlsx", help="同じ結果を Excel にも書き出す"),
        assets: Path | None = typer.Option(None, "--assets",
                                           help="ページ画像と要確認項目の切り出し画像の保存先 (既定: <out>_assets/)"),
        cluster: str | None = typer.Option(None, "--cluster", help="Dask クラスタのアドレス (tcp://host:8786)"),
        progress: bool = typer.Option(True, "--progress/--no-progress", help="進捗バーを表示する"),
    ) -> None:
        """申請書のスキャンを読み取り、1 ページ 1 行の JSON Lines に書き出します。"""
        from ocr.batch import extract
        from yomikaki.errors import InputError

        missing = [str(p) for p in inputs if not p.exists()]
        if missing:
            raise InputError(f"入力が見つかりません: {', '.join(missing)}")
        s = extract(inputs, template=template, out=out, workers=workers, registry=registry,
                    assets=assets, progress=progress, csv=csv, xlsx=xlsx, cluster=cluster)
        labels = {"ok": "読み取り", "blank": "白紙", "unknown_form": "対象外の書類", "error": "エラー"}
        counts = "、".join(f"{labels.get(k, k)} {v}" for k, v in sorted(s.statuses.items()))
        typer.echo(f"{s.pages} ページを処理しました ({counts})")
        rate = s.straight_through_rate
        typer.echo(f"項目 {s.fields} / 要確認 {s.fields_to_review}"
                   + (f" (自動確定率 {rate * 100:.1f}%)" if rate is not None else ""))
        typer.echo(f"結果: {s.out}")

    @ocr_app.command("eval")
    def eval_cmd(
        truth: Path = typer.Option(..., "--truth", help="正解 JSON のフォルダ (truth/)"),
        pred: Path = typer.Option(..., "--pred", help="ocr extract の結果 (rows.jsonl)"),
        json_out: Path | None = typer.Option(None, "--json", help="結果を JSON でも保存する"),
    ) -> None:
        """読み取り結果を正解と比べ、項目ごとの正解率・自動確定率・確定内誤り率を表示します。"""
        import json

        from ocr.evaluation import evaluate, format_report
        from yomikaki.errors import InputError

        if not truth.is_dir():
            raise InputError(f"正解フォルダがありません: {truth}")
        if not pred.exists():
            raise InputError(f"結果ファイルがありません: {pred}")
        result = evaluate(truth, pred)
        typer.echo(format_report(result))
        if json_out:
            json_out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
            typer.echo(f"JSON: {json_out}")

    template_app = typer.Typer(help="帳票テンプレート (YAML) の確認", no_args_is_help=True)
    ocr_app.add_typer(template_app, name="template")

    @template_app.command("preview")
    def preview_cmd(
        template: str = typer.Argument(..., help="テンプレート名 (benefit-application) または YAML のパス"),
        scan: Path | None = typer.Argument(None, help="重ねて表示するスキャン (省略時は白紙の様式)"),
        out: Path = typer.Option(Path("preview.png"), "--out", "-o", help="書き出す画像 (PNG)"),
    ) -> None:
        """テンプレートの読み取り枠を、白紙の様式または位置合わせしたスキャンに重ねて描きます。"""
        from ocr.preview import render_preview

        info = render_preview(template, scan, out)
        typer.echo(f"プレビューを書き出しました: {out} ({info})")

    @template_app.command("check")
    def check_cmd(template: str = typer.Argument(..., help="テンプレート名または YAML のパス")) -> None:
        """テンプレートを読み込んで誤りがないか確かめます。"""
        from ocr.template import load_template

        tpl = load_template(template)
        typer.echo(f"OK: {tpl.id} ({tpl.title}) 項目 {len(tpl.fields)} 個")

    # --- review sub-group (ocr/review/cli.py, owned by the review workbook) ---------------
    try:
        from ocr.review.cli import register as register_review
    except ImportError:
        register_review = None
    if register_review is not None:
        register_review(ocr_app)
    # --- end of review sub-group -----------------------------------------------------------
