"""A stand-in for the city's packaged core system (Flask + SQLite, Japanese screens).

Public API: ``generate_households(seed, count)`` (the seed data, no server needed),
``CoreSystemProcess`` (start it in a subprocess), ``create_app(CoreConfig(...))`` (in-process).
Screens: SCREENS.md; start it with ``yomikaki sample-system serve``.
"""

from samples.core_system.seed import generate_households

__all__ = ["generate_households"]
