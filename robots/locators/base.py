"""Locators in staff terms. One kind per key; modifiers apply on top.

Kinds (exactly one per locator): ``role`` (+ ``name``), ``label``, ``text``, ``text_matches``
(regular expression), ``placeholder``, ``test_id``, ``alt``, ``title_attr``, ``next_to`` (the field
in the cell next to a header cell ``<th>``), ``column`` + ``row`` (a cell of a legacy table by
column header and row text), ``css``, ``xpath``, ``any_of`` (fallbacks: the first that matches).

Modifiers: ``within`` (another locator), ``frame`` (css of an iframe), ``has_text``, ``nth``
(0-based, -1 = last), ``exact``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from robots.errors import SystemError_
from robots.templating import render


class LocatorSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: str | None = Field(None, description="ARIA ロール (button, link, textbox, dialog, cell…)")
    name: str | None = Field(None, description="ロールと一緒に使う、見えている名前")
    label: str | None = Field(None, description="<label> の文字（入力欄）")
    text: str | None = Field(None, description="画面に出ている文字")
    text_matches: str | None = Field(None, description="画面の文字（正規表現）")
    placeholder: str | None = None
    test_id: str | None = Field(None, description="data-testid 属性")
    alt: str | None = Field(None, description="画像の代替テキスト")
    title_attr: str | None = Field(None, description="title 属性（ツールチップ）")
    next_to: str | None = Field(None, description="見出しセル <th> の隣のセルの入力欄")
    column: str | None = Field(None, description="表の列見出し（row と組み合わせる）")
    row: str | None = Field(None, description="表の行にある文字（column と組み合わせる）")
    css: str | None = Field(None, description="CSS セレクター（最後の手段）")
    xpath: str | None = Field(None, description="XPath（最後の手段）")
    any_of: list[LocatorSpec] | None = Field(None, description="候補のうち最初に見つかったもの")
    within: LocatorSpec | None = Field(None, description="この範囲の中で探す")
    frame: str | None = Field(None, description="iframe の CSS セレクター")
    has_text: str | None = Field(None, description="この文字を含むものに絞る")
    nth: int | None = Field(None, description="何番目か（0 から、-1 は最後）")
    exact: bool | None = Field(None, description="完全一致で探す")

    @model_validator(mode="after")
    def _one_kind(self) -> LocatorSpec:
        present = [k for k in KIND_KEYS if getattr(self, k) is not None]
        if self.column is not None or self.row is not None:
            if self.column is None or self.row is None:
                raise ValueError("column と row は一緒に指定してください")
        if not present:
            raise ValueError(
                "ロケーターの種類がありません: role / label / text / placeholder / test_id / next_to / "
                "column+row / css / xpath / any_of のどれか 1 つを指定してください"
            )
        if len(present) > 1:
            raise ValueError(f"ロケーターの種類は 1 つだけにしてください（{', '.join(present)}）")
        if self.name is not None and self.role is None:
            raise ValueError("name は role と一緒に使います (例: {role: button, name: 登録})")
        return self

    @property
    def kind(self) -> str:
        return next(k for k in KIND_KEYS if getattr(self, k) is not None)

    def describe(self) -> str:
        parts = []
        for key in (*KIND_KEYS, "row", "name", "has_text", "nth"):
            value = getattr(self, key, None)
            if value is not None and key != "any_of":
                parts.append(f"{key}={value}")
        if self.any_of:
            parts.append("any_of[" + " | ".join(s.describe() for s in self.any_of) + "]")
        if self.within:
            parts.append(f"within({self.within.describe()})")
        return ", ".join(parts)


LOCATOR_KEYS = tuple(LocatorSpec.model_fields)
# Builders: kind → function(root, spec, rendered values) -> playwright Locator. Filled by kinds modules.
KINDS: dict[str, Callable[[Any, LocatorSpec, dict[str, Any]], Any]] = {}
KIND_KEYS = ("role", "label", "text", "text_matches", "placeholder", "test_id", "alt", "title_attr",
             "next_to", "column", "css", "xpath", "any_of")


def kind(name: str):
    def register(fn):
        KINDS[name] = fn
        return fn

    return register


def split_locator(params: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Separate locator keys from a step's other parameters."""
    loc = {k: v for k, v in params.items() if k in LOCATOR_KEYS}
    rest = {k: v for k, v in params.items() if k not in LOCATOR_KEYS}
    return loc, rest


def _values(spec: LocatorSpec, context: dict[str, Any]) -> dict[str, Any]:
    keys = ("role", "name", "label", "text", "text_matches", "placeholder", "test_id", "alt", "title_attr",
            "next_to", "column", "row", "css", "xpath", "frame", "has_text")
    return {k: render(getattr(spec, k), context) for k in keys if getattr(spec, k) is not None}


async def resolve(page, spec: LocatorSpec, context: dict[str, Any], *, timeout_ms: int = 10_000,
                  settle: bool = True):
    """Turn a spec into a Playwright locator on ``page`` (templates rendered with ``context``).

    ``settle=False`` (used by wait_for): ``any_of`` becomes "any of them", without waiting and
    picking the first candidate in the written order.
    """
    from robots.locators import kinds  # noqa: F401 - registers the builders

    values = _values(spec, context)
    root = page
    if spec.frame:
        root = page.frame_locator(values["frame"])
    if spec.within:
        root = await resolve(root if spec.frame else page, spec.within, context, timeout_ms=timeout_ms)
    if spec.any_of and not settle:
        built = [await resolve(root, c, context, timeout_ms=timeout_ms, settle=False) for c in spec.any_of]
        locator = built[0]
        for other in built[1:]:
            locator = locator.or_(other)
    elif spec.any_of:
        locator = await _first_matching(root, spec.any_of, context, timeout_ms)
    else:
        locator = KINDS[spec.kind](root, spec, values)
    if spec.has_text is not None:
        locator = locator.filter(has_text=values["has_text"])
    if spec.nth is not None:
        locator = locator.last if spec.nth == -1 else locator.nth(spec.nth)
    return locator


async def _first_matching(root, candidates: list[LocatorSpec], context, timeout_ms: int):
    """Fallbacks: wait until one candidate is present, then take the first in the written order."""
    built = [await resolve(root, c, context, timeout_ms=timeout_ms) for c in candidates]
    combined = built[0]
    for other in built[1:]:
        combined = combined.or_(other)
    try:
        await combined.first.wait_for(state="attached", timeout=timeout_ms)
    except Exception as exc:  # noqa: BLE001 - playwright TimeoutError
        names = " / ".join(c.describe() for c in candidates)
        raise SystemError_(f"どの候補も見つかりません: {names}", code="locator") from exc
    for locator in built:
        if await locator.count() > 0:
            return locator
    await asyncio.sleep(0)
    return built[0]
