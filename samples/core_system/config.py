"""Options of one running sample core system (built from the CLI flags)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class CoreConfig:
    db: Path
    seed: int = 1
    households: int = 800
    user: str = "staff01"
    password: str = "yomikaki-demo"
    inspect: bool = False
    fault_rate: float = 0.0
    fault_seed: int | None = None
    slow_ms: int = 0
    session_timeout: int = 1800
    random_ids: bool = False
    notice_rate: float = 0.0
    tax_seconds: float = 5.0
    max_failures: int = 5
    lockout_seconds: int = 15 * 60
    page_size: int = 20

    def __post_init__(self) -> None:
        self.db = Path(self.db).resolve()

    @property
    def results_dir(self) -> Path:
        return self.db.parent / (self.db.stem + "_results")
