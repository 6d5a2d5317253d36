"""Files: download (click and save what the browser receives), upload."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field

from robots.steps.base import Step, register
from robots.steps.extraction import keep
from robots.steps.targets import Target, locate
from yomikaki.paths import private_dir, private_file


class DownloadParams(Target):
    save_as: str | None = Field(None, description="保存先（相対パスは実行の出力フォルダー内）")
    as_: str | None = Field(None, alias="as", description="保存したファイルのパスを入れる変数名")
    save: str | None = Field(None, description="保存先パスを書く結果の列名")


@register
class Download(Step):
    name, family, Params = "download", "files", DownloadParams
    summary = "ボタン・リンクを押してダウンロードしたファイルを保存する"

    async def run(self, ctx, call):
        p = call.params
        locator = await locate(ctx, p)
        async with ctx.page.expect_download(timeout=ctx.timeout_ms) as info:
            await locator.click(timeout=ctx.timeout_ms)
        download = await info.value
        name = ctx.render(p.save_as) if p.save_as else download.suggested_filename
        target = Path(name)
        if not target.is_absolute():
            target = ctx.work_dir / target
        private_dir(target.parent)
        await download.save_as(target)
        private_file(target)
        ctx.note(f"ダウンロードしました: {target.name}")
        keep(ctx, p.as_ or "downloaded", p.save, str(target))


class UploadParams(Target):
    files: Any = Field(description="アップロードするファイル（1 つ、またはリスト）")


@register
class Upload(Step):
    name, family, Params = "upload", "files", UploadParams
    summary = "ファイル選択欄にファイルを入れる"

    async def run(self, ctx, call):
        files = ctx.render_native(call.params.files)
        files = [files] if isinstance(files, str | Path) else list(files)
        await (await locate(ctx, call.params)).set_input_files([str(f) for f in files], timeout=ctx.timeout_ms)
