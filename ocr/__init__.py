"""OCR pipeline: load, clean, align, classify, read fields, normalise/validate, review, evaluate."""
