"""OCR targets of issue 4: accuracy per field kind, straight-through and accepted-error rates,
pages per minute (1 and 2 workers) and peak memory.

Sets: the dev and dev-hard samples of ../shared (when present) and a generated set with heavy
degradation (``samples.forms.generator``). ``quick=True`` uses a few pages of each.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import Result, meets

SHARED = Path(__file__).resolve().parents[2] / "shared" / "ocr-samples"
TARGETS = {
    "printed": ">= 0.99",
    "digits": ">= 0.98",  # boxed handwritten digits, among the auto-accepted
    "tick": ">= 0.995",
    "seal": ">= 0.995",
}


def _result(name: str, value: float, unit: str, target: str = "", note: str = "") -> Result:
    return Result("ocr", name, round(value, 4), unit, target, meets(value, target) if target else None, note)


def _subset(src: Path, dst: Path, limit: int | None) -> Path:
    dst.mkdir(parents=True, exist_ok=True)
    (dst / "truth").mkdir(exist_ok=True)
    files = sorted(p for p in src.iterdir() if p.is_file())
    for path in files[:limit] if limit else files:
        shutil.copy(path, dst / path.name)
        truth = src / "truth" / f"{path.name}.json"
        if truth.exists():
            shutil.copy(truth, dst / "truth" / truth.name)
    return dst


def _tree_pss_mib(pid: int) -> float:
    """Proportional memory (PSS: shared pages split among their users) of a process and all its
    descendants, from Linux /proc, in MiB."""
    total_kib, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup", encoding="ascii") as rollup:
                total_kib += next((int(line.split()[1]) for line in rollup if line.startswith("Pss:")), 0)
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as children:
                    stack.extend(int(c) for c in children.read().split())
        except OSError:  # the process ended meanwhile
            continue
    return total_kib / 1024


def _cli_peak_mib(folder: Path, out: Path, workers: int) -> float:
    """Peak memory of ``yomikaki ocr extract`` as an operator runs it (process + workers)."""
    command = [sys.executable, "-m", "yomikaki", "ocr", "extract", str(folder), "--template",
               "benefit-application", "--out", str(out), "--workers", str(workers), "--no-progress"]
    peak = 0.0
    with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as proc:
        while proc.poll() is None:
            peak = max(peak, _tree_pss_mib(proc.pid))
            time.sleep(0.1)
    return peak


def _measure(label: str, folder: Path, out_dir: Path, workers: int = 1) -> tuple[list[Result], dict]:
    from ocr import evaluate, extract

    out = out_dir / f"{label}_w{workers}.jsonl"
    started = time.perf_counter()
    summary = extract([folder], out=out, workers=workers, progress=False)
    seconds = time.perf_counter() - started
    report = evaluate(folder / "truth", out)
    results = [_result(f"{label}: pages/min (--workers {workers})", summary.pages / seconds * 60, "pages/min",
                       ">= 60" if workers == 1 else "", f"{summary.pages} pages in {seconds:.1f} s")]
    for kind, stats in report["by_kind"].items():
        value = stats["accepted_accuracy"] if kind == "digits" else stats["accuracy"]
        if value is None:
            continue
        name = f"{label}: {kind} accuracy" + (" (auto-accepted)" if kind == "digits" else "")
        results.append(_result(name, value, "ratio", TARGETS.get(kind, ""),
                               f"n={stats['n']}, all fields {stats['accuracy']}"))
    results.append(_result(f"{label}: straight-through rate", report["straight_through_rate"] or 0, "ratio", ">= 0.85"))
    results.append(_result(f"{label}: error rate among accepted", report["accepted_error_rate"] or 0, "ratio",
                           "<= 0.005"))
    results.append(_result(f"{label}: page status accuracy", report["pages"]["status_accuracy"] or 0, "ratio",
                           ">= 1"))
    return results, report


def run(quick: bool = False) -> list[Result]:
    results: list[Result] = []
    limit = 4 if quick else None
    with tempfile.TemporaryDirectory(prefix="bench-ocr-") as tmp:
        tmp_path = Path(tmp)
        sets: list[tuple[str, Path]] = []
        if SHARED.exists():
            sets.append(("dev", _subset(SHARED / "dev", tmp_path / "dev", limit)))
            sets.append(("dev-hard", _subset(SHARED / "dev-hard", tmp_path / "hard", limit)))
        try:
            from samples.forms.generator import default_households, generate_batch

            gen = tmp_path / "generated_heavy"
            generate_batch(default_households(), gen, count=4 if quick else 30, seed=101, degradation="heavy",
                           hard_cases=not quick)
            sets.append(("generated heavy", gen))
        except ImportError as exc:
            results.append(Result("ocr", "generated set", 0, "", note=f"generator unavailable: {exc}"))
        for label, folder in sets:
            measured, _ = _measure(label, folder, tmp_path)
            results.extend(measured)
        if sets:
            label, folder = sets[0]
            measured, _ = _measure(label, folder, tmp_path, workers=2)
            results.extend(r for r in measured if "pages/min" in r.name)
        if sets:  # measured on its own: this process also drew the generated pages
            label, folder = sets[0]
            for workers in (1, 2):
                peak = _cli_peak_mib(folder, tmp_path / f"memory_w{workers}.jsonl", workers)
                results.append(_result(f"peak memory, ocr extract --workers {workers}", peak, "MiB", "<= 1024",
                                       f"{label}; PSS of the process and its workers, sampled every 0.1 s"))
    return results


if __name__ == "__main__":
    for r in run(quick=True):
        print(r)
