"""Load a scenario file: YAML with positions, model validation, step compilation.

Every problem is reported as ``file:line:column: message`` (all of them at once), with
"did you mean" for misspelt step names and keys.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from robots.errors import ScenarioError
from robots.model import CompiledInterrupt, Scenario, ScenarioSpec, StepCall, location_of
from yomikaki.errors import Location, ValidationFailed

STEP_LISTS = ("setup", "steps", "teardown", "check")


# -- YAML with positions ------------------------------------------------------------------------
def read_yaml(path: Path) -> tuple[Any, dict[tuple, tuple[int, int]]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError("シナリオファイルがありません", location=Location(str(path))) from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"UTF-8 で保存してください ({exc.reason})", location=Location(str(path))) from None
    yaml = YAML(typ="rt")
    try:
        data = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Location(str(path), mark.line + 1, mark.column + 1) if mark else Location(str(path))
        problem = " ".join(filter(None, [exc.context, exc.problem])) or str(exc).splitlines()[0]
        raise ScenarioError(f"YAML の書き方に誤りがあります: {problem}", location=where) from None
    except YAMLError as exc:
        raise ScenarioError(f"YAML を読めません: {exc}", location=Location(str(path))) from None
    positions: dict[tuple, tuple[int, int]] = {(): (0, 0)}
    return _plain(data, (), positions), positions


def _plain(node: Any, path: tuple, positions: dict) -> Any:
    if isinstance(node, CommentedMap):
        out = {}
        for key, value in node.items():
            try:
                positions[path + (str(key),)] = tuple(node.lc.key(key))
            except (KeyError, TypeError, AttributeError):
                pass
            out[str(key)] = _plain(value, path + (str(key),), positions)
        return out
    if isinstance(node, CommentedSeq):
        out_list = []
        for index, value in enumerate(node):
            try:
                positions[path + (index,)] = tuple(node.lc.item(index))
            except (KeyError, TypeError, AttributeError):
                pass
            out_list.append(_plain(value, path + (index,), positions))
        return out_list
    if hasattr(node, "value") and type(node).__module__.startswith("ruamel"):
        return node.value if not isinstance(node, str) else str(node)
    if isinstance(node, str):
        return str(node)
    return node


# -- pydantic errors in Japanese ------------------------------------------------------------------
def _field_names(model: type[BaseModel] | None) -> list[str]:
    if model is None:
        return []
    return [f.alias or name for name, f in model.model_fields.items()]


def explain(error: dict, model: type[BaseModel] | None = None) -> str:
    kind = error.get("type", "")
    loc = error.get("loc", ())
    key = str(loc[-1]) if loc else ""
    if kind == "missing":
        return f"必須の項目 '{key}' がありません"
    if kind == "extra_forbidden":
        names = _field_names(_model_at(model, loc[:-1]))
        close = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
        hint = f"（もしかして '{close[0]}'？）" if close else (f"（使える項目: {', '.join(names)}）" if names else "")
        return f"'{key}' という項目はありません{hint}"
    if kind in ("string_type",):
        return f"'{key}' は文字列で書いてください"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"'{key}' は整数で書いてください"
    if kind in ("float_type", "float_parsing"):
        return f"'{key}' は数値で書いてください"
    if kind in ("bool_type", "bool_parsing"):
        return f"'{key}' は true か false で書いてください"
    if kind in ("list_type",):
        return f"'{key}' はリスト（- で始まる行）で書いてください"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"'{key}' は「名前: 値」の形で書いてください"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"'{key}' は次のどれかにしてください: {expected}"
    if kind == "greater_than_equal":
        return f"'{key}' は {error.get('ctx', {}).get('ge')} 以上にしてください"
    message = str(error.get("msg", ""))
    return message.removeprefix("Value error, ")


def _model_at(model: type[BaseModel] | None, loc: tuple) -> type[BaseModel] | None:
    """The nested model class that a location points into (for "did you mean" on keys)."""
    current = model
    for part in loc:
        if current is None or isinstance(part, int):
            continue
        field = next((f for n, f in current.model_fields.items() if (f.alias or n) == part), None)
        if field is None:
            return current
        current = _model_of(field.annotation)
    return current


def _model_of(annotation) -> type[BaseModel] | None:
    import typing

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


# -- compiling steps ------------------------------------------------------------------------------
class Compiler:
    def __init__(self, path: Path, positions: dict, stack: tuple[Path, ...] = ()):
        from robots.steps.base import load_all

        self.path = path
        self.positions = positions
        self.problems: list[str] = []
        self.stack = stack + (path.resolve(),)
        self.registry = load_all()

    def problem(self, path: tuple, message: str) -> None:
        self.problems.append(f"{location_of(self.path, self.positions, path)}: {message}")

    def steps(self, raw: Any, path: tuple) -> list[StepCall]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.problem(path, "ステップはリスト（- で始まる行）で書いてください")
            return []
        calls = []
        for index, entry in enumerate(raw):
            call = self.step(entry, path + (index,))
            if call is not None:
                calls.append(call)
        return calls

    def step(self, raw: Any, path: tuple) -> StepCall | None:
        from robots.steps.base import COMMON_KEYS, suggest

        if isinstance(raw, str):
            name, body, siblings, common = raw, None, {}, {}
        elif isinstance(raw, dict) and raw:
            keys = [k for k in raw if k not in COMMON_KEYS]
            if not keys:
                self.problem(path, "ステップ名がありません（例: - click: {role: button, name: 登録}）")
                return None
            name = keys[0]  # the first key names the step; keys beside it are more parameters
            if name not in self.registry:
                self.problem(path + (name,), f"'{name}' という名前のステップはありません{suggest(name, self.registry)}")
                return None
            body = raw[name]
            common = {k: raw[k] for k in COMMON_KEYS if k in raw}
            if isinstance(body, dict):  # title / timeout written inside the step's mapping
                common.update({k: body[k] for k in COMMON_KEYS if k in body})
                body = {k: v for k, v in body.items() if k not in COMMON_KEYS}
            siblings = {k: v for k, v in raw.items() if k != name and k not in COMMON_KEYS}
        else:
            self.problem(path, "ステップは「ステップ名: 値」の形で書いてください")
            return None
        if name not in self.registry:
            self.problem(path, f"'{name}' という名前のステップはありません{suggest(name, self.registry)}")
            return None
        step = self.registry[name]
        body_path = path + (name,)
        if isinstance(body, dict):
            params = {**body, **siblings}
        elif body is None:
            params = dict(siblings)
        elif step.shorthand:
            params = {step.shorthand: body, **siblings}
        else:
            self.problem(body_path, f"'{name}' には「項目: 値」の形で書いてください")
            return None
        try:
            model = step.Params.model_validate(params)
        except ValidationError as exc:
            for error in exc.errors():
                loc = tuple(error["loc"])
                if loc and loc[0] in siblings:
                    where = path + loc
                elif loc and isinstance(body, dict) and loc[0] in body:
                    where = body_path + loc
                else:
                    where = body_path
                self.problem(where, f"{name}: {explain(error, step.Params)}")
            return None
        timeout = common.get("timeout")
        if timeout is not None and not isinstance(timeout, int):
            self.problem(path + ("timeout",), "timeout はミリ秒の整数で書いてください")
            timeout = None
        call = StepCall(step=step, params=model, location=location_of(self.path, self.positions, path),
                        title=common.get("title"), timeout_ms=timeout)
        for block in step.blocks:
            raw_block = params.get(block)
            block_path = (path + (block,)) if block in siblings else body_path + (block,)
            call.blocks[block] = self.steps(raw_block or [], block_path)
        if name == "call":
            self.callee(call, body_path)
        return call

    def callee(self, call: StepCall, path: tuple) -> None:
        target = (self.path.parent / call.params.file).resolve()
        if target in self.stack:
            self.problem(path, f"呼び出しが循環しています: {call.params.file}")
            call.blocks["__scenario__"] = []
            return
        try:
            sub = load_scenario(target, _stack=self.stack)
        except ValidationFailed as exc:
            self.problems.extend(exc.problems)
            call.blocks["__scenario__"] = []
            return
        except ScenarioError as exc:
            self.problems.append(exc.message)
            call.blocks["__scenario__"] = []
            return
        call.blocks["__scenario__"] = sub.steps
        call.extra["vars"] = dict(sub.spec.vars)


def load_scenario(path: str | Path, *, _stack: tuple[Path, ...] = ()) -> Scenario:
    """Read, validate and compile a scenario; raises ``ValidationFailed`` listing every problem."""
    path = Path(path)
    data, positions = read_yaml(path)
    if not isinstance(data, dict):
        raise ScenarioError("シナリオは「name: …」「steps: …」などの項目で書いてください",
                            location=Location(str(path), 1, 1))
    compiler = Compiler(path, positions, _stack)
    spec_data = {k: v for k, v in data.items()}
    try:
        spec = ScenarioSpec.model_validate(spec_data)
    except ValidationError as exc:
        for error in exc.errors():
            compiler.problem(tuple(error["loc"]), explain(error, ScenarioSpec))
        raise ValidationFailed(compiler.problems, title="シナリオにエラーがあります") from None
    lists = {name: compiler.steps(data.get(name), (name,)) for name in STEP_LISTS}
    interrupts = []
    for index, entry in enumerate(spec.interrupts):
        interrupts.append(CompiledInterrupt(entry.when, compiler.steps(entry.do, ("interrupts", index, "do")),
                                            entry.times))
    for key in ("mask", "business_errors"):
        _check_locators(compiler, getattr(spec, key), (key,))
    for index, entry in enumerate(spec.interrupts):
        _check_locators(compiler, [entry.when], ("interrupts", index, "when"), single=True)
    if compiler.problems:
        raise ValidationFailed(compiler.problems, title="シナリオにエラーがあります")
    return Scenario(spec=spec, path=path, setup=lists["setup"], steps=lists["steps"],
                    teardown=lists["teardown"], check=lists["check"] if data.get("check") is not None else None,
                    interrupts=interrupts, positions=positions)


def _check_locators(compiler: Compiler, specs: list, path: tuple, single: bool = False) -> None:
    from robots.locators.base import LocatorSpec

    for index, spec in enumerate(specs):
        where = path if single else path + (index,)
        try:
            LocatorSpec.model_validate(spec)
        except ValidationError as exc:
            for error in exc.errors():
                compiler.problem(where + tuple(error["loc"]), explain(error, LocatorSpec))
