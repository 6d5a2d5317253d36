"""The jobs file (YAML): calendar, jobs, what each runs and when. The source of truth.

Loaded with ruamel.yaml so every problem is reported as ``file:line:col: message`` and unknown
keys get a "did you mean". See samples/jobs.yaml and docs/operations.md for the format.
"""

from __future__ import annotations

import difflib
import importlib
import re
from datetime import date, time
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from scheduler.calendar import CalendarConfig, ClosurePeriod, load_excluded_csv, parse_month_day
from scheduler.rules import (
    CRON_FIELDS,
    CronRule,
    DateRule,
    MonthlyRule,
    WeeklyRule,
    YearlyRule,
    parse_weekday,
)
from yomikaki.errors import InputError, Location, ValidationFailed

JOB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
FUNCTION_REF = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")
DURATION = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


def parse_duration(value: Any) -> int:
    """``3600`` / ``"30m"`` / ``"6h"`` / ``"2d"`` → seconds."""
    if isinstance(value, bool):
        raise ValueError("秒数か 30m / 6h / 2d の形で書いてください")
    if isinstance(value, int):
        return value
    match = DURATION.match(str(value))
    if not match:
        raise ValueError(f"'{value}' は時間の長さではありません (例: 600, 30m, 6h, 2d)")
    number, unit = int(match.group(1)), match.group(2) or "s"
    return number * {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit]


class ClosureSpec(_Model):
    start: str = Field("12-29", alias="from")
    end: str = Field("01-03", alias="to")
    name: str = "年末年始休業"

    @field_validator("start", "end")
    @classmethod
    def _month_day(cls, value: str) -> str:
        parse_month_day(value)
        return value


class LocalHolidaySpec(_Model):
    date: str = Field(description="YYYY-MM-DD (that year only) or MM-DD (every year)")
    name: str = "市の休日"

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: Any) -> str:
        if isinstance(value, date):
            return value.isoformat()
        text = str(value).strip()
        if len(text) == 10:
            date.fromisoformat(text)
        else:
            parse_month_day(text)
        return text


class CalendarSpec(_Model):
    national_holidays: bool = True
    closure: list[ClosureSpec] = Field(default_factory=lambda: [ClosureSpec()])
    local_holidays: list[LocalHolidaySpec] = []
    excluded_dates_csv: str | None = None

    def to_config(self, base_dir: Path) -> CalendarConfig:
        yearly, dated = [], []
        for holiday in self.local_holidays:
            if len(holiday.date) == 10:
                dated.append((date.fromisoformat(holiday.date), holiday.name))
            else:
                yearly.append((parse_month_day(holiday.date), holiday.name))
        excluded: list[tuple[date, str]] = []
        if self.excluded_dates_csv:
            excluded = load_excluded_csv(resolve_path(self.excluded_dates_csv, base_dir))
        return CalendarConfig(
            national_holidays=self.national_holidays,
            closures=tuple(
                ClosurePeriod(parse_month_day(c.start), parse_month_day(c.end), c.name) for c in self.closure
            ),
            yearly_holidays=tuple(yearly),
            dated_holidays=tuple(dated),
            excluded=tuple(excluded),
        )


class MonthlySpec(_Model):
    day: int | Literal["last"] | None = None
    business_day: int | Literal["first", "last"] | None = None
    months: list[int] = []

    @model_validator(mode="after")
    def _one(self) -> MonthlySpec:
        if (self.day is None) == (self.business_day is None):
            raise ValueError("day (日付) か business_day (第N営業日) のどちらか一つを書いてください")
        if isinstance(self.day, int) and not 1 <= self.day <= 31:
            raise ValueError("day は 1〜31 か last にしてください")
        if self.business_day == 0 or (isinstance(self.business_day, int) and abs(self.business_day) > 23):
            raise ValueError("business_day は 1〜23、-1〜-23、first、last のどれかにしてください")
        if any(not 1 <= m <= 12 for m in self.months):
            raise ValueError("months は 1〜12 の月にしてください")
        return self


class YearlySpec(_Model):
    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)

    @model_validator(mode="after")
    def _real_date(self) -> YearlySpec:
        try:
            date(2024, self.month, self.day)
        except ValueError:
            raise ValueError(f"{self.month}月{self.day}日 という日はありません") from None
        return self


class WeeklySpec(_Model):
    weekdays: list[str | int]

    @field_validator("weekdays")
    @classmethod
    def _days(cls, values: list[str | int]) -> list[str | int]:
        if not values:
            raise ValueError("曜日を一つ以上書いてください")
        for value in values:
            parse_weekday(value)
        return values


class WhenSpec(_Model):
    cron: dict[str, str | int] | None = None
    monthly: MonthlySpec | None = None
    yearly: YearlySpec | None = None
    weekly: WeeklySpec | None = None
    at: str = "00:00"
    adjust: Literal["previous", "next", "skip", "none"] = "none"
    offset_business_days: int = 0

    @field_validator("at", mode="before")
    @classmethod
    def _at(cls, value: Any) -> str:
        if isinstance(value, int):  # YAML 1.1 sexagesimal 08:30 → 510 minutes
            value = f"{value // 60:02d}:{value % 60:02d}"
        text = str(value).strip()
        try:
            time.fromisoformat(text if text.count(":") else "")
        except ValueError:
            raise ValueError(f"'{text}' は時刻ではありません (例: \"08:30\")") from None
        return text

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: dict | None) -> dict | None:
        if value is None:
            return value
        for key in value:
            if key not in CRON_FIELDS:
                raise ValueError(f"cron の項目 '{key}' はありません{_suggest(key, CRON_FIELDS)}")
        from apscheduler.triggers.cron import CronTrigger

        CronTrigger(timezone=ZoneInfo("UTC"), **{k: str(v) for k, v in value.items()})
        return value

    @model_validator(mode="after")
    def _one_rule(self) -> WhenSpec:
        given = [k for k in ("cron", "monthly", "yearly", "weekly") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("cron / monthly / yearly / weekly のどれか一つを書いてください")
        if self.cron is not None and self.adjust not in ("none", "skip"):
            raise ValueError("cron では adjust は none か skip だけが使えます")
        if self.cron is not None and self.offset_business_days:
            raise ValueError("cron では offset_business_days は使えません")
        return self

    def time_of_day(self) -> time:
        return time.fromisoformat(self.at)

    def to_rule(self) -> DateRule | CronRule:
        common = {"adjust": self.adjust, "offset_business_days": self.offset_business_days}
        if self.cron is not None:
            return CronRule(fields=tuple((k, str(v)) for k, v in self.cron.items()), adjust=self.adjust)
        if self.monthly is not None:
            m = self.monthly
            business = {"first": 1, "last": -1}.get(m.business_day, m.business_day)  # type: ignore[arg-type]
            day = -1 if m.day == "last" else m.day
            return MonthlyRule(day=day, business_day=business, months=tuple(m.months), **common)
        if self.yearly is not None:
            return YearlyRule(month=self.yearly.month, day=self.yearly.day, **common)
        assert self.weekly is not None
        days = tuple(sorted({parse_weekday(d) for d in self.weekly.weekdays}))
        return WeeklyRule(weekdays=days, **common)


class OcrSpec(_Model):
    inputs: list[str]
    template: str = Field(description="template name (benefit-application) or YAML path")
    out: str | None = Field(None, description="output folder; each run writes rows-<timestamp>.jsonl there")


class RunSpec(_Model):
    scenario: str | None = None
    input: str | None = None
    overrides: dict[str, Any] = {}
    ocr: OcrSpec | None = None
    function: str | None = None
    args: list[Any] = []
    kwargs: dict[str, Any] = {}

    @model_validator(mode="after")
    def _one(self) -> RunSpec:
        given = [k for k in ("scenario", "ocr", "function") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("scenario / ocr / function のどれか一つを書いてください")
        if self.function is not None and not FUNCTION_REF.match(self.function):
            raise ValueError(f"function '{self.function}' は \"module:function\" の形にしてください")
        if self.scenario is None and (self.input or self.overrides):
            raise ValueError("input と overrides は scenario と一緒にだけ使えます")
        if self.function is None and (self.args or self.kwargs):
            raise ValueError("args と kwargs は function と一緒にだけ使えます")
        return self

    @property
    def kind(self) -> str:
        return "scenario" if self.scenario else "ocr" if self.ocr else "function"


class BaselineSpec(_Model):
    minutes: float = Field(ge=0)
    measured_on: date | None = None
    measured_by: str = ""
    sample_size: int = Field(0, ge=0)
    effective_from: date | None = None
    exception_minutes: float | None = Field(None, ge=0)

    @property
    def effective(self) -> date:
        return self.effective_from or self.measured_on or date(2000, 1, 1)


class JobSpec(_Model):
    id: str
    name: str = Field(description="業務名")
    process: str = Field(description="business process id (hours-saved ledger)")
    run: RunSpec
    when: WhenSpec
    manual_minutes_per_item: BaselineSpec | None = None
    enabled: bool = True
    misfire_grace: int | None = None

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not JOB_ID.match(value):
            raise ValueError(f"id '{value}' には英数字と _ . - だけを使ってください")
        return value

    @field_validator("manual_minutes_per_item", mode="before")
    @classmethod
    def _minutes(cls, value: Any) -> Any:
        return {"minutes": value} if isinstance(value, int | float) and not isinstance(value, bool) else value

    @field_validator("misfire_grace", mode="before")
    @classmethod
    def _grace(cls, value: Any) -> Any:
        return None if value is None else parse_duration(value)


class JobsFile(_Model):
    timezone: str = "Asia/Tokyo"
    calendar: CalendarSpec = CalendarSpec()
    jobs: list[JobSpec] = []

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"タイムゾーン '{value}' はありません (例: Asia/Tokyo)") from None
        return value


# -- loading ---------------------------------------------------------------------------------
class LoadedJobs:
    """A validated jobs file plus what was derived from it (calendar, base dir, warnings)."""

    def __init__(self, path: Path, model: JobsFile, calendar: CalendarConfig, warnings: list[str]):
        self.path = path
        self.model = model
        self.calendar = calendar
        self.warnings = warnings

    @property
    def timezone(self) -> str:
        return self.model.timezone

    @property
    def jobs(self) -> list[JobSpec]:
        return self.model.jobs

    def job(self, job_id: str) -> JobSpec:
        for job in self.model.jobs:
            if job.id == job_id:
                return job
        ids = [j.id for j in self.model.jobs]
        raise InputError(f"ジョブ '{job_id}' は {self.path} にありません{_suggest(job_id, ids)}")

    def trigger(self, job: JobSpec):
        from scheduler.trigger import BusinessDayTrigger

        return BusinessDayTrigger(job.when.to_rule(), self.calendar, job.when.time_of_day(), self.timezone)


_ALL_KEYS = sorted(
    {name for model in (JobsFile, CalendarSpec, ClosureSpec, LocalHolidaySpec, MonthlySpec, YearlySpec,
                        WeeklySpec, WhenSpec, OcrSpec, RunSpec, BaselineSpec, JobSpec)
     for name, info in model.model_fields.items() for name in (info.alias or name, name)}
)


def _suggest(word: str, choices) -> str:
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f" (もしかして '{close[0]}'?)" if close else ""


def _plain(node: Any) -> Any:
    if isinstance(node, CommentedMap):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, CommentedSeq):
        return [_plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    return node


def _locate(root: Any, loc: tuple, path: Path, key_error: bool) -> str:
    """Turn a pydantic error location into ``file:line:col`` using ruamel's line info."""
    node, line, col = root, 0, 0
    keys = list(loc)
    for index, key in enumerate(keys):
        last = index == len(keys) - 1
        if isinstance(node, CommentedMap) and key in node:
            collection = isinstance(node[key], CommentedMap | CommentedSeq)
            line, col = node.lc.key(key) if (last and key_error) or collection else node.lc.value(key)
            node = node[key]
        elif isinstance(node, CommentedSeq) and isinstance(key, int) and key < len(node):
            line, col = node.lc.item(key)
            node = node[key]
        # other loc parts (union / validator tags) do not move us
    return f"{path}:{line + 1}:{col + 1}"


def _messages(exc: ValidationError, root: Any, path: Path) -> list[str]:
    problems = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        if error["type"] == "extra_forbidden":
            key = loc[-1]
            where = _locate(root, loc, path, key_error=True)
            problems.append(f"{where}: 知らない項目 '{key}'{_suggest(key, _ALL_KEYS)}")
            continue
        where = _locate(root, loc, path, key_error=False)
        message = str(error.get("msg", "")).removeprefix("Value error, ")
        field = ".".join(str(p) for p in loc if not str(p).startswith(("function-", "literal[", "int")))
        problems.append(f"{where}: {field}: {message}" if field else f"{where}: {message}")
    return problems


def resolve_path(value: str, base_dir: Path) -> Path:
    path = Path(value)
    return path if path.is_absolute() else (base_dir / path)


def load_jobs(path: Path | str, *, base_dir: Path | None = None, check_targets: bool = True) -> LoadedJobs:
    """Read and validate a jobs file; raise ``ValidationFailed`` listing every located problem.

    Relative paths inside (scenarios, inputs, CSV) are resolved against ``base_dir`` (default:
    the current working directory, i.e. the project folder the service runs in).
    """
    path = Path(path)
    base_dir = base_dir or Path.cwd()
    if not path.exists():
        raise InputError(f"ジョブ定義ファイルが見つかりません: {path}", hint="--jobs でファイルを指定してください")
    yaml = YAML(typ="rt")
    try:
        root = yaml.load(path.read_text(encoding="utf-8"))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise ValidationFailed([f"{line}: YAMLの書き方が正しくありません: {exc.problem}"]) from None
    except UnicodeDecodeError:
        raise InputError("UTF-8 で保存してください", location=Location(str(path))) from None
    if root is None:
        root = CommentedMap()
    if not isinstance(root, CommentedMap):
        raise ValidationFailed([f"{path}:1:1: ファイル全体は timezone / calendar / jobs の項目にしてください"])
    try:
        model = JobsFile.model_validate(_plain(root))
    except ValidationError as exc:
        raise ValidationFailed(_messages(exc, root, path), title="ジョブ定義にエラーがあります") from None

    problems: list[str] = []
    warnings: list[str] = []
    seen: dict[str, int] = {}
    for index, job in enumerate(model.jobs):
        where = _locate(root, ("jobs", index), path, key_error=False)
        if job.id in seen:
            problems.append(f"{where}: id '{job.id}' が重複しています (ジョブ {seen[job.id] + 1} 番目と同じ)")
        seen.setdefault(job.id, index)
        if check_targets:
            run_where = _locate(root, ("jobs", index, "run"), path, key_error=False)
            _check_targets(job.run, base_dir, run_where, problems, warnings)
    try:
        calendar = model.calendar.to_config(base_dir)
    except ValidationFailed as exc:
        problems.extend(exc.problems)
        calendar = CalendarConfig()
    except InputError as exc:
        where = _locate(root, ("calendar", "excluded_dates_csv"), path, key_error=False)
        problems.append(f"{where}: {exc.message}")
        calendar = CalendarConfig()
    if problems:
        raise ValidationFailed(problems, title="ジョブ定義にエラーがあります")
    return LoadedJobs(path, model, calendar, warnings)


def _check_targets(run: RunSpec, base_dir: Path, where: str, problems: list[str], warnings: list[str]) -> None:
    if run.function:
        module_name, _, func_name = run.function.partition(":")
        try:
            module = importlib.import_module(module_name)
        except Exception as exc:  # ImportError or an error inside the module
            problems.append(f"{where}: モジュール '{module_name}' を読み込めません ({type(exc).__name__}: {exc})")
            return
        if not callable(getattr(module, func_name, None)):
            names = [n for n in dir(module) if not n.startswith("_")]
            problems.append(f"{where}: '{module_name}' に関数 '{func_name}' がありません{_suggest(func_name, names)}")
    elif run.scenario:
        if not resolve_path(run.scenario, base_dir).exists():
            problems.append(f"{where}: シナリオ '{run.scenario}' が見つかりません")
        if run.input and not resolve_path(run.input, base_dir).exists():
            warnings.append(f"{where}: 入力ファイル '{run.input}' はまだありません (実行時に必要です)")
    elif run.ocr:
        looks_like_path = run.ocr.template.endswith((".yaml", ".yml")) or "/" in run.ocr.template
        if looks_like_path and not resolve_path(run.ocr.template, base_dir).exists():
            problems.append(f"{where}: テンプレート '{run.ocr.template}' が見つかりません")
        for folder in run.ocr.inputs:
            if not resolve_path(folder, base_dir).exists():
                warnings.append(f"{where}: 入力フォルダ '{folder}' はまだありません (実行時に必要です)")
