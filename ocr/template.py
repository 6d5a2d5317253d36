"""Form templates: the YAML model and its loader (errors carry the YAML line number).

A template names the form, how to recognise it (QR code, title text, corner marks), the blank
reference image and every field zone in millimetres. ``load_template("benefit-application")``
finds ``samples/forms/benefit-application/template.yaml``; a path to a YAML file works too.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from yomikaki.errors import InputError, Location

REPO = Path(__file__).resolve().parents[1]
FORMS_DIR = REPO / "samples" / "forms"

FieldType = Literal[
    "qr",
    "printed_text",
    "printed_choice",
    "handwritten_text",
    "handwritten_digits",
    "boxed_digits",
    "boxed_date",
    "boxed_kana",
    "tick_box",
    "tick_group",
    "seal",
    "table",
]
Zone = tuple[float, float, float, float]  # x, y, width, height in mm
CHARSET_NAMES = {"all", "kanji", "hiragana", "katakana", "digits", "latin", "symbols"}  # ocr.glyphs.bank


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PageSize(_Strict):
    width_mm: float = 210.0
    height_mm: float = 297.0


class TitleRule(_Strict):
    zone: Zone
    text: str
    min_similarity: float = 0.6


class Marks(_Strict):
    size_mm: float
    centres: list[tuple[float, float]] = Field(min_length=4, max_length=4)


class Recognise(_Strict):
    qr_field: str | None = None
    qr_pattern: str = r"^\d{10}$"
    title: TitleRule | None = None
    marks: Marks | None = None


class Engine(_Strict):
    """How printed/handwritten lines are read: ``reader: tesseract`` (default) or ``reader: glyph``
    (template matching against known print fonts, falling back to tesseract on lines that do
    not match them; see docs/templates.md)."""

    reader: Literal["tesseract", "glyph"] = "tesseract"
    lang: str = "jpn"
    psm: int = 7
    scale: float = 1.0
    whitelist: str | None = None
    # reader: glyph
    fonts: list[Literal["ipaex-gothic", "ipaex-mincho"]] = ["ipaex-gothic", "ipaex-mincho"]
    charset: list[str] = []  # named sets (kanji, hiragana, katakana, digits, latin, symbols) or characters
    fallback: Literal["tesseract", "none"] = "tesseract"
    # structured lines (dates, postal codes, ids): a regular expression the whole line fits;
    # a damaged line that fits it with every digit read clearly keeps the glyph read
    pattern: str | None = None

    @model_validator(mode="after")
    def _check_glyph(self) -> Engine:
        if self.reader == "glyph" and not self.fonts:
            raise ValueError("reader: glyph needs at least one font in 'fonts'")
        if self.pattern is not None:
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ValueError(f"pattern is not a valid regular expression: {exc}") from None
        for entry in self.charset:
            if entry.isascii() and entry.isalpha() and entry not in CHARSET_NAMES:
                raise ValueError(_unknown("charset", entry, sorted(CHARSET_NAMES)))
        return self


class Column(_Strict):
    key: str
    type: FieldType
    x: float
    width: float
    engine: str | None = None
    normalizer: str | None = None
    choices: list[str] = []


class FieldSpec(_Strict):
    key: str
    type: FieldType
    zone: Zone | None = None
    engine: str | None = None
    normalizer: str | None = None
    validators: list[str] = []
    review_threshold: float | None = None
    internal: bool = False
    fallback: list[str] = []
    boxes: int | None = None
    options: dict[str, Zone] = {}
    choices: list[str] = []
    lexicon: str | None = None
    min_red_ratio: float = 0.012
    # boxed_date
    parts: dict[str, Zone] = {}
    era_year_offset: int = 2018
    # table
    rows: list[tuple[float, float]] = []
    columns: list[Column] = []

    @model_validator(mode="after")
    def _check(self) -> FieldSpec:
        needs_zone = self.type not in ("tick_group", "table", "boxed_date")
        if needs_zone and self.zone is None:
            raise ValueError(f"field '{self.key}' ({self.type}) needs a zone [x, y, width, height]")
        if self.type in ("boxed_digits", "boxed_kana") and not self.boxes:
            raise ValueError(f"field '{self.key}' ({self.type}) needs 'boxes' (the box count)")
        if self.type == "tick_group" and len(self.options) < 2:
            raise ValueError(f"field '{self.key}' (tick_group) needs at least two options")
        if self.type == "table" and (not self.rows or not self.columns):
            raise ValueError(f"field '{self.key}' (table) needs 'rows' and 'columns'")
        if self.type == "boxed_date" and set(self.parts) != {"year", "month", "day"}:
            raise ValueError(f"field '{self.key}' (boxed_date) needs parts year, month and day")
        return self


class Template(_Strict):
    id: str
    title: str = ""
    page: PageSize = PageSize()
    blank: str
    review_threshold: float = 0.9
    recognise: Recognise = Recognise()
    engines: dict[str, Engine] = {"printed": Engine()}
    fields: list[FieldSpec]
    folder: Path = Path(".")

    @model_validator(mode="after")
    def _check_refs(self) -> Template:
        keys = [f.key for f in self.fields]
        dupes = {k for k in keys if keys.count(k) > 1}
        if dupes:
            raise ValueError(f"duplicate field keys: {', '.join(sorted(dupes))}")
        for spec in self.fields:
            if spec.engine and spec.engine not in self.engines:
                raise ValueError(f"field '{spec.key}': " + _unknown("engine", spec.engine, list(self.engines)))
            for col in spec.columns:
                if col.engine and col.engine not in self.engines:
                    raise ValueError(f"field '{spec.key}.{col.key}': "
                                     + _unknown("engine", col.engine, list(self.engines)))
            for name in spec.fallback:
                if name not in keys:
                    raise ValueError(_unknown("fallback field", name, keys))
        return self

    @property
    def blank_path(self) -> Path:
        return self.folder / self.blank

    def field(self, key: str) -> FieldSpec:
        for spec in self.fields:
            if spec.key == key:
                return spec
        raise KeyError(_unknown("field", key, [f.key for f in self.fields]))

    def threshold(self, spec: FieldSpec) -> float:
        return spec.review_threshold if spec.review_threshold is not None else self.review_threshold


def _unknown(kind: str, name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else f" (known: {', '.join(known)})"
    return f"unknown {kind} '{name}'{hint}"


def available_templates() -> list[str]:
    return sorted(p.parent.name for p in FORMS_DIR.glob("*/template.yaml"))


def resolve_template_path(name_or_path: str | Path) -> Path:
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml"):
        if not path.exists():
            raise InputError(f"テンプレートが見つかりません: {path}")
        return path
    if path.is_dir() and (path / "template.yaml").exists():
        return path / "template.yaml"
    candidate = FORMS_DIR / str(name_or_path) / "template.yaml"
    if candidate.exists():
        return candidate
    known = available_templates()
    close = difflib.get_close_matches(str(name_or_path), known, n=1)
    hint = f"もしかして '{close[0]}' ですか?" if close else f"登録済み: {', '.join(known) or 'なし'}"
    raise InputError(f"テンプレート '{name_or_path}' がありません", hint=hint)


def _line_of(node, loc: tuple) -> int | None:
    """1-based YAML line of the deepest node on a pydantic error path."""
    line = None
    for part in loc:
        try:
            if isinstance(part, int) and hasattr(node, "lc"):
                line = node.lc.item(part)[0] + 1
                node = node[part]
            elif hasattr(node, "lc") and part in node:
                line = node.lc.key(part)[0] + 1
                node = node[part]
            else:
                break
        except (KeyError, IndexError, TypeError, AttributeError):
            break
    return line


def parse_template(text: str, *, source: str = "<template>", folder: Path = Path(".")) -> Template:
    yaml = YAML(typ="rt")
    try:
        doc = yaml.load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise InputError(f"YAML の書式が正しくありません: {getattr(exc, 'problem', exc)}",
                         location=Location(source, line)) from None
    if not isinstance(doc, dict):
        raise InputError("テンプレートの最上位は key: value の形式にしてください",
                         location=Location(source, 1))
    try:
        return Template.model_validate({**_plain(doc), "folder": folder})
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            line = _line_of(doc, tuple(err["loc"]))
            where = ".".join(str(p) for p in err["loc"])
            msg = err["msg"].removeprefix("Value error, ")
            if line is None:
                line = _field_line(doc, msg)
            problems.append((line, f"{where}: {msg}" if where else msg))
        line, msg = problems[0]
        more = f" (他 {len(problems) - 1} 件)" if len(problems) > 1 else ""
        raise InputError(f"テンプレートの項目が正しくありません: {msg}{more}",
                         location=Location(source, line)) from None


def _field_line(doc, msg: str) -> int | None:
    """The YAML line of the field a whole-template error names (``field 'members.name': …``)."""
    match = re.match(r"field '([^'.]+)", msg)
    fields = doc.get("fields") if isinstance(doc, dict) else None
    if not match or not isinstance(fields, list):
        return None
    for index, spec in enumerate(fields):
        if isinstance(spec, dict) and spec.get("key") == match.group(1):
            return _line_of(doc, ("fields", index))
    return None


def _plain(node):
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


@lru_cache(maxsize=8)
def load_template(name_or_path: str | Path = "benefit-application") -> Template:
    path = resolve_template_path(name_or_path)
    return parse_template(path.read_text(encoding="utf-8"), source=str(path), folder=path.parent)
