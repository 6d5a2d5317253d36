"""Misc: fail (business error), log, screenshot, sleep, python (module:function)."""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import inspect
import logging
from pathlib import Path
from typing import Any

from pydantic import Field

from robots.errors import BusinessError, SystemError_
from robots.steps.base import Params, Step, register


class FailParams(Params):
    message: str = Field(description="業務エラーのメッセージ（結果ブックに出る）")
    code: str | None = None


@register
class Fail(Step):
    name, family, Params, shorthand = "fail", "misc", FailParams, "message"
    summary = "業務エラーにしてこの件を終える（再試行しない）"

    async def run(self, ctx, call):
        raise BusinessError(str(ctx.render(call.params.message)), code=call.params.code)


class LogParams(Params):
    message: str


@register
class Log(Step):
    name, family, Params, shorthand = "log", "misc", LogParams, "message"
    summary = "実行ログにメッセージを書く（個人情報は自動で伏せ字）"

    async def run(self, ctx, call):
        ctx.note(str(ctx.render(call.params.message)), level=logging.INFO)


class ScreenshotParams(Params):
    name: str = Field("screenshot", description="ファイル名（拡張子なし）")
    full_page: bool = True


@register
class Screenshot(Step):
    name, family, Params, shorthand = "screenshot", "misc", ScreenshotParams, "name"
    summary = "画面写真を撮る（mask の箇所は黒塗り）"

    async def run(self, ctx, call):
        from robots.evidence import masked_screenshot

        name = str(ctx.render(call.params.name))
        path = ctx.work_dir / f"{name}.png"
        await masked_screenshot(ctx, path, full_page=call.params.full_page)
        ctx.locals.setdefault("screenshots", []).append(str(path))


class SleepParams(Params):
    ms: int = Field(description="待つ時間（ミリ秒）")


@register
class Sleep(Step):
    name, family, Params, shorthand = "sleep", "misc", SleepParams, "ms"
    summary = "決まった時間だけ待つ（できれば wait_for を使う）"

    async def run(self, ctx, call):
        await asyncio.sleep(call.params.ms / 1000)


class PythonParams(Params):
    function: str = Field(description="'module:function' または 'file.py:function'（シナリオからの相対）")
    args: dict[str, Any] = Field(default_factory=dict, description="キーワード引数（テンプレート可）")
    as_: str | None = Field(None, alias="as", description="戻り値を入れる変数名")
    save: str | None = Field(None, description="戻り値を書く結果の列名")


def load_function(spec: str, base: Path):
    target, _, attr = spec.rpartition(":")
    if not target or not attr:
        raise ValueError(f"'module:function' の形で書いてください: {spec!r}")
    if target.endswith(".py"):
        path = (base / target).resolve()
        module_spec = importlib.util.spec_from_file_location(f"scenario_ext_{path.stem}", path)
        if module_spec is None or module_spec.loader is None:
            raise ValueError(f"ファイルを読み込めません: {path}")
        module = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(module)
    else:
        module = importlib.import_module(target)
    return getattr(module, attr)


@register
class Python(Step):
    name, family, Params, shorthand = "python", "misc", PythonParams, "function"
    summary = "YAML で書けない処理を Python 関数で行う: fn(page, item, **args)"

    async def run(self, ctx, call):
        from robots.steps.extraction import keep

        p = call.params
        try:
            fn = load_function(p.function, ctx.scenario.path.parent)
        except Exception as exc:  # noqa: BLE001
            raise SystemError_(f"Python 関数 {p.function} を読み込めません: {exc}", code="python") from exc
        kwargs = {k: ctx.render_native(v) for k, v in p.args.items()}
        params = inspect.signature(fn).parameters
        extras = {"context": ctx, "vars": ctx.vars, "outputs": ctx.outputs, "work_dir": ctx.work_dir}
        for name, value in extras.items():
            if name in params and name not in kwargs:
                kwargs[name] = value
        result = fn(ctx.page, ctx.item, **kwargs)
        if inspect.isawaitable(result):
            result = await result
        if p.as_ or p.save:
            keep(ctx, p.as_, p.save, result)


class RetryParams(Params):
    message: str = Field(description="システムエラーのメッセージ")


@register
class Retry(Step):
    name, family, Params, shorthand = "retry", "misc", RetryParams, "message"
    summary = "システムエラーにする（画面を開き直し、ログインし直して、この件をやり直す）"

    async def run(self, ctx, call):
        raise SystemError_(str(ctx.render(call.params.message)), code="retry")
