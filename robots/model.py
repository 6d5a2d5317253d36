"""The scenario model (pydantic). YAML and ``robots.schema`` build on it.

A scenario file has metadata, an ``input`` section, a ``site`` section, ``vars``,
``settings``, and step lists ``setup`` / ``steps`` / ``teardown`` / ``check``, plus
``interrupts`` (pop-ups handled whenever they appear) and ``mask`` (locators blacked out in
failure screenshots). Steps stay raw here; ``robots.loader`` compiles them through the step
registry (``robots.steps.base``) so each one is checked against its own parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from yomikaki.errors import Location


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ManualTime(Strict):
    minutes: float = Field(description="人が手作業で 1 件にかける時間（分）")
    measured: str = Field("", description="測り方（日付・測った人・件数など）")


class InputSpec(Strict):
    file: str | None = Field(None, description="入力ファイル (xlsx / csv / jsonl)。--input で上書き")
    sheet: str | None = Field(None, description="xlsx のシート名（省略時は先頭シート）")
    encoding: str | None = Field(None, description="csv の文字コード (utf-8 / cp932)。省略時は自動判定")
    key: list[str] = Field(default_factory=list, description="1 件を一意に決める列（受付の重複防止）")
    text_columns: list[str] = Field(default_factory=list, description="文字列として読む列（先頭の 0 を保つ）")
    boolean_columns: list[str] = Field(
        default_factory=list, description="真偽値として読む列 (members.*.opt_out のように * 可)"
    )
    required: list[str] = Field(default_factory=list, description="空であってはならない列")
    reference: str | None = Field(
        None, description="入力ファイルがないときの 1 件の参照キー（テンプレート可, 例: '{{ vars.year }}'）"
    )


class SiteSpec(Strict):
    base_url: str | None = Field(None, description="基幹システムのアドレス（テンプレート可）")
    secrets: list[str] = Field(default_factory=list, description="必要な秘密情報の名前 (例: CORE_USER)")


class RunSpec(Strict):
    max_retries: int | None = Field(None, ge=0, description="システムエラー時の再試行回数（既定 2）")
    max_consecutive_system_errors: int | None = Field(None, ge=1, description="連続システムエラーで停止する件数")
    timeout_ms: int | None = Field(None, ge=100, description="各ステップの待ち時間の上限 (ミリ秒)")
    trace: Literal["on", "full", "off"] | bool = Field(  # true = "on", false = "off"
        "on",
        description="失敗した件の Playwright トレース: on = 操作・通信・コンソールの記録（システムエラー後の再試行と"
        "停止後の確認では画面の記録も）, full = 毎回画面の記録も（CPU を 2 割ほど多く使います）, off = 残さない",
    )

    @field_validator("trace", mode="before")
    @classmethod
    def _trace_bool(cls, value: Any) -> Any:
        return {True: "on", False: "off"}.get(value, value) if isinstance(value, bool) else value


class Interrupt(Strict):
    when: dict[str, Any] = Field(description="現れたら処理するロケーター (例: {role: dialog, name: お知らせ})")
    do: list[Any] = Field(description="実行するステップ")
    times: int | None = Field(None, description="最大回数（省略時は無制限）")


class ScenarioSpec(Strict):
    name: str = Field(description="シナリオ名（日本語可）")
    description: str = ""
    owner: str = ""
    version: str = "1"
    process_id: str | None = Field(None, description="業務プロセス ID（削減時間の集計に使う）")
    manual_minutes_per_item: ManualTime | float | None = None
    input: InputSpec | None = None
    site: SiteSpec = SiteSpec()
    vars: dict[str, Any] = Field(default_factory=dict, description="変数（--set NAME=VALUE で上書き）")
    settings: RunSpec = RunSpec()
    mask: list[dict[str, Any]] = Field(default_factory=list, description="失敗時の画面写真で黒塗りする箇所")
    business_errors: list[dict[str, Any]] = Field(
        default_factory=list, description="画面に出たら業務エラーとみなすロケーター"
    )
    interrupts: list[Interrupt] = Field(default_factory=list)
    logged_out_url: str | None = Field(
        None, description="ログアウトされたときに出る画面のアドレス（正規表現, 例: '/login'）。出たらすぐシステムエラー"
    )
    setup: list[Any] = Field(default_factory=list, description="ブラウザーごとに 1 回（ログインなど）")
    steps: list[Any] = Field(description="1 件ごとの手順")
    teardown: list[Any] = Field(default_factory=list)
    check: list[Any] | None = Field(
        None, description="結果不明の件が登録済みかを調べる手順（mark_done で登録済み）"
    )

    @property
    def manual_minutes(self) -> float | None:
        m = self.manual_minutes_per_item
        if m is None:
            return None
        return m.minutes if isinstance(m, ManualTime) else float(m)


@dataclass
class StepCall:
    """One compiled step: its class, validated params, nested blocks and where it was written."""

    step: Any  # robots.steps.base.Step subclass
    params: Any  # the step's pydantic Params instance
    location: Location
    title: str | None = None
    timeout_ms: int | None = None
    blocks: dict[str, list[StepCall]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.step.name


@dataclass
class CompiledInterrupt:
    when: dict[str, Any]
    do: list[StepCall]
    times: int | None = None


@dataclass
class Scenario:
    spec: ScenarioSpec
    path: Path
    setup: list[StepCall]
    steps: list[StepCall]
    teardown: list[StepCall]
    check: list[StepCall] | None
    interrupts: list[CompiledInterrupt]
    positions: dict[tuple, tuple[int, int]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def queue_name(self) -> str:
        return self.spec.process_id or self.path.stem

    def location(self, path: tuple) -> Location:
        return location_of(self.path, self.positions, path)


def location_of(file: Path | str, positions: dict[tuple, tuple[int, int]], path: tuple) -> Location:
    """The ``file:line:column`` of ``path`` or of its nearest written ancestor (1-based)."""
    probe = tuple(path)
    while probe not in positions and probe:
        probe = probe[:-1]
    line, col = positions.get(probe, (0, 0))
    return Location(str(file), line + 1, col + 1)
