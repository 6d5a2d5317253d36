"""Dialogs (alert / confirm / prompt): declare what to do before the click that opens one.

A dialog nobody declared is a system error — never silently dismissed.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from robots.context import DialogPlan
from robots.steps.base import Params, Step, register


class DialogParams(Params):
    action: Literal["accept", "dismiss"] = Field("accept", description="accept = OK, dismiss = キャンセル")
    message: str | None = Field(None, description="ダイアログの文言（正規表現）。違えばシステムエラー")
    prompt_text: str | None = Field(None, description="prompt に入力する文字")


@register
class Dialog(Step):
    name, family, Params, shorthand = "dialog", "dialogs", DialogParams, "action"
    summary = "次に出るダイアログを OK / キャンセルする（押す前に書く）"

    async def run(self, ctx, call):
        p = call.params
        ctx.dialog_plans.append(
            DialogPlan(p.action, ctx.render(p.message) if p.message else None,
                       ctx.render(p.prompt_text) if p.prompt_text else None)
        )


async def handle_dialog(ctx, dialog) -> None:
    """The page's dialog handler: follow the first plan, else fail the item (system error)."""
    import re

    from robots.errors import SystemError_

    message = dialog.message
    if ctx.dialog_plans:
        plan = ctx.dialog_plans.pop(0)
        if plan.message and not re.search(plan.message, message):
            await dialog.dismiss()
            ctx.signal(SystemError_(f"想定と違うダイアログが出ました: 「{message}」", code="dialog"))
            return
        if plan.action == "accept":
            await dialog.accept(plan.prompt_text) if plan.prompt_text is not None else await dialog.accept()
        else:
            await dialog.dismiss()
        ctx.note(f"ダイアログ「{message}」を{'OK' if plan.action == 'accept' else 'キャンセル'}しました")
        return
    await dialog.dismiss()
    ctx.signal(SystemError_(f"予期しないダイアログが出ました: 「{message}」", code="dialog"))
