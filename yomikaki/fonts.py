"""Where the IPAex fonts are: the city's print fonts, used by the OCR glyph reader, the
printed-word reader and the sample form generator (one lookup for all three)."""

from __future__ import annotations

import os
from pathlib import Path

IPAEX_FILES = {"gothic": "ipaexg.ttf", "mincho": "ipaexm.ttf"}
IPAEX_DIRS = (
    "/usr/share/fonts/opentype/ipaexfont-gothic",
    "/usr/share/fonts/opentype/ipaexfont-mincho",
    "/usr/share/fonts/truetype/ipaexfont",
    "/usr/share/fonts/opentype/ipaexfont",
    "/usr/local/share/fonts",
)
MISSING_HINT = "apt-get install fonts-ipaexfont か、YOMIKAKI_IPAEX_DIR にフォルダを指定してください"


def ipaex_path(file_name: str) -> Path | None:
    """The installed ``ipaexg.ttf`` / ``ipaexm.ttf`` (``YOMIKAKI_IPAEX_DIR`` first), or None."""
    dirs = [os.environ["YOMIKAKI_IPAEX_DIR"]] if os.environ.get("YOMIKAKI_IPAEX_DIR") else []
    for folder in [*dirs, *IPAEX_DIRS]:
        path = Path(folder) / file_name
        if path.is_file():
            return path
    return None
