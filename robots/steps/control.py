"""Control flow: if / else, for_each, call (another scenario file), try / except, mark_done."""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field, model_validator

from robots.errors import BusinessError, RobotError
from robots.locators.base import LocatorSpec, resolve
from robots.steps.base import MarkDone, Params, Step, register, run_steps
from robots.templating import evaluate, truthy


class Condition(Params):
    visible: LocatorSpec | None = Field(None, description="見えていれば真")
    hidden: LocatorSpec | None = Field(None, description="見えていなければ真")
    exists: LocatorSpec | None = Field(None, description="画面にあれば真（見えなくても）")
    expr: str | None = Field(None, description="式 (例: item.yucho_symbol)")
    url: str | None = Field(None, description="アドレスがこれ（正規表現）に合えば真")
    wait_ms: int = Field(0, description="visible / exists のとき、最大この時間だけ現れるのを待つ")

    @model_validator(mode="after")
    def _one(self):
        given = [k for k in ("visible", "hidden", "exists", "expr", "url") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("条件は visible / hidden / exists / expr / url のどれか 1 つを書いてください")
        return self


async def holds(ctx, cond: Condition) -> bool:
    context = ctx.template_context()
    if cond.expr is not None:
        return truthy(evaluate(cond.expr, context))
    if cond.url is not None:
        return re.search(ctx.render(cond.url), ctx.page.url) is not None
    spec = cond.visible or cond.hidden or cond.exists
    locator = (await resolve(ctx.page, spec, context, timeout_ms=ctx.timeout_ms)).first
    if cond.hidden is not None:
        return not await locator.is_visible()
    state = "visible" if cond.visible is not None else "attached"
    if cond.wait_ms:
        try:
            await locator.wait_for(state=state, timeout=cond.wait_ms)
            return True
        except Exception:  # noqa: BLE001 - playwright TimeoutError: the condition is false
            return False
    return await locator.is_visible() if state == "visible" else await locator.count() > 0


class IfParams(Condition):
    then: list[Any] = Field(description="条件が真のときのステップ")
    else_: list[Any] = Field(default_factory=list, alias="else", description="偽のときのステップ")


@register
class If(Step):
    name, family, Params, blocks = "if", "control", IfParams, ("then", "else")
    summary = "条件によって手順を分ける"

    async def run(self, ctx, call):
        branch = "then" if await holds(ctx, call.params) else "else"
        await run_steps(ctx, call.blocks.get(branch, []))


class ForEachParams(Params):
    items: str = Field(description="繰り返す対象の式 (例: item.members)")
    as_: str = Field("row", alias="as", description="1 つずつ入る変数名")
    do: list[Any] = Field(description="繰り返すステップ")


@register
class ForEach(Step):
    name, family, Params, shorthand, blocks = "for_each", "control", ForEachParams, "items", ("do",)
    summary = "リストの 1 つずつに同じ手順を行う（変数 loop.index で何番目か分かる）"

    async def run(self, ctx, call):
        p = call.params
        values = evaluate(p.items, ctx.template_context())
        values = list(values or [])
        saved = dict(ctx.locals)
        try:
            for index, value in enumerate(values):
                ctx.locals[p.as_] = value
                ctx.locals["loop"] = {"index": index + 1, "index0": index, "first": index == 0,
                                      "last": index == len(values) - 1, "length": len(values)}
                await run_steps(ctx, call.blocks["do"])
        finally:
            for key in (p.as_, "loop"):
                ctx.locals.pop(key, None)
            ctx.locals.update({k: v for k, v in saved.items() if k in (p.as_, "loop")})


class CallParams(Params):
    file: str = Field(description="呼び出すシナリオファイル（このファイルからの相対パス）")
    with_: dict[str, Any] = Field(default_factory=dict, alias="with", description="渡す変数")


@register
class Call(Step):
    name, family, Params, shorthand = "call", "control", CallParams, "file"
    summary = "別のシナリオファイルの steps を、変数を渡して実行する"

    async def run(self, ctx, call):
        callee = call.blocks["__scenario__"]
        saved_vars = ctx.vars
        passed = {k: ctx.render_native(v) for k, v in call.params.with_.items()}
        ctx.vars = {**call.extra.get("vars", {}), **saved_vars, **passed}
        try:
            await run_steps(ctx, callee)
        finally:
            ctx.vars = saved_vars


class TryParams(Params):
    do: list[Any] = Field(description="試すステップ")
    except_: list[Any] = Field(default_factory=list, alias="except", description="失敗したときのステップ")
    business_only: bool = Field(False, description="業務エラーのときだけ except を行う")


@register
class Try(Step):
    name, family, Params, shorthand, blocks = "try", "control", TryParams, "do", ("do", "except")
    summary = "失敗しても続ける（except の手順を行う）; 変数 error にメッセージが入る"

    async def run(self, ctx, call):
        try:
            await run_steps(ctx, call.blocks["do"])
        except RobotError as exc:
            if call.params.business_only and not isinstance(exc, BusinessError):
                raise
            ctx.locals["error"] = exc.message
            ctx.note(f"失敗を処理して続けます: {exc.message}")
            await run_steps(ctx, call.blocks.get("except", []))


class NoParams(Params):
    pass


@register
class MarkDoneStep(Step):
    name, family, Params = "mark_done", "control", NoParams
    summary = "check ブロックの中で「この件は登録済み」と判定する"

    async def run(self, ctx, call):
        raise MarkDone()
