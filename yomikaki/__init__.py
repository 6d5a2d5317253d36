"""yomikaki (読み書き): RPA + AI-OCR toolkit for Japanese municipal back offices.

The app shell: the ``yomikaki`` CLI, settings, database, audit log and redaction.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("yomikaki")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+local"

__all__ = ["__version__"]
