"""Values with Jinja2 in a sandbox: ``{{ item.列名 }}``, ``{{ vars.x }}``, ``{{ secrets.NAME }}``.

StrictUndefined: a misspelt column is an error, never an empty string typed into a form.
A value that is exactly one ``{{ expression }}`` keeps its Python type (lists for
``for_each``, booleans for ``check``); everything else renders to a string.

Filters for Japanese data::

    wareki        ISO date → 和暦 "令和8年7月1日"        iso_date   和暦 / 2026/7/1 → "2026-07-01"
    zenkaku       半角 → 全角 (ｱｲｳ 123 → アイウ１２３)   hankaku    全角 → 半角 (digits, letters, kana)
    katakana      ひらがな・半角カナ → 全角カタカナ       hiragana   カタカナ → ひらがな
    digits        keep digits only ("049-283-1331" → "0492831331")
    zero_pad(n)   "12345" | zero_pad(7) → "0012345"
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment

from robots.errors import SystemError_
from yomikaki.japanese import JINJA_FILTERS


def _nfkc(text: Any) -> str:
    return unicodedata.normalize("NFKC", str(text))


def month_start(month: Any) -> str:
    """"2026-07" (or any date in it) → "2026-07-01"."""
    text = _nfkc(month).strip()
    year, mon = int(text[:4]), int(text[5:7])
    return date(year, mon, 1).isoformat()


def month_end(month: Any) -> str:
    """"2026-07" → "2026-07-31"."""
    import calendar

    text = _nfkc(month).strip()
    year, mon = int(text[:4]), int(text[5:7])
    return date(year, mon, calendar.monthrange(year, mon)[1]).isoformat()


def previous_month(day: Any = None) -> str:
    """The month before ``day`` (default today) as "YYYY-MM"."""
    value = date.fromisoformat(_nfkc(day)[:10]) if day else date.today()
    year, mon = (value.year, value.month - 1) if value.month > 1 else (value.year - 1, 12)
    return f"{year:04d}-{mon:02d}"


FILTERS = {
    **JINJA_FILTERS,  # wareki, iso_date, zenkaku, hankaku, katakana, hiragana, digits, zero_pad, phone, normalize
    "month_start": month_start,
    "month_end": month_end,
    "previous_month": previous_month,
    "nfkc": _nfkc,
}

_SINGLE_EXPR = re.compile(r"^\s*\{\{(.*)\}\}\s*$", re.S)


@lru_cache(maxsize=1)
def environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
    env.filters.update(FILTERS)
    env.globals["today"] = lambda: date.today().isoformat()
    env.globals["previous_month"] = previous_month
    return env


@lru_cache(maxsize=4096)
def _template(source: str):
    return environment().from_string(source)


@lru_cache(maxsize=4096)
def _expression(source: str):
    return environment().compile_expression(source, undefined_to_none=False)


def is_template(value: Any) -> bool:
    return isinstance(value, str) and ("{{" in value or "{%" in value)


def render(value: Any, context: dict[str, Any]) -> Any:
    """Render a string template to a string; other values pass through (lists/dicts recursively)."""
    if isinstance(value, str):
        if not is_template(value):
            return value
        try:
            return _template(value).render(context)
        except Exception as exc:  # noqa: BLE001
            raise SystemError_(f"テンプレート {value!r} を展開できません: {exc}", code="template") from exc
    if isinstance(value, list):
        return [render(v, context) for v in value]
    if isinstance(value, dict):
        return {k: render(v, context) for k, v in value.items()}
    return value


def render_native(value: Any, context: dict[str, Any]) -> Any:
    """Like ``render`` but ``"{{ expr }}"`` alone keeps the expression's own type."""
    if isinstance(value, str):
        m = _SINGLE_EXPR.match(value)
        if m and "{{" not in m.group(1) and "}}" not in m.group(1):
            try:
                result = _expression(m.group(1).strip())(**context)
            except Exception as exc:  # noqa: BLE001
                raise SystemError_(f"式 {value!r} を評価できません: {exc}", code="template") from exc
            if isinstance(result, StrictUndefined):
                raise SystemError_(f"式 {value!r} の値がありません", code="template")
            return result
    return render(value, context)


def evaluate(expression: str, context: dict[str, Any]) -> Any:
    """Evaluate a bare Jinja expression (``item.yucho_symbol``) or a ``{{ … }}`` string."""
    if is_template(expression):
        return render_native(expression, context)
    return render_native("{{ " + expression + " }}", context)


def truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() not in ("", "false", "none", "0", "no", "いいえ", "null")
    return bool(value)


# -- static checks (scenario check) -----------------------------------------------------------
def references(source: str) -> tuple[set[str], set[tuple[str, str]]]:
    """Names a template uses and (root, attribute) pairs like ("item", "application_id").

    Raises ``TemplateSyntaxError`` for a broken template.
    """
    ast = environment().parse(source)
    names: set[str] = set()
    attrs: set[tuple[str, str]] = set()
    assigned = {n.name for n in ast.find_all(nodes.Name) if n.ctx in ("store", "param")}
    for node in ast.find_all(nodes.Name):
        if node.ctx == "load" and node.name not in assigned:
            names.add(node.name)
    for node in ast.find_all(nodes.Getattr):
        if isinstance(node.node, nodes.Name):
            attrs.add((node.node.name, node.attr))
    for node in ast.find_all(nodes.Getitem):
        if isinstance(node.node, nodes.Name) and isinstance(node.arg, nodes.Const):
            attrs.add((node.node.name, str(node.arg.value)))
    for node in ast.find_all(nodes.Filter):
        if node.name not in environment().filters:
            raise TemplateSyntaxError(f"no filter named {node.name!r}", node.lineno)
    return names, attrs


def expression_source(value: str) -> str:
    """A bare expression as a template, for static checks."""
    return value if is_template(value) else "{{ " + value + " }}"
