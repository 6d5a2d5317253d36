"""Import a corrected review workbook: check its structure, re-validate every field, write
the confirmed rows, record the corrections. Nothing is written when anything is wrong
(unless ``partial``: then the valid rows, plus a workbook of the rejected rows with reasons).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from zipfile import BadZipFile

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from ocr.normalize import field_value
from ocr.review import checks, output
from ocr.review.layout import FIRST_DATA_ROW, SHEET_REVIEW, columns_from_meta, unflatten_fields
from ocr.review.sheets import read_data, read_meta
from ocr.review.values import FormulaInCell, from_cell_text, read_cell_text, same_text
from yomikaki.errors import InputError, ValidationFailed
from yomikaki.settings import Settings, get_settings

OUTPUT_SUFFIXES = (".jsonl", ".csv", ".xlsx")


@dataclass
class ImportResult:
    out: Path | None
    export_id: str
    rows_total: int
    rows_accepted: int
    rows_rejected: int
    corrections: int
    fields_checked: int
    fields_reviewed: int
    modified_by: str
    rejected_workbook: Path | None = None
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    replaced_earlier_import: bool = False


@dataclass
class RowOutcome:
    seq: int
    excel_row: int | None
    source: str
    page: int
    texts: dict[str, str | None]  # cell texts as the reviewer left them
    fields: dict | None = None  # canonical, when valid
    problems: list[str] = field(default_factory=list)


def open_review_workbook(path: Path):
    """Open a review workbook and return (wb, meta, data, columns); fatal problems raise."""
    if not path.is_file():
        raise InputError(f"ワークブックが見つかりません: {path}")
    try:
        wb = load_workbook(path, read_only=True, data_only=False)
    except (BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputError(f"{path.name}: Excel ワークブック (.xlsx) として開けません ({type(exc).__name__})",
                         hint="Excel で「Excel ブック (*.xlsx)」形式で保存し直してください") from exc
    meta = read_meta(wb)
    if meta is None:
        raise InputError(f"{path.name}: yomikaki の確認用ワークブックではありません（隠しシート _meta がないか壊れています）",
                         hint="yomikaki ocr review export で作ったワークブックを取り込んでください")
    data = read_data(wb)
    if data is None or len(data) != meta["rows"]:
        raise ValidationFailed([f"{path.name}: 隠しシート _data が編集されたか壊れています"],
                               title="ワークブックの構成に問題があります")
    if SHEET_REVIEW not in wb.sheetnames:
        raise ValidationFailed([f"{path.name}: シート「{SHEET_REVIEW}」がありません（名前を変えないでください）"],
                               title="ワークブックの構成に問題があります")
    return wb, meta, data, columns_from_meta(meta["columns"])


def read_review_rows(wb, meta: dict, data: dict, columns) -> tuple[list[RowOutcome], list[str]]:
    """Read the 確認 sheet: identity checks and cell texts per row (no field validation yet).

    Returns (rows, problems not tied to a present row — e.g. deleted rows).
    """
    ws = wb[SHEET_REVIEW]
    header_problems = checks.check_headers(ws, columns)
    if header_problems:
        raise ValidationFailed(header_problems, title="列の構成が変わっています（取り込めません）")
    index = {c.id: i for i, c in enumerate(columns)}
    rows: list[RowOutcome] = []
    seen: dict[int, RowOutcome] = {}
    last_seq = 0
    for r, cells in enumerate(ws.iter_rows(min_row=FIRST_DATA_ROW, max_col=len(columns)), FIRST_DATA_ROW):
        cells = list(cells) + [None] * (len(columns) - len(cells))
        if all(c is None or c.value is None for c in cells):
            continue
        outcome = checks.check_identity(r, cells, columns, index, meta, data)
        if outcome.seq in seen:
            first = seen[outcome.seq]
            msg = f"{SHEET_REVIEW}!A{r}: {first.excel_row} 行目と同じ申請書の行が重複しています（行をコピーしないでください）"
            outcome.problems.append(msg)
            if not any("重複" in p for p in first.problems):
                first.problems.append(f"{SHEET_REVIEW}!A{first.excel_row}: {r} 行目に同じ申請書の行が重複しています")
        elif outcome.seq > 0:
            seen[outcome.seq] = outcome
            if outcome.seq < last_seq:
                expected = FIRST_DATA_ROW + outcome.seq - 1
                outcome.problems.append(f"{SHEET_REVIEW}!A{r}: 行の順序が変わっています（No. {outcome.seq} は "
                                        f"{expected} 行目にあるはずです。並べ替えないでください）")
            last_seq = max(last_seq, outcome.seq)
        for col in columns:
            if col.role not in ("value", "crop"):
                continue
            cell = cells[index[col.id]]
            ref = f"{SHEET_REVIEW}!{get_column_letter(index[col.id] + 1)}{r}"
            if col.role == "crop":
                if cell is not None and cell.value not in (None, ""):
                    value_header = col.header.removesuffix("（画像）")
                    outcome.problems.append(f"{ref}: 「{col.header}」の列には入力できません。"
                                            f"値は「{value_header}」の列に入力してください")
                continue
            try:
                outcome.texts[col.field] = read_cell_text(cell) if cell is not None else None
            except FormulaInCell:
                outcome.problems.append(f"{ref}: 数式は入力できません（値を直接入力してください）")
                outcome.texts[col.field] = None
        rows.append(outcome)
    missing = []
    for seq in sorted(set(data) - set(seen)):
        d = data[seq]
        missing.append(RowOutcome(seq, None, d["source"], d["page"], dict(d["original"]["cells"]),
                                  problems=[f"{SHEET_REVIEW}: No. {seq}（{d['source']} {d['page']}ページ）の行が削除されています"]))
    return rows, missing


def validate_row(outcome: RowOutcome, columns, index, member_groups: int) -> None:
    """Turn a row's texts into canonical fields with the pipeline's normaliser and validators."""
    from ocr.review import rules

    refs = {}
    flat: dict[str, object] = {}
    # cells already reported (a formula, an unreadable choice) get no second message
    reported = {c.field for c in columns if c.role == "value"
                and any(p.startswith(f"{SHEET_REVIEW}!{get_column_letter(index[c.id] + 1)}{outcome.excel_row}:")
                        for p in outcome.problems)}
    for col in columns:
        if col.role != "value":
            continue
        ref = f"{SHEET_REVIEW}!{get_column_letter(index[col.id] + 1)}{outcome.excel_row}"
        refs[col.field] = ref
        raw, problem = from_cell_text(col, outcome.texts.get(col.field))
        if problem:
            outcome.problems.append(f"{ref}: {col.header}: {problem}")
            reported.add(col.field)
            continue
        value, problem = rules.normalise(col.field, raw)
        if problem:
            outcome.problems.append(f"{ref}: {problem}")
        flat[col.field] = value
    fields = unflatten_fields(flat, member_groups)
    for key, messages in rules.validate(fields).items():
        path = key if key in refs else _member_ref(key, fields)
        if path in reported:
            continue
        ref = refs.get(path) or f"{SHEET_REVIEW}!A{outcome.excel_row}"
        outcome.problems.extend(f"{ref}: {m}" for m in messages)
    if not outcome.problems:
        outcome.fields = fields


def _member_ref(key: str, fields: dict) -> str:
    """A validator key for members ('members', 'members[1].name', 'members.0.name') → a column path."""
    text = key.replace("[", ".").replace("]", "")
    parts = [p for p in text.split(".") if p]
    if parts and parts[0] == "members":
        if len(parts) >= 3 and parts[1].isdigit():
            return f"members.{parts[1]}.{parts[2]}"
        return "members.1.name"
    return key


def import_review(workbook: Path, out: Path, *, partial: bool = False,
                  settings: Settings | None = None) -> ImportResult:
    started_at = datetime.now(UTC)
    t0 = time.perf_counter()
    workbook, out = Path(workbook), Path(out)
    if out.suffix.lower() not in OUTPUT_SUFFIXES:
        raise InputError(f"出力ファイルの形式が分かりません: {out.name}（.xlsx / .csv / .jsonl のどれかにしてください）")
    wb, meta, data, columns = open_review_workbook(workbook)
    try:
        checks.check_export_known(workbook, meta, data, settings)
        rows, missing = read_review_rows(wb, meta, data, columns)
        modified_by = (wb.properties.lastModifiedBy or "").strip()
        modified_at = wb.properties.modified
    finally:
        wb.close()
    index = {c.id: i for i, c in enumerate(columns)}
    for outcome in rows:
        if outcome.seq > 0:
            validate_row(outcome, columns, index, meta["member_groups"])
    accepted = [o for o in rows if o.fields is not None and not o.problems]
    rejected = [o for o in rows if o not in accepted] + missing
    problems = [p for o in sorted(rejected, key=lambda o: (o.excel_row or 10**9, o.seq)) for p in o.problems]
    if problems and not partial:
        raise ValidationFailed(problems, title=f"{workbook.name} を取り込めません。次の箇所を直してください")
    accepted.sort(key=lambda o: o.seq)
    confirmed = [{"source": o.source, "page": o.page, **o.fields} for o in accepted]
    rejected_path = out.with_name(f"{out.stem}_rejected.xlsx")
    if rejected:
        output.write_rejected(rejected_path, rejected, columns)
    else:
        rejected_path.unlink(missing_ok=True)  # a list from an earlier import would mislead
        rejected_path = None
    output.write_confirmed(out, confirmed)
    corrections, totals, reviewed = _corrections(accepted, data)
    from ocr.review.corrections import record_import
    replaced, previously_reviewed = record_import(
                  meta["export_id"], workbook=str(workbook.resolve()), modified_by=modified_by,
                  modified_at=modified_at, rows_total=len(rows) + len(missing),
                  rows_accepted=len(accepted), rows_rejected=len(rejected),
                  field_totals=totals, corrections=corrections, settings=settings)
    result = ImportResult(out, meta["export_id"], len(rows) + len(missing), len(accepted), len(rejected),
                          len(corrections), sum(t[0] for t in totals.values()), reviewed, modified_by,
                          rejected_path, problems, time.perf_counter() - t0, replaced)
    _record_ledger(result, meta, started_at, max(0, reviewed - previously_reviewed), settings)
    try:
        from yomikaki.audit import record
        record("ocr.review.import", workbook.name, settings=settings, export_id=meta["export_id"],
               accepted=len(accepted), rejected=len(rejected), corrections=len(corrections),
               modified_by=modified_by)
    except Exception:  # never lose an import that was written because of the audit log
        pass
    return result


def _corrections(accepted: list[RowOutcome], data: dict):
    from ocr.review.corrections import Correction

    corrections, totals, reviewed = [], {}, 0
    for o in accepted:
        original = data[o.seq]["original"]
        flagged = set(original.get("review") or [])
        for path, before in original["cells"].items():
            after = o.texts.get(path)
            if before is None and after is None:
                continue
            acc = totals.setdefault(path, [0, 0])
            acc[0] += 1
            acc[1] += path in flagged
            reviewed += path in flagged
            if not same_text(before, after):
                reviewed += path not in flagged
                corrections.append(Correction(o.source, o.page, path, before, _canonical_text(o.fields, path),
                                              path in flagged))
    return corrections, totals, reviewed


def _canonical_text(fields: dict, path: str) -> str | None:
    value = field_value(fields, path)
    if value is None:
        return None
    return str(value).lower() if isinstance(value, bool) else str(value)


def _record_ledger(result: ImportResult, meta: dict, started_at: datetime, new_reviewed: int,
                   settings: Settings | None) -> None:
    """Reviewer time goes to the hours-saved ledger as a cost (the saved keying is the OCR run's).

    Only fields not counted by an earlier import of the same export add minutes.
    """
    if result.replaced_earlier_import and not new_reviewed:
        return
    try:
        from scheduler.ledger import record_run
    except ImportError:
        return
    cfg = (settings or get_settings()).ocr
    minutes_per_field = float(getattr(cfg, "review_minutes_per_field", 0.5))
    process_id = str(getattr(cfg, "review_process_id", None) or meta.get("form") or "benefit-application")
    record_run(process_id=process_id, kind="review", started_at=started_at, ended_at=datetime.now(UTC),
               status="ok" if not result.rows_rejected else "partial", items_total=result.rows_total,
               items_done=0, items_failed=0, manual_minutes_per_item=0.0,
               review_minutes=round(new_reviewed * minutes_per_field, 2),
               run_ref=f"review:{result.export_id}", settings=settings)
