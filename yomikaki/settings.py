"""Typed settings, one model per concern.

Sources, highest priority first: constructor arguments, ``YOMIKAKI_*`` environment variables
(nested with ``__``: ``YOMIKAKI_ROBOTS__MAX_RETRIES=3``), ``yomikaki.toml`` in the working
directory (path overridable with ``YOMIKAKI_CONFIG``), then defaults. No file is needed.
"""

from __future__ import annotations

import os
import shutil
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
# Debian's "old headless" build of the same Chromium: what Playwright itself uses for headless runs.
# It has no browser UI to drive, so each page costs the 2-core robot PC far less CPU.
HEADLESS_SHELL_CANDIDATES = ("/usr/bin/chromium-headless-shell",)


class BrowserSettings(BaseModel):
    chromium_path: Path | None = Field(
        default=None, description="Chromium executable; auto-detected when unset"
    )
    headless: bool = True
    headless_shell: bool = Field(
        True, description="headless runs use chromium-headless-shell when it is installed (and chromium_path is unset)"
    )
    slow_mo_ms: int = 0
    default_timeout_ms: int = 10_000


class RobotSettings(BaseModel):
    max_retries: int = Field(2, description="system-error retries per item (one owner of retries)")
    max_consecutive_system_errors: int = 5
    lease_seconds: int = 120
    evidence_retention_days: int = 30


class OcrSettings(BaseModel):
    workers: int = 1
    cluster: str | None = Field(None, description="Dask scheduler address, e.g. tcp://host:8786")
    max_pixels: int = 60_000_000
    tesseract_cmd: str = "tesseract"
    dpi: int = 300
    review_minutes_per_field: float = Field(
        0.25,
        description="reviewer minutes per reviewed field (look at the crop, confirm or retype), "
        "for the hours-saved ledger; measure it like manual_minutes_per_item",
    )
    review_process_id: str = Field(
        "benefit-registration",
        description="ledger process charged with review minutes: the business process the confirmed rows feed",
    )
    application_date_from: str = Field("2026-01-01", description="申請日 accepted from (ISO date)")
    application_date_to: str = Field("2026-12-31", description="申請日 accepted until (ISO date)")


class SmtpSettings(BaseModel):
    host: str | None = None
    port: int = 25
    sender: str = "yomikaki@localhost"
    recipients: list[str] = []
    username: str | None = None
    password_secret: str | None = Field(None, description="name of the secret holding the password")
    starttls: bool = False


class SchedulerSettings(BaseModel):
    jobs_file: Path = Path("samples/jobs.yaml")
    shutdown_grace_seconds: int = 300
    default_misfire_grace_seconds: int = 6 * 3600
    timezone: str = "Asia/Tokyo"
    lock_stale_seconds: int = Field(60, description="a scheduler lock without heartbeat this long may be taken over")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="YOMIKAKI_",
        env_nested_delimiter="__",
        extra="ignore",
    )

    data_dir: Path = Path("var")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default sqlite:///<data_dir>/yomikaki.db"
    )
    log_level: str = "INFO"
    browser: BrowserSettings = BrowserSettings()
    robots: RobotSettings = RobotSettings()
    ocr: OcrSettings = OcrSettings()
    scheduler: SchedulerSettings = SchedulerSettings()
    smtp: SmtpSettings = SmtpSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = Path(os.environ.get("YOMIKAKI_CONFIG", "yomikaki.toml"))
        return (
            init_settings,
            env_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=toml_file),
        )

    # -- derived paths -------------------------------------------------------------------
    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'yomikaki.db').resolve()}"

    @property
    def evidence_dir(self) -> Path:
        return self.data_dir / "evidence"

    @property
    def outputs_dir(self) -> Path:
        return self.data_dir / "outputs"

    def chromium_executable(self, *, headless: bool = False) -> Path | None:
        """The configured Chromium, else Debian's, else Playwright's own (if installed).

        Headless runs prefer Debian's chromium-headless-shell (same engine and version, no UI).
        """
        if self.browser.chromium_path:
            return self.browser.chromium_path
        if headless and self.browser.headless_shell:
            for candidate in HEADLESS_SHELL_CANDIDATES:
                if Path(candidate).exists():
                    return Path(candidate)
        for candidate in CHROMIUM_CANDIDATES:
            if Path(candidate).exists():
                return Path(candidate)
        found = shutil.which("chromium")
        return Path(found) if found else None  # None: let Playwright use its own build


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings_cache() -> None:
    get_settings.cache_clear()
