"""``yomikaki scenario from-codegen recorded.py``: a Playwright codegen recording → scenario steps.

Understands what ``playwright codegen --target python`` writes: ``page.goto``, locator chains
(get_by_role / label / text / placeholder / test_id / alt_text / title, locator(css),
frame_locator, first / last / nth, filter(has_text)), actions (click, fill, press, check,
uncheck, select_option), ``expect(...)`` assertions, ``expect_download`` blocks and
``page.once("dialog", …)``. Values typed into password fields become ``{{ secrets.… }}``.
Anything else is kept as a comment for the writer to translate by hand.
"""

from __future__ import annotations

import ast
import io
from pathlib import Path
from typing import Any

from yomikaki.errors import InputError, Location

GETTERS = {"get_by_role": "role", "get_by_label": "label", "get_by_text": "text", "get_by_placeholder": "placeholder",
           "get_by_test_id": "test_id", "get_by_alt_text": "alt", "get_by_title": "title_attr"}
ACTIONS = {"click": "click", "dblclick": "click", "fill": "fill", "press": "press", "check": "check",
           "uncheck": "uncheck", "select_option": "select", "clear": "clear", "type": "type",
           "press_sequentially": "type"}
EXPECTS = {"to_be_visible": {}, "to_be_hidden": {"state": "hidden"}, "to_be_checked": {"state": "checked"},
           "to_contain_text": "contains", "to_have_text": "equals", "to_have_value": "value",
           "to_have_url": "url", "to_have_title": "page_title", "to_have_count": "count"}
SECRET_WORDS = ("password", "パスワード", "暗証")


class Unsupported(Exception):
    pass


def _const(node: ast.AST) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "compile" and node.args:
        return _const(node.args[0])  # re.compile("…")
    raise Unsupported(ast.unparse(node))


def locator_of(node: ast.AST) -> dict[str, Any] | None:
    """A locator chain → a scenario locator mapping; None for the bare ``page``."""
    if isinstance(node, ast.Name):
        return None
    if isinstance(node, ast.Attribute) and node.attr in ("first", "last"):
        inner = locator_of(node.value) or {}
        return {**inner, "nth": 0 if node.attr == "first" else -1}
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
        raise Unsupported(ast.unparse(node))
    method, base = node.func.attr, node.func.value
    parent = locator_of(base)
    kwargs = {k.arg: _const(k.value) for k in node.keywords if k.arg}
    if method == "nth":
        return {**(parent or {}), "nth": _const(node.args[0])}
    if method == "filter":
        return {**(parent or {}), "has_text": kwargs.get("has_text")}
    if method == "frame_locator":
        return {"frame": _const(node.args[0])}
    if method in GETTERS or method == "locator":
        if method == "locator":
            selector = _const(node.args[0])
            own: dict[str, Any] = {"xpath": selector[6:]} if selector.startswith("xpath=") else {"css": selector}
        else:
            own = {GETTERS[method]: _const(node.args[0])}
            if method == "get_by_role" and "name" in kwargs:
                own["name"] = kwargs["name"]
            if kwargs.get("exact"):
                own["exact"] = True
        if parent is None:
            return own
        if set(parent) == {"frame"}:
            return {**own, **parent}
        return {**own, "within": parent}
    raise Unsupported(ast.unparse(node))


def _is_secret(locator: dict | None) -> bool:
    text = " ".join(str(v) for v in (locator or {}).values()).lower()
    return any(word in text for word in SECRET_WORDS)


def convert_statement(stmt: ast.stmt, steps: list, notes: list[str], secrets: list[str]) -> None:
    if isinstance(stmt, ast.With):
        item = stmt.items[0].context_expr
        if isinstance(item, ast.Call) and getattr(item.func, "attr", "") == "expect_download":
            inner: list = []
            for sub in stmt.body:
                convert_statement(sub, inner, notes, secrets)
            click = next((s["click"] for s in inner if "click" in s), None)
            if click is None:
                raise Unsupported(ast.unparse(stmt))
            steps.append({"download": dict(click)})
            return
        raise Unsupported(ast.unparse(stmt).splitlines()[0])
    if not isinstance(stmt, ast.Expr) or not isinstance(stmt.value, ast.Call):
        raise Unsupported(ast.unparse(stmt).splitlines()[0])
    call = stmt.value
    func = call.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call) and \
            getattr(func.value.func, "id", "") == "expect":
        target = func.value.args[0]
        spec = EXPECTS.get(func.attr)
        if spec is None:
            raise Unsupported(ast.unparse(stmt))
        if func.attr in ("to_have_url", "to_have_title"):
            steps.append({"expect": {spec: _const(call.args[0])}})
            return
        locator = locator_of(target) or {}
        params = dict(locator)
        if isinstance(spec, dict):
            params.update(spec)
        else:
            params[spec] = _const(call.args[0])
        steps.append({"expect": params})
        return
    if not isinstance(func, ast.Attribute):
        raise Unsupported(ast.unparse(stmt))
    method = func.attr
    if method == "goto":
        steps.append({"goto": _const(call.args[0])})
        return
    if method in ("once", "on") and call.args and _const(call.args[0]) == "dialog":
        handler = ast.unparse(call.args[1]) if len(call.args) > 1 else ""
        steps.append({"dialog": "dismiss" if "dismiss" in handler else "accept"})
        return
    if method in ("close", "wait_for_timeout") or method.startswith("wait_for_load"):
        return
    if method in ACTIONS:
        locator = locator_of(func.value)
        name = ACTIONS[method]
        if locator is None:
            if method == "press":
                steps.append({"press": _const(call.args[0])})
                return
            raise Unsupported(ast.unparse(stmt))
        params = dict(locator)
        if name in ("fill", "type"):
            value = _const(call.args[0])
            if _is_secret(locator):
                secret = "PASSWORD"
                secrets.append(secret)
                value = "{{ secrets." + secret + " }}"
            params["value"] = value
        elif name == "press":
            params["key"] = _const(call.args[0])
        elif name == "select":
            params["option"] = _const(call.args[0])
        steps.append({name: params})
        return
    raise Unsupported(ast.unparse(stmt))


def _body(tree: ast.Module) -> list[ast.stmt]:
    """The statements of ``def run(playwright)`` (or of ``with sync_playwright()``), else the module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name in ("run", "main"):
            return node.body
    return tree.body


SKIP_PREFIXES = ("browser", "context", "page = ", "playwright", "# ")


def convert(source: str, filename: str = "recorded.py") -> tuple[list[dict], list[str], list[str]]:
    try:
        tree = ast.parse(source, filename)
    except SyntaxError as exc:
        raise InputError(f"Python として読めません: {exc.msg}", location=Location(filename, exc.lineno, exc.offset)) \
            from None
    steps: list[dict] = []
    notes: list[str] = []
    secrets: list[str] = []
    for stmt in _body(tree):
        text = ast.unparse(stmt)
        if isinstance(stmt, ast.Assign | ast.Import | ast.ImportFrom) or text.startswith(SKIP_PREFIXES) \
                or ".close()" in text:
            continue
        try:
            convert_statement(stmt, steps, notes, secrets)
        except Unsupported:
            notes.append(f"{filename}:{stmt.lineno}: 変換できませんでした（手で書き直してください）: {text.splitlines()[0]}")
    return steps, notes, sorted(set(secrets))


def to_yaml(steps: list[dict], notes: list[str], secrets: list[str], name: str) -> str:
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    def flow(value):
        if isinstance(value, dict):
            m = CommentedMap(value)
            m.fa.set_flow_style()
            return m
        return value

    seq = CommentedSeq()
    for step in steps:
        (key, value), = step.items()
        seq.append(CommentedMap({key: flow(value)}))
    doc = CommentedMap()
    doc["name"] = name
    doc["description"] = "playwright codegen の記録から作成"
    doc["site"] = CommentedMap({"secrets": secrets})
    doc["steps"] = seq
    yaml = YAML()
    yaml.width = 120
    yaml.allow_unicode = True
    buffer = io.StringIO()
    header = "".join(f"# {n}\n" for n in notes)
    yaml.dump(doc, buffer)
    return header + buffer.getvalue()


def from_codegen(path: Path) -> str:
    path = Path(path)
    steps, notes, secrets = convert(path.read_text(encoding="utf-8"), str(path))
    return to_yaml(steps, notes, secrets, name=path.stem)
