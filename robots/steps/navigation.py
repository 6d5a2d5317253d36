"""Navigation steps: goto, reload, back, wait_for."""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import urljoin

from pydantic import Field

from robots.errors import SystemError_
from robots.steps.base import Params, Step, register
from robots.steps.targets import OptionalTarget, locate


class GotoParams(Params):
    url: str = Field(description="開くアドレス。'/' で始まれば site.base_url からの相対")
    wait_until: Literal["load", "domcontentloaded", "networkidle", "commit"] = "load"


@register
class Goto(Step):
    name, family, shorthand, Params = "goto", "navigation", "url", GotoParams
    summary = "画面を開く"

    async def run(self, ctx, call):
        url = ctx.render(call.params.url)
        if not re.match(r"^[a-z]+:", url):
            base = ctx.render(ctx.scenario.spec.site.base_url or ctx.vars.get("core_url") or "")
            url = urljoin(base.rstrip("/") + "/", url.lstrip("/"))
        response = await ctx.page.goto(url, wait_until=call.params.wait_until, timeout=ctx.timeout_ms)
        if response is not None and response.status >= 500:
            raise SystemError_(f"{url} が HTTP {response.status} を返しました", code="http")


class NoParams(Params):
    pass


@register
class Reload(Step):
    name, family, Params = "reload", "navigation", NoParams
    summary = "画面を再読み込みする"

    async def run(self, ctx, call):
        await ctx.page.reload(timeout=ctx.timeout_ms)


@register
class Back(Step):
    name, family, Params = "back", "navigation", NoParams
    summary = "前の画面に戻る（ブラウザーの戻る）"

    async def run(self, ctx, call):
        await ctx.page.go_back(timeout=ctx.timeout_ms)


class WaitForParams(OptionalTarget):
    state: Literal["visible", "hidden", "attached", "detached"] = "visible"
    url: str | None = Field(None, description="このアドレス（一部分 / 正規表現）になるまで待つ")
    load_state: Literal["load", "domcontentloaded", "networkidle"] | None = None


@register
class WaitFor(Step):
    name, family, Params = "wait_for", "navigation", WaitForParams
    summary = "表示される・消える・画面が変わるまで待つ"

    async def run(self, ctx, call):
        p = call.params
        if p.url is not None:
            pattern = re.compile(ctx.render(p.url))
            await ctx.page.wait_for_url(pattern, timeout=ctx.timeout_ms)
        if p.load_state is not None:
            await ctx.page.wait_for_load_state(p.load_state, timeout=ctx.timeout_ms)
        if p.has_locator:
            locator = await locate(ctx, p, settle=False)
            if p.nth is None:
                locator = locator.first
            await locator.wait_for(state=p.state, timeout=ctx.timeout_ms)
