"""Sample forms: the benefit application (blank, template) and a generator of filled,
"scanned" forms with ground truth. See ``samples/forms/README.md``.

``from samples.forms import generate_batch`` is the public entry point (imported lazily, so
importing the package stays cheap).
"""

from __future__ import annotations

__all__ = ["generate_batch"]


def __getattr__(name: str):
    if name == "generate_batch":
        from samples.forms.generator import generate_batch

        return generate_batch
    raise AttributeError(f"module 'samples.forms' has no attribute {name!r}")
