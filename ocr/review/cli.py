"""`yomikaki ocr review …`: export / import / stats / compare. Heavy imports happen inside commands."""

from __future__ import annotations

from pathlib import Path

import typer


def register(ocr_app: typer.Typer) -> None:
    review_app = typer.Typer(help="確認用ワークブック（Excel）の作成・取り込み・集計・二重入力の比較",
                             no_args_is_help=True)

    @review_app.command("export")
    def export_cmd(
        rows: Path = typer.Argument(..., help="OCR 結果 (yomikaki ocr extract の rows.jsonl)"),
        out: Path = typer.Option(..., "--out", "-o", help="作る確認用ワークブック (.xlsx)"),
        page_images: Path | None = typer.Option(None, "--page-images",
                                                help="ページ画像が rows.jsonl にないとき、スキャン画像のフォルダ"),
    ) -> None:
        """OCR 結果から確認用ワークブックを作ります。"""
        from ocr.review.export import export_review

        s = export_review(rows, out, page_images_dir=page_images)
        typer.echo(f"確認用ワークブックを作りました: {s.workbook}")
        typer.echo(f"  申請書 {s.forms} 件 / 要確認の項目 {s.fields_to_review} / 値のある項目 {s.fields}"
                   f" / 読み取り不可 {s.unreadable} ページ / エクスポートID {s.export_id}")
        if s.images_dir:
            typer.echo(f"  ページ画像: {s.images_dir}（ワークブックと一緒に渡してください）")

    @review_app.command("import")
    def import_cmd(
        workbook: Path = typer.Argument(..., help="確認の済んだワークブック (.xlsx)"),
        out: Path = typer.Option(..., "--out", "-o", help="確定データ (.jsonl / .csv / .xlsx)"),
        partial: bool = typer.Option(False, "--partial",
                                     help="エラーのない行だけ書き出し、エラーの行は別のワークブックに理由付きで出します"),
    ) -> None:
        """確認済みのワークブックを検査して取り込み、確定データを書き出します。"""
        from ocr.review.importer import import_review

        r = import_review(workbook, out, partial=partial)
        typer.echo(f"取り込みました: {r.out}（{r.rows_accepted} 件確定 / 修正 {r.corrections} 項目"
                   f" / 最終更新者 {r.modified_by or '不明'}）")
        if r.replaced_earlier_import:
            typer.echo(f"  このエクスポート（ID {r.export_id}）は以前にも取り込まれています。修正の記録は今回の内容で置き換えました")
        if r.rows_rejected:
            typer.echo(f"取り込めなかった行が {r.rows_rejected} 件あります: {r.rejected_workbook}", err=True)
            for problem in r.problems:
                typer.echo(f"  {problem}", err=True)

    @review_app.command("stats")
    def stats_cmd() -> None:
        """項目ごとに、確認者が OCR の値を直した割合（実際の読み取り精度）を表示します。"""
        import shutil

        from rich.console import Console
        from rich.table import Table

        from ocr.review.corrections import stats
        from ocr.review.layout import MEMBER_FIELDS, TOP_FIELDS

        labels = {k: v for k, v, _ in TOP_FIELDS} | {f"members.{k}": f"世帯員 {v}" for k, v, _ in MEMBER_FIELDS}

        rows = stats()
        if not rows:
            typer.echo("まだ取り込まれた確認結果がありません")
            return
        table = Table(title="確認結果の集計（項目別）")
        for header in ("項目", "キー", "件数", "要確認", "修正", "修正率", "要確認で修正", "自動確定で修正"):
            table.add_column(header, justify="left" if header in ("項目", "キー") else "right")
        for s in rows:
            table.add_row(labels.get(s.field, s.field), s.field, str(s.checked), str(s.flagged), str(s.changed),
                          f"{s.change_rate:.1%}", str(s.changed_flagged), str(s.changed_unflagged))
        Console(width=max(130, shutil.get_terminal_size().columns)).print(table)

    @review_app.command("compare")
    def compare_cmd(
        a: Path = typer.Argument(..., help="入力者A のワークブック"),
        b: Path = typer.Argument(..., help="入力者B のワークブック（同じエクスポート）"),
        out: Path = typer.Option(..., "--out", "-o", help="不一致の一覧 (.xlsx)"),
    ) -> None:
        """二重入力: 同じエクスポートを二人が確認したワークブックを比べ、不一致の一覧を作ります。"""
        from ocr.review.compare import compare_reviews

        r = compare_reviews(a, b, out)
        typer.echo(f"比較しました: {r.fields_compared} 項目中 {r.disagreements} 項目が不一致 → {r.out}")

    ocr_app.add_typer(review_app, name="review")
