"""Input steps: click, fill, type, select, check, uncheck, set_checked, press, clear."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from robots.steps.base import Step, register
from robots.steps.targets import OptionalTarget, Target, locate
from robots.templating import truthy


class ClickParams(Target):
    button: Literal["left", "right", "middle"] = "left"
    click_count: int = 1
    force: bool = Field(False, description="見えなくても押す（最後の手段）")


@register
class Click(Step):
    name, family, Params = "click", "input", ClickParams
    summary = "ボタンやリンクを押す"

    async def run(self, ctx, call):
        p = call.params
        locator = await locate(ctx, p)
        ctx.ensure_lease()
        await locator.click(button=p.button, click_count=p.click_count, force=p.force, timeout=ctx.timeout_ms)


class FillParams(Target):
    value: Any = Field(description="入力する値（テンプレート可）")


async def _fill(ctx, call, locator, value: str, *, typed: bool = False, delay: int = 0) -> None:
    async def action():
        if typed:
            await locator.fill("", timeout=ctx.timeout_ms)
            await locator.press_sequentially(value, delay=delay, timeout=ctx.timeout_ms)
        else:
            await locator.fill(value, timeout=ctx.timeout_ms)

    if ctx.uses_secret(call.params.value) and ctx.secret_fill_hook is not None:
        await ctx.secret_fill_hook(action)  # kept out of the trace
    else:
        await action()


@register
class Fill(Step):
    name, family, Params = "fill", "input", FillParams
    summary = "入力欄に値を入れる（前の値は消える）"

    async def run(self, ctx, call):
        value = ctx.render(call.params.value)
        locator = await locate(ctx, call.params)
        await _fill(ctx, call, locator, "" if value is None else str(value))


class TypeParams(FillParams):
    delay_ms: int = Field(0, description="1 文字ごとの待ち時間 (ミリ秒)")


@register
class Type(Step):
    name, family, Params = "type", "input", TypeParams
    summary = "1 文字ずつキーを打って入力する（入力補完のある欄など）"

    async def run(self, ctx, call):
        value = ctx.render(call.params.value)
        locator = await locate(ctx, call.params)
        await _fill(ctx, call, locator, "" if value is None else str(value), typed=True, delay=call.params.delay_ms)


class SelectParams(Target):
    option: str | None = Field(None, description="選ぶ項目の表示文字")
    value: str | None = Field(None, description="選ぶ項目の value 属性")


@register
class Select(Step):
    name, family, Params = "select", "input", SelectParams
    summary = "プルダウンから選ぶ"

    async def run(self, ctx, call):
        p = call.params
        locator = await locate(ctx, p)
        if p.value is not None:
            await locator.select_option(value=str(ctx.render(p.value)), timeout=ctx.timeout_ms)
        else:
            await locator.select_option(label=str(ctx.render(p.option)), timeout=ctx.timeout_ms)


@register
class Check(Step):
    name, family, Params = "check", "input", Target
    summary = "チェックボックス・ラジオボタンを選ぶ"

    async def run(self, ctx, call):
        await (await locate(ctx, call.params)).check(timeout=ctx.timeout_ms)


@register
class Uncheck(Step):
    name, family, Params = "uncheck", "input", Target
    summary = "チェックを外す"

    async def run(self, ctx, call):
        await (await locate(ctx, call.params)).uncheck(timeout=ctx.timeout_ms)


class SetCheckedParams(Target):
    checked: Any = Field(description="true ならチェック、false なら外す（式可: '{{ member.opt_out }}'）")


@register
class SetChecked(Step):
    name, family, Params = "set_checked", "input", SetCheckedParams
    summary = "値に応じてチェックを付ける・外す"

    async def run(self, ctx, call):
        wanted = truthy(ctx.render_native(call.params.checked))
        await (await locate(ctx, call.params)).set_checked(wanted, timeout=ctx.timeout_ms)


class PressParams(OptionalTarget):
    key: str = Field(description="キー (Enter, Tab, Control+A …)")


@register
class Press(Step):
    name, family, Params, shorthand = "press", "input", PressParams, "key"
    summary = "キーを押す"

    async def run(self, ctx, call):
        p = call.params
        ctx.ensure_lease()
        if p.has_locator:
            await (await locate(ctx, p)).press(p.key, timeout=ctx.timeout_ms)
        else:
            await ctx.page.keyboard.press(p.key)


@register
class Clear(Step):
    name, family, Params = "clear", "input", Target
    summary = "入力欄を空にする"

    async def run(self, ctx, call):
        await (await locate(ctx, call.params)).clear(timeout=ctx.timeout_ms)
