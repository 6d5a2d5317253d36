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

import jaconv
from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment

from robots.errors import SystemError_

ERAS = (  # (name, first day, year offset)
    ("令和", date(2019, 5, 1), 2018),
    ("平成", date(1989, 1, 8), 1988),
    ("昭和", date(1926, 12, 25), 1925),
    ("大正", date(1912, 7, 30), 1911),
    ("明治", date(1868, 1, 25), 1867),
)
_ERA_ALIASES = {"R": "令和", "H": "平成", "S": "昭和", "T": "大正", "M": "明治"}
_WAREKI = re.compile(
    r"^\s*(令和|平成|昭和|大正|明治|[RHSTM])\.?\s*(元|\d{1,2})\s*[年.\-/]\s*(\d{1,2})\s*[月.\-/]\s*(\d{1,2})\s*日?\s*$"
)
_WESTERN = re.compile(r"^\s*(\d{4})\s*[年.\-/]\s*(\d{1,2})\s*[月.\-/]\s*(\d{1,2})\s*日?\s*$")


def _nfkc(text: Any) -> str:
    return unicodedata.normalize("NFKC", str(text))


def wareki_to_iso(text: Any) -> str:
    """「令和8年7月1日」, 「R8.7.1」, 「平成元年1月8日」, 「2026/7/1」 → "2026-07-01"."""
    try:
        from yomikaki.japanese import wareki_to_iso as shared  # the shared helper, when present

        return shared(str(text))
    except Exception:  # noqa: BLE001 - fall back to the local implementation
        pass
    value = _nfkc(text)
    m = _WAREKI.match(value)
    if m:
        era = _ERA_ALIASES.get(m.group(1), m.group(1))
        year = 1 if m.group(2) == "元" else int(m.group(2))
        offset = next(o for name, _, o in ERAS if name == era)
        return date(offset + year, int(m.group(3)), int(m.group(4))).isoformat()
    m = _WESTERN.match(value)
    if m:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    raise ValueError(f"和暦の日付として読めません: {text!r}")


def iso_to_wareki(iso: Any, *, gannen: bool = True) -> str:
    """"2026-07-01" → 「令和8年7月1日」 (year 1 as 元年)."""
    value = iso if isinstance(iso, date) else date.fromisoformat(_nfkc(iso).strip()[:10])
    for name, start, offset in ERAS:
        if value >= start:
            year = value.year - offset
            year_text = "元" if (year == 1 and gannen) else str(year)
            return f"{name}{year_text}年{value.month}月{value.day}日"
    raise ValueError(f"明治より前の日付は和暦にできません: {iso!r}")


def to_zenkaku(text: Any) -> str:
    return jaconv.h2z(str(text), kana=True, ascii=True, digit=True).replace(" ", "\u3000")


def to_hankaku(text: Any) -> str:
    return jaconv.z2h(str(text), kana=True, ascii=True, digit=True).replace("\u3000", " ")


def to_katakana(text: Any) -> str:
    """Hiragana and half-width kana → full-width katakana; spaces → full-width."""
    value = jaconv.h2z(str(text), kana=True, ascii=False, digit=False)
    return jaconv.hira2kata(value).replace(" ", "\u3000")


def to_hiragana(text: Any) -> str:
    return jaconv.kata2hira(jaconv.h2z(str(text), kana=True, ascii=False, digit=False))


def digits_only(text: Any) -> str:
    return "".join(ch for ch in _nfkc(text) if ch.isdigit())


def zero_pad(text: Any, width: int) -> str:
    value = digits_only(text) if text is not None else ""
    return value.zfill(int(width))


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
    "month_start": month_start,
    "month_end": month_end,
    "previous_month": previous_month,
    "wareki": iso_to_wareki,
    "iso_date": wareki_to_iso,
    "zenkaku": to_zenkaku,
    "hankaku": to_hankaku,
    "katakana": to_katakana,
    "hiragana": to_hiragana,
    "digits": digits_only,
    "zero_pad": zero_pad,
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
