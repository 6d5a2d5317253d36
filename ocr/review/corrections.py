"""What reviewers did: exports, imports and every correction, in the project database.

Tables (declared on ``yomikaki.db.Base``):

* ``review_exports``      one row per exported workbook (id, row hashes) — an import checks
                          that its workbook belongs to a known export
* ``review_imports``      one row per imported export: who, when, and per field how many
                          values were checked / flagged for review
* ``review_corrections``  one row per value a reviewer changed: OCR value → corrected value

Importing the same export again replaces its import and corrections (the latest wins).
``stats()`` gives, per field, how often reviewers changed the OCR value: the real-world
accuracy of the pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import JSON, Boolean, DateTime, Integer, String, Text, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from yomikaki.db import Base, session_scope
from yomikaki.settings import Settings


class ReviewExport(Base):
    __tablename__ = "review_exports"

    export_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    form: Mapped[str] = mapped_column(String(80), default="")
    rows: Mapped[int] = mapped_column(Integer, default=0)
    workbook: Mapped[str] = mapped_column(Text, default="")
    rows_file: Mapped[str] = mapped_column(Text, default="")
    row_hashes: Mapped[list] = mapped_column(JSON, default=list)


class ReviewImport(Base):
    __tablename__ = "review_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    export_id: Mapped[str] = mapped_column(String(40), index=True)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    workbook: Mapped[str] = mapped_column(Text, default="")
    modified_by: Mapped[str] = mapped_column(String(200), default="")
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_accepted: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    # {field: [values checked, values flagged for review]}
    field_totals: Mapped[dict] = mapped_column(JSON, default=dict)


class ReviewCorrection(Base):
    __tablename__ = "review_corrections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    export_id: Mapped[str] = mapped_column(String(40), index=True)
    source: Mapped[str] = mapped_column(Text)
    page: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(80), index=True)
    ocr_value: Mapped[str | None] = mapped_column(Text, nullable=True)
    corrected_value: Mapped[str | None] = mapped_column(Text, nullable=True)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    modified_by: Mapped[str] = mapped_column(String(200), default="")
    workbook_modified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class Correction:
    source: str
    page: int
    field: str
    ocr_value: str | None
    corrected_value: str | None
    flagged: bool


@dataclass(frozen=True)
class FieldStat:
    field: str
    checked: int  # values imported
    flagged: int  # of those, sent to review by the pipeline
    changed: int  # values the reviewers changed
    changed_flagged: int  # changes among the flagged ones
    changed_unflagged: int  # changes among auto-accepted values (pipeline errors that slipped)

    @property
    def change_rate(self) -> float:
        return self.changed / self.checked if self.checked else 0.0

    @property
    def accuracy(self) -> float:
        """Share of OCR values the reviewers left unchanged."""
        return 1.0 - self.change_rate


def stat_key(field: str) -> str:
    """'members.3.name' → 'members.name' (member rows are pooled)."""
    parts = field.split(".")
    return f"members.{parts[2]}" if len(parts) == 3 and parts[0] == "members" else field


def register_export(export_id: str, *, form: str, rows: int, workbook: str, rows_file: str,
                    row_hashes: list[str], settings: Settings | None = None) -> None:
    with session_scope(settings) as session:
        session.merge(ReviewExport(export_id=export_id, created_at=datetime.now(UTC), form=form,
                                   rows=rows, workbook=workbook, rows_file=rows_file,
                                   row_hashes=row_hashes))


def find_export(export_id: str, settings: Settings | None = None) -> ReviewExport | None:
    with session_scope(settings) as session:
        return session.get(ReviewExport, export_id)


def record_import(export_id: str, *, workbook: str, modified_by: str, modified_at: datetime | None,
                  rows_total: int, rows_accepted: int, rows_rejected: int,
                  field_totals: dict[str, list[int]], corrections: list[Correction],
                  settings: Settings | None = None) -> tuple[bool, int]:
    """Store one import and its corrections, replacing an earlier import of the same export.

    Returns (an earlier import was replaced, fields that earlier import counted as reviewed),
    so reviewer time is not counted twice when a workbook comes back a second time.
    """
    now = datetime.now(UTC)
    with session_scope(settings) as session:
        previous = 0
        for imp in session.scalars(select(ReviewImport).where(ReviewImport.export_id == export_id)):
            previous = max(previous, sum(int(v[1]) for v in (imp.field_totals or {}).values()))
        previous += len(session.scalars(select(ReviewCorrection.id).where(
            ReviewCorrection.export_id == export_id, ReviewCorrection.flagged.is_(False))).all())
        session.execute(delete(ReviewCorrection).where(ReviewCorrection.export_id == export_id))
        replaced = session.execute(delete(ReviewImport).where(ReviewImport.export_id == export_id)).rowcount > 0
        row = ReviewImport(export_id=export_id, imported_at=now, workbook=workbook,
                           modified_by=modified_by, rows_total=rows_total,
                           rows_accepted=rows_accepted, rows_rejected=rows_rejected,
                           field_totals=field_totals)
        session.add(row)
        session.add_all(
            ReviewCorrection(export_id=export_id, source=c.source, page=c.page, field=c.field,
                             ocr_value=c.ocr_value, corrected_value=c.corrected_value,
                             flagged=c.flagged, modified_by=modified_by,
                             workbook_modified_at=modified_at, recorded_at=now)
            for c in corrections
        )
        session.flush()
        return replaced, previous


def corrections_for(export_id: str, settings: Settings | None = None) -> list[ReviewCorrection]:
    with session_scope(settings) as session:
        return list(session.scalars(select(ReviewCorrection)
                                    .where(ReviewCorrection.export_id == export_id)
                                    .order_by(ReviewCorrection.id)))


def stats(settings: Settings | None = None) -> list[FieldStat]:
    """Per field (members pooled): values checked, flagged, and changed by reviewers."""
    checked: dict[str, list[int]] = {}
    changed: dict[str, list[int]] = {}
    with session_scope(settings) as session:
        for imp in session.scalars(select(ReviewImport)):
            for field, (n_checked, n_flagged) in (imp.field_totals or {}).items():
                acc = checked.setdefault(stat_key(field), [0, 0])
                acc[0] += int(n_checked)
                acc[1] += int(n_flagged)
        for corr in session.scalars(select(ReviewCorrection)):
            acc = changed.setdefault(stat_key(corr.field), [0, 0])
            acc[0 if corr.flagged else 1] += 1
    out = []
    for field in sorted(set(checked) | set(changed)):
        n_checked, n_flagged = checked.get(field, [0, 0])
        c_flagged, c_unflagged = changed.get(field, [0, 0])
        out.append(FieldStat(field, n_checked, n_flagged, c_flagged + c_unflagged, c_flagged, c_unflagged))
    return out
