"""Run the benchmarks: ``python -m benchmarks [--quick] [--only NAME]``."""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import time
import traceback
from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

import benchmarks
from benchmarks import Result, meets


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("--only", action="append", default=[], help="run only bench_<NAME>")
    args = parser.parse_args()
    console = Console()
    results: list[Result] = []
    failures = 0
    names = sorted(m.name for m in pkgutil.iter_modules(benchmarks.__path__) if m.name.startswith("bench_"))
    for name in names:
        if args.only and name.removeprefix("bench_") not in args.only and name not in args.only:
            continue
        console.print(f"[bold]▶ {name}[/]")
        started = time.perf_counter()
        try:
            module = importlib.import_module(f"benchmarks.{name}")
            for result in module.run(quick=args.quick):
                if result.ok is None:
                    result.ok = meets(result.value, result.target)
                results.append(result)
        except Exception:
            failures += 1
            console.print(f"[red]{name} failed[/]\n{traceback.format_exc()}")
        console.print(f"  {time.perf_counter() - started:.1f} s")
    table = Table(title="yomikaki benchmarks")
    for column in ("area", "benchmark", "value", "unit", "target", "met", "note"):
        table.add_column(column)
    for r in results:
        met = "" if r.ok is None else ("✔" if r.ok else "✘")
        table.add_row(r.area, r.name, f"{r.value:,.3f}".rstrip("0").rstrip("."), r.unit, r.target, met, r.note)
    console.print(table)
    out_dir = Path(__file__).parent / "results"
    out_dir.mkdir(exist_ok=True)
    payload = {
        "at": datetime.now().isoformat(timespec="seconds"),
        "quick": args.quick,
        "results": [r.to_dict() for r in results],
    }
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    for path in (out_dir / f"{stamp}.json", out_dir / "latest.json"):
        path.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    console.print(f"results: {out_dir / 'latest.json'}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
