"""JSON Schema of scenario files, for editors (VS Code YAML: ``# yaml-language-server: $schema=…``)."""

from __future__ import annotations

from typing import Any

from robots.locators.base import LocatorSpec
from robots.model import ScenarioSpec
from robots.steps.base import load_all

STEP_REF = {"$ref": "#/$defs/Step"}


def _inline(schema: dict, defs: dict) -> dict:
    for name, sub in schema.pop("$defs", {}).items():
        defs.setdefault(name, sub)
    return schema


def step_schema(defs: dict) -> dict:
    variants: list[dict[str, Any]] = []
    names = []
    for name, step in sorted(load_all().items()):
        names.append(name)
        params = _inline(step.Params.model_json_schema(ref_template="#/$defs/{model}"), defs)
        for block in step.blocks:
            key = "else" if block == "else" else block
            if key in params.get("properties", {}):
                params["properties"][key] = {"type": "array", "items": STEP_REF}
        defs[f"{step.Params.__name__}_{name}"] = params
        ref = {"$ref": f"#/$defs/{step.Params.__name__}_{name}"}
        body: dict[str, Any] = {"anyOf": [ref]}
        if step.shorthand:
            shorthand = params.get("properties", {}).get(step.shorthand, {})
            body["anyOf"].append({k: v for k, v in shorthand.items() if k not in ("title",)} or {"type": "string"})
        if not any(f.is_required() for f in step.Params.model_fields.values()):
            body["anyOf"].append({"type": "null"})
        properties = {name: {**body, "description": step.summary}, "title": {"type": "string"},
                      "timeout": {"type": "integer", "description": "このステップの待ち時間の上限 (ミリ秒)"}}
        for block in step.blocks:
            properties[block] = {"type": "array", "items": STEP_REF}
        variants.append({"type": "object", "required": [name], "properties": properties,
                         "description": step.summary})
    variants.append({"type": "string", "enum": [n for n in names if not any(
        f.is_required() for f in load_all()[n].Params.model_fields.values())]})
    return {"anyOf": variants}


def scenario_schema() -> dict:
    defs: dict[str, Any] = {}
    schema = _inline(ScenarioSpec.model_json_schema(ref_template="#/$defs/{model}"), defs)
    locator = _inline(LocatorSpec.model_json_schema(ref_template="#/$defs/{model}"), defs)
    if "properties" in locator:  # a recursive model comes back as a $ref into $defs
        defs["LocatorSpec"] = locator
    defs["Step"] = step_schema(defs)
    props = schema["properties"]
    for key in ("setup", "steps", "teardown"):
        props[key] = {"type": "array", "items": STEP_REF, "description": props[key].get("description", "")}
    props["check"] = {"anyOf": [{"type": "array", "items": STEP_REF}, {"type": "null"}],
                      "description": props["check"].get("description", "")}
    for key in ("mask", "business_errors"):
        props[key] = {"type": "array", "items": {"$ref": "#/$defs/LocatorSpec"}}
    interrupt = defs.get("Interrupt")
    if interrupt:
        interrupt["properties"]["when"] = {"$ref": "#/$defs/LocatorSpec"}
        interrupt["properties"]["do"] = {"type": "array", "items": STEP_REF}
    schema["$defs"] = defs
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "yomikaki scenario"
    return schema
