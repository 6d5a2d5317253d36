"""Static checks of a loaded scenario: template syntax, variables, secrets, input columns.

Used by ``yomikaki scenario check``; every problem is ``file:line:column: message``.
"""

from __future__ import annotations

import difflib
from typing import Any

from jinja2 import TemplateSyntaxError
from pydantic import BaseModel

from robots.model import Scenario, StepCall
from robots.templating import environment, expression_source, references

BUILTIN_NAMES = {"item", "vars", "secrets", "outputs", "loop", "error", "extracted", "downloaded", "screenshots",
                 "range", "dict", "lipsum", "cycler", "joiner", "namespace", "true", "false", "none", "True",
                 "False", "None"}
EXPRESSION_FIELDS = {("if", "expr"), ("for_each", "items")}


def _walk(calls: list[StepCall]):
    for call in calls:
        yield call
        for name, block in call.blocks.items():
            if name != "__scenario__":
                yield from _walk(block)


def _strings(value: Any, prefix: str = ""):
    if isinstance(value, BaseModel):
        value = value.model_dump(by_alias=True, exclude_none=True)
    if isinstance(value, str):
        yield prefix, value
    elif isinstance(value, dict):
        for key, sub in value.items():
            if key in ("then", "else", "do", "except"):
                continue  # nested steps are checked as steps
            yield from _strings(sub, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list):
        for sub in value:
            yield from _strings(sub, prefix)


def declared_locals(scenario: Scenario) -> set[str]:
    names: set[str] = set()
    for calls in (scenario.setup, scenario.steps, scenario.teardown, scenario.check or []):
        for call in _walk(calls):
            params = call.params
            for attr in ("as_",):
                value = getattr(params, attr, None)
                if isinstance(value, str):
                    names.add(value)
            if call.name in ("set",):
                names.update((params.model_extra or {}).keys())
    for interrupt in scenario.interrupts:
        for call in _walk(interrupt.do):
            if getattr(call.params, "as_", None):
                names.add(call.params.as_)
    return names


def check_scenario(scenario: Scenario, columns: list[str] | None = None) -> list[str]:
    problems: list[str] = []
    spec = scenario.spec
    allowed = BUILTIN_NAMES | declared_locals(scenario) | set(environment().globals)
    secrets = set(spec.site.secrets)
    variables = set(spec.vars)

    def check_text(where, text: str, *, expression: bool = False) -> None:
        source = expression_source(text) if expression else text
        if "{{" not in source and "{%" not in source:
            return
        try:
            names, attrs = references(source)
        except TemplateSyntaxError as exc:
            problems.append(f"{where}: テンプレートの書き方に誤りがあります: {exc.message}")
            return
        for name in sorted(names - allowed):
            close = difflib.get_close_matches(name, sorted(allowed), n=1)
            hint = f"（もしかして '{close[0]}'？）" if close else ""
            problems.append(f"{where}: 変数 '{name}' は定義されていません{hint}")
        for root, attr in sorted(attrs):
            if root == "secrets" and attr not in secrets:
                problems.append(f"{where}: 秘密情報 '{attr}' が site.secrets にありません")
            elif root == "vars" and attr not in variables:
                close = difflib.get_close_matches(attr, sorted(variables), n=1)
                hint = f"（もしかして '{close[0]}'？）" if close else ""
                problems.append(f"{where}: 変数 vars.{attr} が vars にありません{hint}")
            elif root == "item" and columns is not None and attr not in columns and attr not in (
                    "get", "items", "keys", "values"):
                close = difflib.get_close_matches(attr, columns, n=1)
                hint = f"（もしかして '{close[0]}'？）" if close else ""
                problems.append(f"{where}: 入力に列 '{attr}' がありません{hint}")

    for calls in (scenario.setup, scenario.steps, scenario.teardown, scenario.check or []):
        for call in _walk(calls):
            for field, text in _strings(call.params):
                check_text(call.location, text, expression=(call.name, field) in EXPRESSION_FIELDS)
    for path in (("site", "base_url"), ("input", "reference"), ("input", "file")):
        section = getattr(spec, path[0])
        value = getattr(section, path[1], None) if section is not None else None
        if isinstance(value, str):
            check_text(scenario.location(path), value)
    for index, raw in enumerate(spec.mask):
        for _, text in _strings(raw):
            check_text(scenario.location(("mask", index)), text)
    for interrupt in scenario.interrupts:
        for call in _walk(interrupt.do):
            for _field, text in _strings(call.params):
                check_text(call.location, text)
    return problems
