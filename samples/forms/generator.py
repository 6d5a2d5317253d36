"""Filled, "scanned" benefit application forms with ground truth, for demos and tests.

    generate_batch(households, out_dir, count=30, seed=0, degradation="light", hard_cases=True)

writes ``count`` filled forms (one page per household, chosen among ``households``) as scan
files plus ``truth/<file name>.json`` in the format of ``ocr-samples`` (see
``samples/forms/README.md``). ``hard_cases`` turns some forms into hard scans (strong skew,
upside down, 200 dpi, fax-like 1-bit, grayscale, a multi-page PDF with an ID-card copy, a
multi-page TIFF) and adds odd files (a blank page, a letter, a 40 × 40 image, a truncated
JPEG). The same arguments always give the same files.

Command line::

    python -m samples.forms.generator --out DIR --count 30 [--seed 0] [--heavy] [--hard-cases]
        [--households-seed 1] [--dpi 300] [--workers 2] [--stroke-digits 0.25]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from samples.forms.degrade import ScanProfile, random_profile, scan
from samples.forms.form import check_household, fill_form
from samples.forms.layout import DPI, FORM_ID
from samples.forms.others import blank_sheet, id_card_page, letter_page, tiny_image, truncate_jpeg

DEGRADATIONS = ("light", "heavy")
# Hard variants applied to the first forms of a batch, in this order, when hard_cases is on.
HARD_FORM_CASES = ("skewed", "upside_down", "pdf_with_id_card", "tiff_two_forms", "dpi200", "fax",
                   "grayscale")
ODD_FILES = ("blank", "letter", "tiny", "truncated_jpeg")
# Share of forms whose digits are drawn as pen strokes (strokes.py) rather than in a font.
STROKE_DIGIT_RATE = {"light": 0.25, "heavy": 0.4}


@dataclass
class PageSpec:
    kind: str                      # form, blank, letter, id_card_copy
    household: dict | None = None
    overrides: dict = field(default_factory=dict)


@dataclass
class FileSpec:
    name: str
    fmt: str                       # jpg, png, tif, pdf
    pages: list[PageSpec]
    special: str | None = None     # tiny, truncated_jpeg
    case: str | None = None        # the hard case this file shows


def _rng(seed: int, *parts) -> random.Random:
    return random.Random("|".join(str(p) for p in ("yomikaki-forms", seed, *parts)))


def _plain_format(rng: random.Random) -> str:
    return rng.choices(("jpg", "png", "pdf"), weights=(84, 8, 8))[0]


def plan_batch(households: list[dict], count: int, *, seed: int = 0, hard_cases: bool = False,
               prefix: str = "scan") -> list[FileSpec]:
    """Which file holds which pages (cheap, no drawing); deterministic for ``seed``."""
    if count < 0:
        raise ValueError("count は 0 以上にしてください")
    if not households:
        raise ValueError("世帯がありません: households に 1 世帯以上を渡してください")
    if count > len(households):
        raise ValueError(f"世帯が足りません: {count} 枚の申請書に {len(households)} 世帯しかありません")
    rng = _rng(seed, "plan")
    chosen = rng.sample(households, count)
    for household in chosen:
        check_household(household, f"世帯 {household.get('household_no') or household.get('application_id')}"
                        if isinstance(household, dict) else "世帯")
    forms = [PageSpec("form", h) for h in chosen]
    files: list[FileSpec] = []

    def add(fmt: str, pages: list[PageSpec], special: str | None = None, case: str | None = None) -> None:
        files.append(FileSpec(f"{prefix}_{len(files) + 1:04d}.{fmt}", fmt, pages, special, case))

    queue = list(forms)
    if hard_cases:
        for case in HARD_FORM_CASES:
            need = 2 if case == "tiff_two_forms" else 1
            if len(queue) < need:
                break
            taken = [queue.pop(0) for _ in range(need)]
            if case == "skewed":
                angle = rng.uniform(4.5, 7.0) * rng.choice((-1, 1))
                taken[0].overrides.update(rotation_deg=angle)
                add("jpg", taken, case=case)
            elif case == "upside_down":
                taken[0].overrides.update(upside_down=True)
                add("jpg", taken, case=case)
            elif case == "pdf_with_id_card":
                add("pdf", [taken[0], PageSpec("id_card_copy", taken[0].household)], case=case)
            elif case == "tiff_two_forms":
                taken[1].overrides.update(upside_down=rng.random() < 0.5)
                add("tif", taken, case=case)
            elif case == "dpi200":
                taken[0].overrides.update(dpi=200)
                add("jpg", taken, case=case)
            elif case == "fax":
                taken[0].overrides.update(dpi=200, mode="1", blur=True)
                add(rng.choice(("png", "tif")), taken, case=case)
            elif case == "grayscale":
                taken[0].overrides.update(mode="L")
                add("jpg", taken, case=case)
    for page in queue:
        add(_plain_format(rng), [page])
    if hard_cases:
        someone = chosen[0] if chosen else households[0]
        add("jpg", [PageSpec("blank")], case="blank")
        add("jpg", [PageSpec("letter", someone)], case="letter")
        add("png", [PageSpec("tiny", someone)], special="tiny", case="tiny")
        add("jpg", [PageSpec("form", someone)], special="truncated_jpeg", case="truncated_jpeg")
    return files


# --- drawing one file ---------------------------------------------------------------------------

EXPECTED = {"blank": "blank", "letter": "unknown_form", "id_card_copy": "unknown_form"}


def _page(spec: PageSpec, rng: random.Random, heavy: bool, dpi: int,
          stroke_digit_rate: float | None = None) -> tuple[Image.Image, dict, dict]:
    """(scanned image, truth fields or expected, _meta) of one page."""
    if stroke_digit_rate is None:
        stroke_digit_rate = STROKE_DIGIT_RATE["heavy" if heavy else "light"]
    if spec.kind == "form":
        clean, fields, meta = fill_form(spec.household, rng, stroke_digit_rate)
    elif spec.kind == "blank":
        clean, fields, meta = blank_sheet(), {"expected": "blank"}, {}
    elif spec.kind == "letter":
        clean, fields, meta = letter_page(spec.household, rng), {"expected": "unknown_form"}, {}
    else:
        clean, fields, meta = id_card_page(spec.household, rng), {"expected": "unknown_form"}, {}
    profile: ScanProfile = random_profile(rng, heavy, dpi)
    for key, value in spec.overrides.items():
        setattr(profile, key, value)
    image = scan(clean, rng, profile)
    meta = {**profile.meta(), **meta}
    if spec.kind != "form":
        meta["kind"] = spec.kind
    return image, fields, meta


def _save(images: list[Image.Image], path: Path, fmt: str, dpi: int, rng: random.Random) -> dict:
    """Write the page images; returns format details for ``_meta``."""
    first, rest = images[0], images[1:]
    if fmt == "jpg":
        quality = rng.randint(75, 92)
        first.save(path, "JPEG", quality=quality, dpi=(dpi, dpi))
        return {"jpeg_quality": quality}
    if fmt == "png":
        first.save(path, "PNG", dpi=(dpi, dpi), compress_level=1)
        return {}
    if fmt == "tif":
        if all(im.mode == "1" for im in images):
            first.save(path, "TIFF", save_all=True, append_images=rest, dpi=(dpi, dpi), compression="group4")
            return {"tiff_compression": "group4"}
        quality = rng.randint(75, 90)
        first.save(path, "TIFF", save_all=True, append_images=rest, dpi=(dpi, dpi), compression="jpeg",
                   quality=quality)
        return {"tiff_compression": "jpeg", "jpeg_quality": quality}
    if fmt == "pdf":
        first.save(path, "PDF", save_all=True, append_images=rest, resolution=float(dpi),
                   creationDate=None, modDate=None, producer="yomikaki samples.forms")
        return {}
    raise ValueError(f"unknown format {fmt}")


def make_file(spec: FileSpec, out_dir: Path, *, seed: int, heavy: bool, dpi: int,
              stroke_digit_rate: float | None = None) -> Path:
    """Draw, scan and write one file and its truth; returns the file path."""
    rng = _rng(seed, "file", spec.name)
    path = out_dir / spec.name
    truth_path = out_dir / "truth" / f"{spec.name}.json"
    if spec.special == "tiny":
        image = tiny_image(letter_page(spec.pages[0].household, rng))
        image.save(path, "PNG")
        truth = {"form": None, "page": 1, "expected": "rejected",
                 "_meta": {"format": "png", "kind": "tiny_40x40"}}
    elif spec.special == "truncated_jpeg":
        image, _fields, meta = _page(spec.pages[0], rng, heavy, dpi, stroke_digit_rate)
        data, full = truncate_jpeg(image, rng)
        path.write_bytes(data)
        truth = {"form": None, "page": 1, "expected": "error",
                 "_meta": {"format": "jpg", "kind": "truncated_jpeg", "full_bytes": full,
                           "written_bytes": len(data)}}
    else:
        images, truths = [], []
        for number, page in enumerate(spec.pages, start=1):
            image, fields, meta = _page(page, rng, heavy, dpi, stroke_digit_rate)
            images.append(image)
            form = FORM_ID if page.kind == "form" else None
            truths.append({"form": form, "page": number, **fields, "_meta": meta})
        page_dpi = truths[0]["_meta"]["dpi"]
        if len({t["_meta"]["dpi"] for t in truths}) > 1:
            raise ValueError("one file, one dpi")
        extra = _save(images, path, spec.fmt, page_dpi, rng)
        for t in truths:
            t["_meta"].update(format=spec.fmt, **extra)
        truth = truths[0] if len(truths) == 1 else truths
    if spec.case:
        for t in truth if isinstance(truth, list) else [truth]:
            t["_meta"]["hard_case"] = spec.case
    truth_path.write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def generate_batch(households: list[dict], out_dir: Path, *, count: int, seed: int = 0,
                   degradation: str = "light", hard_cases: bool = False, dpi: int = DPI,
                   workers: int = 1, prefix: str = "scan", stroke_digit_rate: float | None = None
                   ) -> list[Path]:
    """Write ``count`` filled, scanned forms (plus hard cases) and their truth to ``out_dir``.

    ``stroke_digit_rate`` is the share of forms whose digits are drawn as pen strokes instead
    of a handwriting font (default 0.25 light, 0.4 heavy). ``workers`` > 1 draws files in
    parallel processes; the files are the same either way.
    """
    if degradation not in DEGRADATIONS:
        raise ValueError(f"degradation は {' / '.join(DEGRADATIONS)} のどれかです（{degradation!r}）")
    if dpi not in (200, 300):
        raise ValueError(f"dpi は 200 か 300 にしてください（{dpi}）")
    out_dir = Path(out_dir)
    (out_dir / "truth").mkdir(parents=True, exist_ok=True)
    specs = plan_batch(households, count, seed=seed, hard_cases=hard_cases, prefix=prefix)
    if stroke_digit_rate is not None and not 0 <= stroke_digit_rate <= 1:
        raise ValueError(f"stroke_digit_rate は 0〜1 です（{stroke_digit_rate}）")
    options = {"seed": seed, "heavy": degradation == "heavy", "dpi": dpi, "stroke_digit_rate": stroke_digit_rate}
    if workers > 1 and len(specs) > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(make_file, spec, out_dir, **options) for spec in specs]
            return [f.result() for f in futures]
    return [make_file(spec, out_dir, **options) for spec in specs]


def default_households(seed: int = 1, count: int = 800) -> list[dict]:
    """The households of the sample core system (the same seed it loads)."""
    from samples.core_system.seed import generate_households

    return generate_households(seed, count)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m samples.forms.generator",
        description="記入済み・スキャン済みの申請書サンプル（正解データ付き）を作ります。")
    parser.add_argument("--out", type=Path, required=True, help="出力フォルダ")
    parser.add_argument("--count", type=int, required=True, help="申請書の枚数")
    parser.add_argument("--seed", type=int, default=0, help="乱数の種（同じ種なら同じファイル）")
    parser.add_argument("--heavy", action="store_true", help="強い劣化（汚れ・にじみ・かすれ・大きな傾き）")
    parser.add_argument("--hard-cases", action="store_true",
                        help="難しい例（傾き・上下逆・白紙・別の書類・壊れたファイルなど）を加える")
    parser.add_argument("--households-seed", type=int, default=1,
                        help="見本の基幹システムの世帯データの種（既定 1 = 見本システムの既定）")
    parser.add_argument("--dpi", type=int, default=DPI, choices=(200, 300))
    parser.add_argument("--workers", type=int, default=1, help="並列に作るプロセス数")
    parser.add_argument("--stroke-digits", type=float, default=None, metavar="RATE",
                        help="数字をフォントでなく手書きの線で書く申請書の割合（0〜1、既定 0.25 / --heavy で 0.4）")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        households = default_households(args.households_seed, max(800, args.count))
        paths = generate_batch(households, args.out, count=args.count, seed=args.seed,
                               degradation="heavy" if args.heavy else "light",
                               hard_cases=args.hard_cases, dpi=args.dpi, workers=args.workers,
                               stroke_digit_rate=args.stroke_digits)
    except (ValueError, OSError) as exc:
        print(f"エラー: {exc}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - started
    print(f"{len(paths)} ファイルを {args.out} に作りました（正解データ: {args.out / 'truth'}、{seconds:.1f} 秒）")
    return 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["generate_batch", "plan_batch", "make_file", "default_households", "main"]
