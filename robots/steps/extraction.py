"""Extraction: read values off the screen (extract, extract_table) and keep them (save, set)."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import ConfigDict, Field

from robots.errors import SystemError_
from robots.steps.base import Params, Step, register
from robots.steps.targets import Target, locate


class ExtractParams(Target):
    read: Literal["text", "value", "attribute", "inner_html"] = Field("text", description="読む物")
    attribute: str | None = Field(None, description="read: attribute のときの属性名")
    pattern: str | None = Field(None, description="正規表現。最初のグループ（なければ全体）を取る")
    as_: str | None = Field(None, alias="as", description="変数名（以降 {{ 名前 }} で使える）")
    save: str | None = Field(None, description="結果の列名（結果ブックに出る）")
    all: bool = Field(False, description="見つかったすべての文字を ' / ' でつないで読む")


@register
class Extract(Step):
    name, family, Params = "extract", "extraction", ExtractParams
    summary = "画面の文字・入力値・属性を読み取る"

    async def run(self, ctx, call):
        p = call.params
        locator = await locate(ctx, p)
        if p.all:
            texts = [t.strip() for t in await locator.all_inner_texts() if t.strip()]
            keep(ctx, p.as_, p.save, " / ".join(dict.fromkeys(texts)))
            return
        if p.nth is None:
            locator = locator.first
        if p.read == "text":
            value = (await locator.inner_text(timeout=ctx.timeout_ms)).strip()
        elif p.read == "value":
            value = await locator.input_value(timeout=ctx.timeout_ms)
        elif p.read == "inner_html":
            value = await locator.inner_html(timeout=ctx.timeout_ms)
        else:
            value = await locator.get_attribute(p.attribute or "value", timeout=ctx.timeout_ms)
        if p.pattern and value is not None:
            m = re.search(ctx.render(p.pattern), value)
            if not m:
                raise SystemError_(f"読み取った値が形式に合いません: {p.pattern}", code="extract")
            value = m.group(1) if m.groups() else m.group(0)
        keep(ctx, p.as_, p.save, value)


def keep(ctx, variable: str | None, output: str | None, value: Any) -> None:
    if variable:
        ctx.locals[variable] = value
    if output:
        ctx.outputs[output] = value
    if not variable and not output:
        ctx.locals["extracted"] = value


class TableParams(Target):
    as_: str | None = Field(None, alias="as", description="変数名（行のリスト）")
    save: str | None = None
    header_row: int = Field(0, description="見出し行の位置（0 から）")


@register
class ExtractTable(Step):
    name, family, Params = "extract_table", "extraction", TableParams
    summary = "表全体を行のリスト（列見出し → 値）として読む"

    async def run(self, ctx, call):
        p = call.params
        table = await locate(ctx, p)
        if p.nth is None:
            table = table.first
        await table.wait_for(state="attached", timeout=ctx.timeout_ms)
        rows = await table.evaluate(
            """(t) => Array.from(t.querySelectorAll('tr')).map(
                 tr => Array.from(tr.querySelectorAll('th,td')).map(c => c.innerText.trim()))"""
        )
        rows = [r for r in rows if r]
        if not rows:
            keep(ctx, p.as_, p.save, [])
            return
        header = rows[p.header_row]
        records = [dict(zip(header, r, strict=False)) for r in rows[p.header_row + 1:]]
        keep(ctx, p.as_, p.save, records)


class AnyParams(Params):
    model_config = ConfigDict(extra="allow")


@register
class Save(Step):
    name, family, Params = "save", "extraction", AnyParams
    summary = "結果の列に値を書く（結果ブックに出る）: {受付番号: '{{ receipt }}'}"

    async def run(self, ctx, call):
        for key, value in (call.params.model_extra or {}).items():
            ctx.outputs[key] = ctx.render_native(value)


@register
class Set(Step):
    name, family, Params = "set", "extraction", AnyParams
    summary = "変数に値を入れる: {kana: '{{ item.account_holder_kana | katakana }}'}"

    async def run(self, ctx, call):
        for key, value in (call.params.model_extra or {}).items():
            ctx.locals[key] = ctx.render_native(value)
