"""Assertions: ``expect`` retries like Playwright's expect until it holds or times out."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field

from robots.errors import BusinessError, SystemError_
from robots.steps.base import Step, register
from robots.steps.targets import OptionalTarget, locate


class ExpectParams(OptionalTarget):
    state: Literal["visible", "hidden", "checked", "unchecked", "enabled", "disabled", "editable"] | None = None
    contains: str | None = Field(None, description="この文字を含む")
    equals: str | None = Field(None, description="文字がこれと同じ")
    value: str | None = Field(None, description="入力欄の値がこれと同じ")
    count: int | None = Field(None, description="見つかる数")
    url: str | None = Field(None, description="アドレス（一部分 / 正規表現）")
    page_title: str | None = Field(None, description="ページタイトル（一部分）")
    or_fail: str | None = Field(None, description="成り立たないときは業務エラーにしてこのメッセージを出す")


@register
class Expect(Step):
    name, family, Params = "expect", "assertions", ExpectParams
    summary = "画面がそうなっていることを確かめる（待ちながら）"

    async def run(self, ctx, call):
        from playwright.async_api import expect

        p = call.params
        timeout = ctx.timeout_ms
        try:
            if p.url is not None:
                await expect(ctx.page).to_have_url(re.compile(ctx.render(p.url)), timeout=timeout)
            if p.page_title is not None:
                await expect(ctx.page).to_have_title(re.compile(re.escape(ctx.render(p.page_title))),
                                                     timeout=timeout)
            if p.has_locator:
                locator = await locate(ctx, p)
                checks = 0
                if p.contains is not None:
                    await expect(locator).to_contain_text(str(ctx.render(p.contains)), timeout=timeout)
                    checks += 1
                if p.equals is not None:
                    await expect(locator).to_have_text(str(ctx.render(p.equals)), timeout=timeout)
                    checks += 1
                if p.value is not None:
                    await expect(locator).to_have_value(str(ctx.render(p.value)), timeout=timeout)
                    checks += 1
                if p.count is not None:
                    await expect(locator).to_have_count(p.count, timeout=timeout)
                    checks += 1
                if p.state is not None or checks == 0:
                    state = p.state or "visible"
                    target = locator if p.nth is not None or state == "hidden" else locator.first
                    method = {"visible": "to_be_visible", "hidden": "to_be_hidden", "checked": "to_be_checked",
                              "unchecked": "not_to_be_checked", "enabled": "to_be_enabled",
                              "disabled": "to_be_disabled", "editable": "to_be_editable"}[state]
                    await getattr(expect(target), method)(timeout=timeout)
        except AssertionError as exc:
            ctx.raise_pending()
            if p.or_fail:
                raise BusinessError(ctx.render(p.or_fail), code="expect") from exc
            first = str(exc).strip().splitlines()[0]
            raise SystemError_(f"確認に失敗しました ({call.location.line} 行目): {first}", code="expect") from exc
