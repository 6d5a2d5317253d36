"""Field readers, one module per field type (see ``base.py``)."""

from ocr.readers import boxes, choice, marks, qr, text  # noqa: F401  (register the readers)
from ocr.readers.base import FieldRead, Item, PageContext, Reader, get_reader

__all__ = ["FieldRead", "Item", "PageContext", "Reader", "get_reader"]
