"""The pipeline's own normaliser and validators, applied to reviewer edits (never a copy)."""

from __future__ import annotations

from yomikaki.errors import ConfigError


def normalise(path: str, raw: object) -> tuple[object, str | None]:
    """(canonical value, problem) for one cell; booleans are already parsed by the workbook."""
    if raw is None or isinstance(raw, bool):
        return raw, None
    try:
        from ocr.normalize import normalize_field
    except ImportError as exc:  # pragma: no cover - the pipeline ships both modules
        raise ConfigError("ocr.normalize が見つかりません（OCR パイプラインのインストールを確認してください）") from exc
    return normalize_field(path, raw), None


def validate(fields: dict) -> dict[str, list[str]]:
    """Every problem of a form's canonical fields, keyed by field (``members.N.sub`` for members)."""
    try:
        from ocr.validate import validate_fields
    except ImportError as exc:  # pragma: no cover
        raise ConfigError("ocr.validate が見つかりません（OCR パイプラインのインストールを確認してください）") from exc
    result = validate_fields(fields)
    return {str(k): [str(m) for m in v] for k, v in (result or {}).items() if v}
